#!/usr/bin/env node
// Server load (issue 18): N concurrent SSH connections, each making M MCP calls (tools/call "add",
// one at a time, after initialize) to the fixture MCP server (fixtures/mcp/tools-server.mjs, built
// with the SDK), served by `mcp-ssh serve` vs by OpenSSH's sshd with ForceCommand, on the same
// run, same client (our SSHClient, one process), same kex, host key and cipher.
// Reports calls per second, per-call latency p50/p99, server CPU seconds and server RSS (peak sum),
// both over the server's own processes with the MCP children excluded (they are the same node
// program under both): serve is one process, sshd one per connection plus the listener.
//
// Usage: node bench/serve-load.mjs [--quick] [--connections=N] [--calls=M] [--dist | --worktree]
//   default 100 connections x 100 calls; --quick: 10 x 20.
//   default code: src/ as committed at HEAD (bundled); --dist: dist/; --worktree: uncommitted src/.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveCli, resolveLibrary } from "./lib/library.mjs";
import { sshVersion } from "./lib/openssh.mjs";
import { fmt, load, machine, percentile, quickMode, ratio, table } from "./lib/stats.mjs";
import { FORCED, sessionEnv } from "./lib/sshd.mjs";

const FIXTURE = fileURLToPath(new URL("../fixtures/mcp/tools-server.mjs", import.meta.url));
const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const quick = quickMode();
const CONNECTIONS = Number(arg("connections") ?? (quick ? 10 : 100));
const CALLS = Number(arg("calls") ?? (quick ? 20 : 100));

const library = await resolveLibrary("ssh");
const cli = await resolveCli();
const { SSHClient } = await import(library.path);

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * One connection: connect, exec, initialize, wait at `barrier` until every connection is ready,
 * then CALLS sequential calls; returns per-call ms.
 */
