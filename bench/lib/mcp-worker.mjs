// One MCP client (the SDK's Client) over one transport, in a fresh Node process, against a server
// with an `echo` tool: "ssh" (our SSHClientTransport running the fixture fixtures/mcp/tools-server.mjs),
// "stdio" (the SDK's StdioClientTransport spawning the fixture), "ssh-process" (StdioClientTransport
// spawning `ssh -T`), and for bench/e2e-http.mjs "command" (StdioClientTransport spawning
// `spec.command` with `spec.args`, e.g. the mcp-ssh CLI), "http" (the SDK's
// StreamableHTTPClientTransport to `spec.url` with the runtime's fetch) and "ssh-fetch" (the same
// transport with our sshFetch over an SSHClient from `spec.library`, which must then be the full
// entry). Spawned by bench/e2e-mcp.mjs and bench/e2e-http.mjs with a JSON spec; prints one JSON line:
//   rttMs        `n` sequential tools/call "echo" round trips after `warmup` untimed ones
//   burstMs      `rounds` times: `concurrent` calls issued at once, time until the last answer
//   cpuMsPerCall client CPU per sequential call: this process, plus (childCpuMsPerCall) the process
//                StdioClientTransport spawned, for "command" only (where that process is the client
//                side's, like the mcp-ssh CLI; from /proc, to 10 ms over the run)
//   connectMs    transport start + MCP initialize
//   serverCpuMsPerCall  with `spec.serverSide` ({ pids, treesOf }): CPU per sequential call of the
//                server side: the processes `pids` and every descendant of the processes `treesOf`
//                (e.g. the HTTP server, and sshd's connection processes with the command they run),
//                plus the tree of the process StdioClientTransport spawned for "stdio" (the server)
// `spec.payload` (bytes, optional): each call's text is padded to that size, so request and answer
// each carry about that much.
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { readFileSync } from "node:fs";
import { oursClient } from "./ssh-clients.mjs";
import { FORCED } from "./sshd.mjs";

const spec = JSON.parse(process.argv[2]);
let sshConnection;

async function makeTransport() {
  if (spec.transport === "command") {
    return new StdioClientTransport({ command: spec.command, args: spec.args, stderr: "inherit" });
  }
  if (spec.transport === "http") return new StreamableHTTPClientTransport(new URL(spec.url));
  if (spec.transport === "ssh-fetch") {
    const { sshFetch } = await import(pathToFileURL(spec.library).href);
    sshConnection = await (await oursClient(spec.server, spec.library)).connect();
    return new StreamableHTTPClientTransport(new URL(spec.url), { fetch: sshFetch(sshConnection) });
  }
  if (spec.transport === "stdio") {
    return new StdioClientTransport({ command: spec.node, args: [spec.fixture], stderr: "ignore" });
  }
  if (spec.transport === "ssh-process") {
    // OpenSSH's client as the SSH leg: the same sshd hop, with a C client in its own process.
    return new StdioClientTransport({ command: "ssh", args: spec.sshArgs, stderr: "ignore" });
  }
  const { SSHClientTransport } = await import(pathToFileURL(spec.library).href);
  const s = spec.server;
  return new SSHClientTransport({
    host: s.host,
    port: s.port,
    username: s.username,
    privateKey: s.privateKey,
    hostKeyFingerprints: [s.fingerprint],
    command: `${spec.node} ${spec.fixture}`,
    connect: { algorithms: { kex: [FORCED.kex], cipher: [FORCED.cipher], hostKey: [FORCED.hostKey] } },
  });
}

const pad = spec.payload ? "x".repeat(spec.payload) : "";
const textFor = (label) => (pad ? `${label} ${pad}`.slice(0, Math.max(spec.payload, label.length)) : label);
const call = (client, label) => client.callTool({ name: "echo", arguments: { text: textFor(label) } });

/** CPU ms (user + system) of a live process, from /proc/PID/stat (clock ticks of 10 ms). */
function processCpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The live descendants of `pid` (Linux: /proc/PID/task/TID/children). */
function descendants(pid) {
  let kids = [];
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return kids.flatMap((k) => [k, ...descendants(k)]);
}

/** CPU ms of the server side now (processes that end in between are lost: none do here). */
function serverSideCpuMs() {
  const side = spec.serverSide;
  if (!side) return 0;
  const pids = [...(side.pids ?? []), ...(side.treesOf ?? []).flatMap(descendants)];
  if (spec.transport === "stdio") pids.push(transport.pid, ...descendants(transport.pid));
  let ms = 0;
  for (const pid of pids) {
    try {
      ms += processCpuMs(pid);
    } catch {
      /* gone */
    }
  }
  return ms;
}

const client = new Client({ name: "mcp-ssh-bench", version: "1.0.0" });
const t0 = performance.now();
const transport = await makeTransport();
await client.connect(transport);
const connectMs = performance.now() - t0;
const childPid = spec.transport === "command" ? transport.pid : undefined;

for (let i = 0; i < spec.warmup; i++) await call(client, `warm ${i}`);
const rttMs = [];
const cpu0 = process.cpuUsage();
const child0 = childPid ? processCpuMs(childPid) : 0;
const server0 = serverSideCpuMs();
for (let i = 0; i < spec.n; i++) {
  const t = performance.now();
  const r = await call(client, `call ${i}`);
  rttMs.push(performance.now() - t);
  if (r.content?.[0]?.text !== textFor(`call ${i}`)) throw new Error(`echo answered ${JSON.stringify(r).slice(0, 200)}`);
}
const cpu = process.cpuUsage(cpu0);
const childCpuMsPerCall = childPid ? (processCpuMs(childPid) - child0) / spec.n : 0;
const serverCpuMsPerCall = spec.serverSide ? (serverSideCpuMs() - server0) / spec.n : undefined;

const burstMs = [];
for (let round = 0; round < spec.rounds; round++) {
  const t = performance.now();
  const results = await Promise.all(Array.from({ length: spec.concurrent }, (_, i) => call(client, `burst ${round} ${i}`)));
  burstMs.push(performance.now() - t);
  results.forEach((r, i) => {
    if (r.content?.[0]?.text !== textFor(`burst ${round} ${i}`)) throw new Error(`burst call ${i} answered ${JSON.stringify(r).slice(0, 200)}`);
  });
}

// The HTTP session ends with DELETE, as a host that closes cleanly ends it.
if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession().catch(() => {});
await client.close();
await sshConnection?.close();
const ownCpuMsPerCall = (cpu.user + cpu.system) / 1000 / spec.n;
process.stdout.write(`${JSON.stringify({ connectMs, rttMs, cpuMsPerCall: ownCpuMsPerCall + childCpuMsPerCall, childCpuMsPerCall, serverCpuMsPerCall, burstMs })}\n`);
process.exit(0);
