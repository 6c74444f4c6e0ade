#!/usr/bin/env node
// End-to-end SSH benchmark (issue 7, part 2): mcp-ssh vs ssh2 (in-process) vs OpenSSH `ssh` (whole
// process) against one private sshd on 127.0.0.1 that forces curve25519-sha256, ssh-ed25519 and
// chacha20-poly1305@openssh.com, so every client runs the same algorithms.
//   handshake  connect, kex, auth, exec `true`, close: median and p90, client CPU per handshake
//   transfer   download (`head -c N /dev/zero`) and upload (into `cat > /dev/null`): MB/s, CPU s/GB
//              (OpenSSH through a ControlMaster, its handshake outside the timing);
//              each client `--repeat` times (default 2), rounds interleaved, the fastest run kept
//   rss        peak client RSS during a large download; each client `--repeat` times (default 2,
//              rounds interleaved), the median run kept (RSS moves with GC timing)
// Every in-process client runs in a fresh Node process per task (bench/lib/ssh-worker.mjs).
//
// Usage: node bench/e2e-ssh.mjs [--quick] [--only=handshake,transfer,rss] [--repeat=N]
//          [--clients=ours,ours-baseline,ours-noble,ssh2-js,ssh2-native,openssh]
//          [--dist | --worktree | --rev=REV] [--baseline=REV] [--profile[=DIR]] [--json=FILE]
//   --quick (or BENCH_QUICK=1): 8 handshakes, 32 MiB transfers run once, 128 MiB RSS run
//   default code: src/ as committed at HEAD; --dist: dist/ (npx tsup); --worktree: uncommitted src/;
//   --rev=REV: src/ at another commit
//   --baseline=REV: also "ours-baseline", our client built from src/ at REV, measured in the same
//   run (handshake and transfers, not RSS), and a table of new / baseline (issue 15). Both force
//   the sshd's curve25519-sha256, so a newer default kex (post-quantum) does not enter the ratio.
//   --profile: run our client's workers under `node --cpu-prof` (default dir /tmp/mcp-ssh-prof)
// "ours-noble" is our client with chacha20-poly1305@openssh.com pinned to @noble/ciphers and the curves to @noble/curves (the
// fallback where WebAssembly is unavailable); it is left out of the RSS run, which only the
// default cipher has a target for.
import { createRequire } from "node:module";
import { closeSync, openSync, rmSync, writeSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { baselineRev, librarySource, resolveBaseline, resolveLibrary } from "./lib/library.mjs";
import { runSsh, sshHandshakes, sshMaster, sshVersion } from "./lib/openssh.mjs";
import { GiB, MiB, fmt, load, machine, mbPerSec, median, percentile, quickMode, ratio, table } from "./lib/stats.mjs";
import { FORCED, startBenchSshd } from "./lib/sshd.mjs";
import { runWorker } from "./lib/worker.mjs";
import { evaluateSshTargets } from "./lib/ssh-targets.mjs";

const WORKER = fileURLToPath(new URL("./lib/ssh-worker.mjs", import.meta.url));
const require = createRequire(import.meta.url);
const arg = (name) => process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`))?.split("=")[1];

const quick = quickMode();
const SIZE = quick
  ? { n: 8, warmup: 2, transfer: 32 * MiB, rss: 128 * MiB }
  : { n: 30, warmup: 3, transfer: 256 * MiB, rss: GiB };
const only = (arg("only") ?? "handshake,transfer,rss").split(",");
const REPEAT = Number(arg("repeat") ?? (quick ? 1 : 2));
const ssh2Native = require("ssh2/lib/protocol/crypto.js").bindingAvailable;
const library = await resolveLibrary("ssh");
const baseline = await resolveBaseline("ssh");
const defaultClients = [
  "ours",
  ...(baseline ? ["ours-baseline"] : []),
  ...(librarySource() === "dist" ? [] : ["ours-noble"]),
  "ssh2-js",
  ...(ssh2Native ? ["ssh2-native"] : []),
  "openssh",
];
const clients = arg("clients")?.split(",") ?? defaultClients;
if (clients.includes("ours-baseline") && !baseline) throw new Error("the ours-baseline client needs --baseline=REV");
const profileDir = process.argv.includes("--profile") ? "/tmp/mcp-ssh-prof" : arg("profile");
const LABEL = {
  ours: "mcp-ssh (ours)",
  "ours-baseline": `mcp-ssh at ${baselineRev()} (baseline)`,
  "ours-noble": "mcp-ssh, @noble pinned",
  "ssh2-js": "ssh2, JS path",
  "ssh2-native": "ssh2, native add-on",
  openssh: "OpenSSH ssh (process)",
};
const isOurs = (c) => c.startsWith("ours");
const server = await startBenchSshd();
const results = { quick, size: SIZE, machine: machine(), date: new Date().toISOString(), describe: {}, handshake: {}, download: {}, upload: {}, rss: {} };
const worker = (client, task, extra = {}) =>
  runWorker(
    WORKER,
    { client, task, library: client === "ours-baseline" ? baseline.path : library.path, server: serverSpec(), ...extra },
    { profileDir: isOurs(client) ? profileDir : undefined },
  );
function serverSpec() {
  const { host, port, username, privateKey, fingerprint } = server;
  return { host, port, username, privateKey, fingerprint };
}

console.log(`# End to end: SSH${quick ? " (quick)" : ""}\n`);
console.log(`Machine: ${results.machine}`);
console.log(`Server: ${await sshVersion()} sshd on 127.0.0.1; forced ${FORCED.kex}, ${FORCED.hostKey}, ${FORCED.cipher}`);
console.log(`Library: ${library.description}`);
if (baseline) console.log(`Baseline: ${baseline.description}`);
results.loadStart = load();
console.log(`Load average at start: ${results.loadStart}`);
if (profileDir) console.log(`CPU profiles of our workers: ${profileDir}`);

let uploadFile;
try {
  if (only.includes("handshake")) await handshakes();
  if (only.includes("transfer")) await transfers();
  if (only.includes("rss")) await rss();
  for (const [c, d] of Object.entries(results.describe)) console.log(`- ${LABEL[c]}: ${d}`);
  if (clients.includes("ours") && clients.includes("ours-baseline")) newVsBaseline();
  results.loadEnd = load();
  console.log(`Load average at end: ${results.loadEnd}`);
  results.targets = {};
  // Targets are for the client as shipped; the @noble-pinned run is a reference.
  for (const ours of clients.filter((c) => c === "ours")) {
    const targets = evaluateSshTargets(results, ours);
    results.targets[ours] = targets;
    console.log(`\n## Targets (issue 7): ${LABEL[ours]}\n`);
    console.log(table(["target", "measured", "met"], targets.map((t) => [t.target, t.measured, t.met])));
  }
  const json = arg("json");
  if (json) writeFileSync(json, JSON.stringify(results, null, 2));
} finally {
  if (uploadFile) rmSync(uploadFile, { force: true });
  await server.stop();
  library.cleanup();
  baseline?.cleanup();
}

/** Issue 15: this commit against the baseline commit, same run, same sshd and algorithms. */
function newVsBaseline() {
  const rows = [];
  const row = (what, now, then, better) => rows.push([what, fmt(now, 2), fmt(then, 2), ratio(now, then), Number.isFinite(now / then) ? (better(now, then) ? "better" : "worse or equal") : "-"]);
  const h = results.handshake;
  if (h.ours && h["ours-baseline"]) {
    row("handshake median ms", median(h.ours.wallMs), median(h["ours-baseline"].wallMs), (a, b) => a < b);
    row("client CPU ms per handshake (mean)", h.ours.cpuMsMean, h["ours-baseline"].cpuMsMean, (a, b) => a < b);
  }
  for (const kind of ["download", "upload"]) {
    const t = results[kind];
    if (!t.ours || !t["ours-baseline"]) continue;
    row(`${kind} MB/s`, mbPerSec(t.ours.bytes, t.ours.seconds), mbPerSec(t["ours-baseline"].bytes, t["ours-baseline"].seconds), (a, b) => a > b);
    const perGB = (r) => r.cpuSeconds / (r.bytes / 1e9);
    row(`${kind} client CPU s/GB`, perGB(t.ours), perGB(t["ours-baseline"]), (a, b) => a < b);
  }
  if (rows.length === 0) return;
  results.newVsBaseline = rows;
  console.log(`\n## New vs baseline (issue 15): ${library.description.replace(/, bundled.*/, "")} / ${baseline.description.replace(/, bundled.*/, "")}\n`);
  console.log(table(["measure", "new", "baseline", "new / baseline", "new is"], rows));
  console.log(`\nBoth builds force ${FORCED.kex}, ${FORCED.hostKey} and ${FORCED.cipher} (the sshd accepts nothing else); each runs in its own processes, interleaved with the other clients.`);
}

async function handshakes() {
  for (const c of clients) {
    if (c === "openssh") {
      const r = await sshHandshakes(server, SIZE);
      results.handshake[c] = { wallMs: r.wallMs, cpuMsMean: r.meanCpuMs };
    } else {
      const r = await worker(c, "handshake", { n: SIZE.n, warmup: SIZE.warmup });
      results.describe[c] = r.describe;
      results.handshake[c] = {
        wallMs: r.wallMs,
        cpuMsMean: r.cpuMs.reduce((a, b) => a + b, 0) / r.cpuMs.length,
        cpuMsMedian: median(r.cpuMs),
        userMsMean: r.userMsMean,
        systemMsMean: r.systemMsMean,
      };
    }
  }
  const h = results.handshake;
  const ours = h.ours ? median(h.ours.wallMs) : NaN;
  console.log(`\n## Handshake: connect, kex, auth, exec \`true\`, close (${SIZE.n} after ${SIZE.warmup} warm-up)\n`);
  console.log(
    table(
      ["client", "median ms", "p90 ms", "client CPU ms/handshake (mean)", "user / system ms (warm-up incl.)", "ours median / this"],
      clients.map((c) => [
        LABEL[c],
        fmt(median(h[c].wallMs)),
        fmt(percentile(h[c].wallMs, 90)),
        fmt(h[c].cpuMsMean),
        h[c].userMsMean === undefined ? "-" : `${fmt(h[c].userMsMean)} / ${fmt(h[c].systemMsMean)}`,
        isOurs(c) ? "" : ratio(ours, median(h[c].wallMs)),
      ]),
    ),
  );
  console.log("\nOpenSSH: wall time from spawn to exit of the whole `ssh` process; its CPU is the kernel's accounting of the reaped processes (mean).");
}

async function transfers() {
  uploadFile = join(tmpdir(), `mcp-ssh-bench-upload-${process.pid}`);
  writeZeros(uploadFile, SIZE.transfer);
  // Rounds are interleaved so that a burst of load from other processes on the machine hits one
  // round of every client rather than every run of one client.
  for (let round = 0; round < REPEAT; round++) {
    for (const kind of ["download", "upload"]) {
      for (const c of clients) {
        let run;
        await server.waitIdle();
        const serverCpu0 = server.sessionCpuSeconds();
        if (c === "openssh") {
          const command = kind === "download" ? `head -c ${SIZE.transfer} /dev/zero` : "cat > /dev/null";
          // Through a fresh ControlMaster, so that ssh's handshake is outside the timing as the
          // in-process clients' is (subtracting a median handshake went negative under load).
          const master = await sshMaster(server);
          try {
            const r = await master.run(command, kind === "upload" ? { stdinPath: uploadFile } : {});
            run = { bytes: SIZE.transfer, seconds: r.seconds, cpuSeconds: r.cpuSeconds };
          } finally {
            await master.stop();
          }
        } else {
          const r = await worker(c, kind, { bytes: SIZE.transfer });
          results.describe[c] = r.describe;
          run = { bytes: r.bytes, seconds: r.seconds, cpuSeconds: r.cpuSeconds };
        }
        run.serverCpuSeconds = (await server.waitIdle()) ? server.sessionCpuSeconds() - serverCpu0 : NaN;
        const runs = [...(results[kind][c]?.runs ?? []), run];
        const best = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
        results[kind][c] = { ...best, runs };
      }
    }
  }
  // NaN for a client not in this run (--clients without ours): its ratios print as "-".
  const rate = (r) => (r ? mbPerSec(r.bytes, r.seconds) : NaN);
  const cpuPerGB = (r) => r.cpuSeconds / (r.bytes / 1e9);
  const serverPerGB = (r) => r.serverCpuSeconds / (r.bytes / 1e9);
  const { download: d, upload: u } = results;
  console.log(`\n## Throughput: ${SIZE.transfer / MiB} MiB over one channel (fastest of ${REPEAT})\n`);
  console.log(
    table(
      ["client", "download MB/s", "ours / this", "download CPU s/GB", "server CPU s/GB", "upload MB/s", "ours / this", "upload CPU s/GB", "server CPU s/GB"],
      clients.map((c) => [
        LABEL[c],
        fmt(rate(d[c])),
        isOurs(c) ? "" : ratio(rate(d.ours), rate(d[c])),
        fmt(cpuPerGB(d[c]), 2),
        fmt(serverPerGB(d[c]), 2),
        fmt(rate(u[c])),
        isOurs(c) ? "" : ratio(rate(u.ours), rate(u[c])),
        fmt(cpuPerGB(u[c]), 2),
        fmt(serverPerGB(u[c]), 2),
      ]),
    ),
  );
  console.log("\nIn-process clients: timed from exec to exit status (handshake excluded). OpenSSH: a fresh `ssh -M -N` ControlMaster per run, timed from spawning a multiplexing `ssh -S` for the command to its exit, CPU the master's plus the mux client's. CPU s/GB is that of the fastest run. Server CPU: the whole session on the server (sshd and `head`/`cat`), handshake included.");
}

async function rss() {
  const rssClients = clients.filter((c) => c !== "ours-noble" && c !== "ours-baseline");
  const runs = Object.fromEntries(rssClients.map((c) => [c, []]));
  for (let round = 0; round < REPEAT; round++) {
    for (const c of rssClients) {
      if (c === "openssh") {
        const r = await runSsh(server, `head -c ${SIZE.rss} /dev/zero`, { peakRss: true });
        runs[c].push({ bytes: SIZE.rss, seconds: r.seconds, maxRss: r.maxRss });
      } else {
        const r = await worker(c, "rss", { bytes: SIZE.rss });
        results.describe[c] = r.describe;
        runs[c].push(r);
      }
    }
  }
  for (const c of rssClients) {
    const sorted = [...runs[c]].sort((a, b) => a.maxRss - b.maxRss);
    results.rss[c] = { ...sorted[(sorted.length - 1) >> 1], runs: runs[c] };
  }
  const mb = (b) => fmt(b / MiB, 1);
  const x = results.rss;
  const growth = (r) => (r.rssBefore ? mb(r.maxRss - r.rssBefore) : "-");
  const split = (r) => (r.split ? `${mb(r.split.after.mallocHeap - r.split.before.mallocHeap)} / ${mb(r.split.after.anonymous - r.split.before.anonymous)}` : "-");
  console.log(`\n## Peak client RSS during a ${SIZE.rss / MiB} MiB download (median of ${REPEAT})\n`);
  console.log(
    table(
      ["client", "peak RSS MiB (getrusage)", "all runs", "RSS before exec MiB", "growth MiB", "growth: malloc heap / anon. maps MiB", "at peak: V8 heap / ArrayBuffers MiB", "MB/s"],
      rssClients.map((c) => [
        LABEL[c],
        mb(x[c].maxRss),
        x[c].runs.map((r) => mb(r.maxRss)).join(", "),
        x[c].rssBefore ? mb(x[c].rssBefore) : "-",
        growth(x[c]),
        split(x[c]),
        x[c].atPeak ? `${mb(x[c].atPeak.heapTotal)} / ${mb(x[c].atPeak.arrayBuffers)}` : "-",
        fmt(mbPerSec(x[c].bytes, x[c].seconds)),
      ]),
    ),
  );
  console.log(
    "\nIn-process: a fresh Node process per client; getrusage's maxRSS includes Node's own start-up; growth is maxRSS minus the RSS after connecting, split by /proc/self/smaps before and after the download into the malloc heap (ArrayBuffer backing stores: socket reads, received data) and other anonymous mappings (V8's heap pages). OpenSSH: /usr/bin/time %M (MB/s includes its handshake).",
  );
}

function writeZeros(path, bytes) {
  const fd = openSync(path, "w");
  const block = new Uint8Array(MiB);
  for (let left = bytes; left > 0; left -= block.length) writeSync(fd, block, 0, Math.min(block.length, left));
  closeSync(fd);
}