async function oneConnection(target, barrier) {
  const client = await SSHClient.connect({
    host: "127.0.0.1",
    port: target.port,
    username: target.username,
    privateKey: target.privateKey,
    knownHosts: `${target.knownHostsLine}\n`,
    algorithms: { kex: [FORCED.kex], cipher: [FORCED.cipher], hostKey: [FORCED.hostKey] },
    // 100 handshakes at once on a small shared machine: give every step time.
    readyTimeoutMs: 300_000,
    timeouts: { connectMs: 120_000, versionMs: 120_000, kexMs: 120_000, authMs: 120_000, channelOpenMs: 120_000 },
  });
  const ch = await client.exec("mcp");
  const writer = ch.stdin.getWriter();
  const reader = ch.stdout.getReader();
  let buf = "";
  const nextLine = async () => {
    for (;;) {
      const nl = buf.indexOf("\n");
      if (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        return line;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error("the MCP server's output ended");
      buf += dec.decode(value, { stream: true });
    }
  };
  const send = (m) => writer.write(enc.encode(`${JSON.stringify(m)}\n`));
  await send({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bench", version: "1" } } });
  await nextLine();
  await send({ jsonrpc: "2.0", method: "notifications/initialized" });
  await barrier();
  const times = [];
  for (let i = 1; i <= CALLS; i++) {
    const t0 = performance.now();
    await send({ jsonrpc: "2.0", id: i, method: "tools/call", params: { name: "add", arguments: { a: i, b: 1 } } });
    const reply = JSON.parse(await nextLine());
    times.push(performance.now() - t0);
    if (reply.result?.content?.[0]?.text !== String(i + 1)) throw new Error(`wrong answer: ${JSON.stringify(reply).slice(0, 200)}`);
  }
  await writer.close().catch(() => {});
  await client.close();
  return times;
}

/** Sum of VmRSS (KiB) over `pid` and its descendants whose command is `comm`. */
function treeRssKiB(pid, comm) {
  let total = 0;
  const visit = (p) => {
    let status;
    try {
      status = readFileSync(`/proc/${p}/status`, "utf8");
    } catch {
      return;
    }
    const name = /^Name:\s+(\S+)/m.exec(status)?.[1];
    if (name === comm) total += Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    let children = "";
    try {
      children = readdirSync(`/proc/${p}/task`).map((t) => readFileSync(`/proc/${p}/task/${t}/children`, "utf8")).join(" ");
    } catch {
      /* gone */
    }
    for (const c of children.split(/\s+/).filter(Boolean)) visit(Number(c));
  };
  visit(pid);
  return total;
}

function ownRssKiB(pid) {
  try {
    return Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** utime + stime of one process, in clock ticks (0 when it is gone). */
function ownTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

/** `pid` and its descendants whose command is `comm` (all when null). */
function treePids(pid, comm) {
  const out = [];
  const visit = (p) => {
    let name;
    try {
      name = /^Name:\s+(\S+)/m.exec(readFileSync(`/proc/${p}/status`, "utf8"))?.[1];
    } catch {
      return;
    }
    if (comm === null || name === comm) out.push(p);
    let children = "";
    try {
      children = readdirSync(`/proc/${p}/task`).map((t) => readFileSync(`/proc/${p}/task/${t}/children`, "utf8")).join(" ");
    } catch {
      /* gone */
    }
    for (const c of children.split(/\s+/).filter(Boolean)) visit(Number(c));
  };
  visit(pid);
  return out;
}

/**
 * Server CPU without the MCP children (the same node program under both servers): serve's own
 * process; for sshd the listener and every per-connection sshd process, sampled while they live
 * (each process's last sample counts; connections live for seconds, samples are 100 ms apart).
 */
function cpuTracker(serverPid, comm) {
  const last = new Map();
  const base = new Map();
  const sample = () => {
    for (const p of comm === null ? [serverPid] : treePids(serverPid, comm)) {
      const t = ownTicks(p);
      if (!base.has(p)) base.set(p, p === serverPid ? t : 0);
      if (t > 0) last.set(p, t);
    }
  };
  sample();
  return { sample, seconds: () => [...last].reduce((sum, [p, t]) => sum + (t - base.get(p)), 0) / 100 };
}

async function runLoad(target, serverPid, comm) {
  let peakRss = 0;
  const cpu = cpuTracker(serverPid, comm);
  const rssOf = () => (comm === null ? ownRssKiB(serverPid) : treeRssKiB(serverPid, comm));
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssOf());
    cpu.sample();
  }, 100);
  // Connections and MCP servers start first (timed apart); then every connection calls at once.
  let ready = 0;
  let release;
  const go = new Promise((r) => (release = r));
  let t1 = 0;
  const barrier = () => {
    if (++ready === CONNECTIONS) {
      t1 = performance.now();
      release();
    }
    return go;
  };
  const t0 = performance.now();
  const all = await Promise.all(Array.from({ length: CONNECTIONS }, () => oneConnection(target, barrier)));
  const seconds = (performance.now() - t1) / 1000;
  const startSeconds = (t1 - t0) / 1000;
  cpu.sample();
  clearInterval(sampler);
  const times = all.flat();
  return { calls: times.length, startSeconds, seconds, callsPerSec: times.length / seconds, p50: percentile(times, 50), p99: percentile(times, 99), cpu: cpu.seconds(), rssMiB: peakRss / 1024 };
}

async function startServe() {
  const dir = mkdtempSync(join(tmpdir(), "mcp-ssh-bench-serve-"));
  const run = (args) =>
    new Promise((resolve, reject) => {
      const c = spawn(process.execPath, [cli.path, ...args], { stdio: "pipe" });
      let err = "";
      c.stderr.on("data", (d) => (err += d));
      c.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(err))));
    });
  await run(["keygen", "--file", join(dir, "host_key")]);
  await run(["keygen", "--file", join(dir, "client_key")]);
  writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "client_key.pub")), { mode: 0o600 });
  const child = spawn(
    process.execPath,
    [
      // BENCH_SERVE_PROF=DIR: profile serve (node --cpu-prof).
      ...(process.env.BENCH_SERVE_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_SERVE_PROF}`] : []),
      cli.path, "serve", "--host", "127.0.0.1", "--port", "0",
      "--host-key", join(dir, "host_key"), "--authorized-keys", join(dir, "authorized_keys"),
      "--max-startups", String(CONNECTIONS + 10), "--max-connections", String(CONNECTIONS + 10), "--login-grace-time", "300",
      "--log-level", "info",
      "--", process.execPath, FIXTURE,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  child.stderr.setEncoding("utf8").on("data", (d) => (log += d));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${log}`)), 30_000);
    const poll = setInterval(() => {
      const m = /serving MCP over SSH on \S+ port (\d+)/.exec(log);
      if (m) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    }, 20);
  });
  const hostKey = readFileSync(join(dir, "host_key.pub"), "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
  return {
    target: { port, username: "mcp", privateKey: readFileSync(join(dir, "client_key"), "utf8"), knownHostsLine: `[127.0.0.1]:${port} ${hostKey}` },
    pid: child.pid,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 500));
      try {
        process.kill(child.pid, "SIGKILL");
      } catch {
        /* gone */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startSshdForced() {
  // bench/lib/sshd.mjs's config with a ForceCommand (which that harness does not take) and limits
  // raised for the connection count.
  const { startPrivateSshd, knownHostsLine, sshKeygen, findSshKeygen } = await import("../scripts/lib/private-sshd.mjs");
  const { userInfo } = await import("node:os");
  const dir = mkdtempSync(join(tmpdir(), "mcp-ssh-bench-sshd-load-"));
  const keygen = findSshKeygen();
  const hostKey = join(dir, "ssh_host_ed25519_key");
  const clientKey = join(dir, "id_ed25519");
  sshKeygen(hostKey, "bench-host", keygen);
  sshKeygen(clientKey, "bench-client", keygen);
  writeFileSync(join(dir, "authorized_keys"), readFileSync(`${clientKey}.pub`), { mode: 0o600 });
  const server = await startPrivateSshd({
    dir,
    hostKey,
    extraConfig: [
      `KexAlgorithms ${FORCED.kex}`,
      `Ciphers ${FORCED.cipher}`,
      `HostKeyAlgorithms ${FORCED.hostKey}`,
      `PubkeyAcceptedAlgorithms ${FORCED.hostKey}`,
      "PrintLastLog no",
      "Compression no",
      `MaxStartups ${CONNECTIONS + 10}`,
      "MaxSessions 10",
      "LoginGraceTime 300",
      "LogLevel ERROR",
      sessionEnv(dir),
      `ForceCommand ${process.execPath} ${FIXTURE}`,
    ],
  });
  return {
    target: { port: server.port, username: userInfo().username, privateKey: readFileSync(clientKey, "utf8"), knownHostsLine: knownHostsLine(server.port, `${hostKey}.pub`) },
    pid: server.child.pid,
    async stop() {
      server.child.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 500));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

console.log(`# serve-load: ${CONNECTIONS} concurrent SSH connections x ${CALLS} MCP calls each`);
console.log(`machine: ${machine()}; load before: ${load()}`);
console.log(`client: ${library.description}; serve: ${cli.description}; sshd: ${await sshVersion()}`);
console.log(`algorithms: ${FORCED.kex}, ${FORCED.hostKey}, ${FORCED.cipher}`);

const results = {};
for (const [name, start, comm] of [
  ["mcp-ssh serve", startServe, null],
  ["OpenSSH sshd", startSshdForced, "sshd"],
]) {
  const server = await start();
  try {
    // serve is one process (its MCP children are node, not counted); sshd: the listener plus one
    // process per connection (comm "sshd"). The MCP children cost the same under both.
    results[name] = await runLoad(server.target, server.pid, comm);
  } finally {
    await server.stop();
  }
}

const s = results["mcp-ssh serve"];
const o = results["OpenSSH sshd"];
console.log();
console.log(
  table(
    ["", "mcp-ssh serve", "OpenSSH sshd", "serve / sshd"],
    [
      ["calls", s.calls, o.calls, ""],
      ["connect + start MCP servers, s", fmt(s.startSeconds, 2), fmt(o.startSeconds, 2), ratio(s.startSeconds, o.startSeconds)],
      ["calls wall s", fmt(s.seconds, 2), fmt(o.seconds, 2), ratio(s.seconds, o.seconds)],
      ["calls/s", fmt(s.callsPerSec, 0), fmt(o.callsPerSec, 0), ratio(s.callsPerSec, o.callsPerSec)],
      ["p50 ms", fmt(s.p50, 2), fmt(o.p50, 2), ratio(s.p50, o.p50)],
      ["p99 ms", fmt(s.p99, 2), fmt(o.p99, 2), ratio(s.p99, o.p99)],
      ["server CPU s (MCP children excluded)", fmt(s.cpu, 2), fmt(o.cpu, 2), ratio(s.cpu, o.cpu)],
      ["server RSS MiB (peak, MCP children excluded)", fmt(s.rssMiB, 1), fmt(o.rssMiB, 1), ratio(s.rssMiB, o.rssMiB)],
    ],
  ),
);
console.log(`load after: ${load()}`);
process.exit(0);
