// One MCP client (the SDK's Client) over one transport, in a fresh Node process, against the
// fixture server (fixtures/mcp/tools-server.mjs): "ssh" (our SSHClientTransport), "stdio" (the SDK's
// StdioClientTransport spawning the server) or "ssh-process" (StdioClientTransport spawning `ssh -T`). Spawned by bench/e2e-mcp.mjs with a JSON spec;
// prints one JSON line:
//   rttMs        `n` sequential tools/call "echo" round trips after `warmup` untimed ones
//   burstMs      `rounds` times: `concurrent` calls issued at once, time until the last answer
//   cpuMsPerCall client CPU per sequential call
//   connectMs    transport start + MCP initialize
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { FORCED } from "./sshd.mjs";

const spec = JSON.parse(process.argv[2]);

async function makeTransport() {
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

const call = (client, text) => client.callTool({ name: "echo", arguments: { text } });

const client = new Client({ name: "mcp-ssh-bench", version: "1.0.0" });
const t0 = performance.now();
await client.connect(await makeTransport());
const connectMs = performance.now() - t0;

for (let i = 0; i < spec.warmup; i++) await call(client, `warm ${i}`);
const rttMs = [];
const cpu0 = process.cpuUsage();
for (let i = 0; i < spec.n; i++) {
  const t = performance.now();
  const r = await call(client, `call ${i}`);
  rttMs.push(performance.now() - t);
  if (r.content?.[0]?.text !== `call ${i}`) throw new Error(`echo answered ${JSON.stringify(r)}`);
}
const cpu = process.cpuUsage(cpu0);

const burstMs = [];
for (let round = 0; round < spec.rounds; round++) {
  const t = performance.now();
  const results = await Promise.all(Array.from({ length: spec.concurrent }, (_, i) => call(client, `burst ${round} ${i}`)));
  burstMs.push(performance.now() - t);
  results.forEach((r, i) => {
    if (r.content?.[0]?.text !== `burst ${round} ${i}`) throw new Error(`burst call ${i} answered ${JSON.stringify(r)}`);
  });
}

await client.close();
process.stdout.write(`${JSON.stringify({ connectMs, rttMs, cpuMsPerCall: (cpu.user + cpu.system) / 1000 / spec.n, burstMs })}\n`);
process.exit(0);
