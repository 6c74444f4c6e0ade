#!/usr/bin/env node
// End-to-end MCP over HTTP benchmark (issue 19): one Streamable HTTP MCP server (the SDK's, with
// the stdio fixture's echo tool: bench/lib/http-mcp-server.mjs) on 127.0.0.1, and tools/call round
// trips to it by every route, in the same run, against the same private sshd:
//   http       the SDK's Client + StreamableHTTPClientTransport straight to the server (Node's
//              fetch, keep-alive): what the same server costs without SSH
//   http-url   the SDK's Client + StdioClientTransport spawning `mcp-ssh --http-url URL` (the CLI
//              bridges stdio to the server through direct-tcpip channels of one SSH connection)
//   ssh-stdio  the stdio path: the SDK's Client + StdioClientTransport spawning `mcp-ssh --command`,
//              sshd running the stdio fixture (fixtures/mcp/tools-server.mjs, the same echo tool)
//   ssh-fetch  the library route: StreamableHTTPClientTransport with sshFetch over an SSHClient in
//              the client's own process (no CLI process in between)
//   stdio      the stdio fixture spawned locally, no SSH: the floor of the stdio path
// Each route runs in a fresh Node process (bench/lib/mcp-worker.mjs): sequential calls (p50, p90,
// client CPU per call: the worker plus, for the CLI routes, the mcp-ssh process), then bursts of
// concurrent calls (calls/s). Twice: with a small text and with a 64 KiB one (request and answer
// each carry it). The tables print ratios to plain local HTTP and to the stdio path; absolute
// times follow, but the machine is shared, so compare ratios from the same run.
// Why the SDK's server and not @modelcontextprotocol/server-everything: the same McpServer and
// echo tool then serve the HTTP routes and (over stdio) the stdio path, so only the transport
// differs; server-everything's echo is a different tool, and it sends log and resource-update
// notifications on timers, which land inside some calls and not others.
//
// Usage: node bench/e2e-http.mjs [--quick] [--only=http,http-url,...] [--dist | --worktree | --rev=REV]
//          [--profile[=DIR]] [--json=FILE]
//   --quick (or BENCH_QUICK=1): 100 calls in one process per route and payload, one burst of 20
//   default code: src/ as committed at HEAD (library and CLI bundled like dist; see lib/library.mjs)
//   --profile: the mcp-ssh CLI of the http-url route and the ssh-fetch worker under `node --cpu-prof`
//   (default dir /tmp/mcp-ssh-prof); summarise with bench/lib/cpuprofile-summary.mjs
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startHttpMcpServer } from "./lib/http-server-process.mjs";
import { resolveCli, resolveLibrary } from "./lib/library.mjs";
import { sshVersion } from "./lib/openssh.mjs";
import { fmt, load, machine, median, percentile, quickMode, ratio, table } from "./lib/stats.mjs";
import { FORCED, startBenchSshd } from "./lib/sshd.mjs";
import { runWorker } from "./lib/worker.mjs";

const WORKER = fileURLToPath(new URL("./lib/mcp-worker.mjs", import.meta.url));
const FIXTURE = fileURLToPath(new URL("../fixtures/mcp/tools-server.mjs", import.meta.url));
const arg = (name) => process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`))?.split("=")[1];

const quick = quickMode();
const SIZE = quick ? { n: 100, warmup: 10, concurrent: 20, rounds: 1, repeat: 1 } : { n: 250, warmup: 25, concurrent: 50, rounds: 2, repeat: 2 };
const PAYLOADS = [
  { name: "small", bytes: 0 },
  { name: "64 KiB", bytes: 64 * 1024 },
];
const LABEL = {
  http: "plain local HTTP (StreamableHTTPClientTransport)",
  "http-url": "mcp-ssh --http-url (CLI, sshFetch)",
  "ssh-stdio": "stdio path: mcp-ssh --command (CLI)",
  "ssh-fetch": "sshFetch + StreamableHTTPClientTransport in-process",
  stdio: "local stdio, no SSH (floor of the stdio path)",
};
const ROUTES = (arg("only") ?? Object.keys(LABEL).join(",")).split(",");
for (const r of ROUTES) if (!LABEL[r]) throw new Error(`unknown route ${r}; routes: ${Object.keys(LABEL).join(", ")}`);
const profileDir = process.argv.includes("--profile") ? "/tmp/mcp-ssh-prof" : arg("profile");
if (profileDir) mkdirSync(profileDir, { recursive: true });

const library = await resolveLibrary("index");
const cli = await resolveCli();
const server = await startBenchSshd();
let httpServer;
const results = { quick, size: SIZE, machine: machine(), date: new Date().toISOString(), runs: {} };

try {
  httpServer = await startHttpMcpServer();
  const { url } = httpServer;
  console.log(`# End to end: MCP over HTTP through SSH (issue 19)${quick ? " (quick)" : ""}\n`);
  console.log(`Machine: ${results.machine}`);
  console.log(`Server: ${await sshVersion()} sshd on 127.0.0.1 (forced ${FORCED.kex}, ${FORCED.hostKey}, ${FORCED.cipher}); the SDK's Streamable HTTP server at ${url}`);
  console.log(`Library: ${library.description}`);
  console.log(`CLI: ${cli.description}`);
  results.loadStart = load();
  console.log(`Load average at start: ${results.loadStart}`);
  // The server side of every route: the HTTP server, sshd's connection processes and what they run.
  const serverSide = { pids: [httpServer.child.pid], treesOf: [server.pid] };

  // Interleaved: every route and payload once per round, the lowest p50 kept, so that load from
  // elsewhere on the machine hits a round of every route rather than all of one.
  for (let round = 0; round < SIZE.repeat; round++) {
    for (const payload of PAYLOADS) {
      for (const route of ROUTES) {
        const spec = { client: `http-${route}`, task: `roundtrip-${payload.bytes}`, ...routeSpecs(url, payload)[route], payload: payload.bytes, serverSide, ...SIZE };
        const run = await runWorker(WORKER, spec, { profileDir: route === "ssh-fetch" ? profileDir : undefined });
        const key = `${payload.name}/${route}`;
        const previous = results.runs[key];
        if (!previous || median(run.rttMs) < median(previous.rttMs)) results.runs[key] = run;
      }
    }
  }
  for (const payload of PAYLOADS) report(payload);
  results.loadEnd = load();
  console.log(`\nLoad average at end: ${results.loadEnd}`);
  const json = arg("json");
  if (json) writeFileSync(json, JSON.stringify(results, null, 2));
} finally {
  httpServer?.child.kill("SIGTERM");
  await server.stop();
  library.cleanup();
}

function routeSpecs(url, payload) {
  const node = process.execPath;
  const profile = (name) => (profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=cli-${name}-${payload.bytes}-${Date.now()}.cpuprofile`] : []);
  const viaCli = (name, extra) => [
    ...(name === "http-url" ? profile(name) : []),
    cli.path,
    "--ssh-config", "none",
    "--host", server.host,
    "--port", String(server.port),
    "--username", server.username,
    "--client-key", server.clientKeyPath,
    "--known-hosts", server.knownHostsPath,
    "--log-level", "error",
    ...extra,
  ];
  const { host, port, username, privateKey, fingerprint } = server;
  return {
    http: { transport: "http", url },
    "http-url": { transport: "command", command: node, args: viaCli("http-url", ["--http-url", url]) },
    "ssh-stdio": { transport: "command", command: node, args: viaCli("ssh-stdio", ["--command", `${node} ${FIXTURE}`]) },
    "ssh-fetch": { transport: "ssh-fetch", url, library: library.path, server: { host, port, username, privateKey, fingerprint } },
    stdio: { transport: "stdio", node, fixture: FIXTURE },
  };
}

function report(payload) {
  const r = (route) => results.runs[`${payload.name}/${route}`];
  const p50 = (route) => median(r(route).rttMs);
  const p90 = (route) => percentile(r(route).rttMs, 90);
  const cpu = (route) => r(route).cpuMsPerCall;
  const allCpu = (route) => r(route).cpuMsPerCall + r(route).serverCpuMsPerCall;
  const callsPerSec = (route) => SIZE.concurrent / (median(r(route).burstMs) / 1000);
  // A ratio to a route that did not run (--only) prints "-".
  const to = (f, route, base) => (r(base) ? ratio(f(route), f(base)) : "-");
  const text = payload.bytes ? `a ${payload.name} text` : "a small text";
  console.log(`\n## tools/call echo with ${text}: ratios (${SIZE.n} sequential after ${SIZE.warmup} warm-up; ${SIZE.rounds} burst(s) of ${SIZE.concurrent}; best p50 of ${SIZE.repeat} process(es))\n`);
  console.log(
    "Time and CPU: above 1.00x is slower / costlier than the reference; calls/s: below 1.00x is fewer. Client CPU: the client's\n" +
      "process and, for the CLI routes, mcp-ssh's; all CPU: that plus the server side (the HTTP server, sshd's connection\n" +
      "processes and the stdio server they run), per sequential call. CPU is the steadier measure on a busy machine.\n",
  );
  console.log(
    table(
      [
        "route",
        "p50 / HTTP",
        "p50 / stdio path",
        "p90 / HTTP",
        "p90 / stdio path",
        "client CPU / HTTP",
        "client CPU / stdio path",
        "all CPU / HTTP",
        "all CPU / stdio path",
        "calls/s / HTTP",
        "calls/s / stdio path",
      ],
      ROUTES.map((route) => [
        LABEL[route],
        to(p50, route, "http"),
        to(p50, route, "ssh-stdio"),
        to(p90, route, "http"),
        to(p90, route, "ssh-stdio"),
        to(cpu, route, "http"),
        to(cpu, route, "ssh-stdio"),
        to(allCpu, route, "http"),
        to(allCpu, route, "ssh-stdio"),
        to(callsPerSec, route, "http"),
        to(callsPerSec, route, "ssh-stdio"),
      ]),
    ),
  );
  console.log(`\nAbsolute, this run only:\n`);
  console.log(
    table(
      ["route", "p50 ms", "p90 ms", "client CPU ms/call", "of which mcp-ssh process", "server side CPU ms/call", `calls/s (${SIZE.concurrent} concurrent)`, "connect + initialize ms"],
      ROUTES.map((route) => [
        LABEL[route],
        fmt(p50(route), 3),
        fmt(p90(route), 3),
        fmt(cpu(route), 3),
        r(route).childCpuMsPerCall ? fmt(r(route).childCpuMsPerCall, 3) : "",
        fmt(r(route).serverCpuMsPerCall, 3),
        fmt(callsPerSec(route), 0),
        fmt(r(route).connectMs),
      ]),
    ),
  );
}
