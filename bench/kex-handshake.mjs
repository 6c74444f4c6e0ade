#!/usr/bin/env node
// Handshake per key exchange (issue 17, and issue 16's handshake CPU goal): connect, kex, auth,
// exec `true`, close, against OpenSSH 10.0's sshd (scripts/fetch-openssh10.sh), for every kex
// method of ours among mlkem768x25519-sha256, sntrup761x25519-sha512 (both names),
// curve25519-sha256, ecdh-sha2-nistp256 and diffie-hellman-group16-sha512 (those the measured
// build's kex table has), with an ed25519 user key; plus ecdh-sha2-nistp256 with an RSA-3072 user
// key made by `ssh-keygen -t rsa`; and, for reference, ecdh-sha2-nistp384/521, dh-group14-sha256,
// dh-group18-sha512 and dh-group-exchange-sha256 (ours only). Compared in the same run with ssh2
// (curve25519-sha256, and ecdh-sha2-nistp256 + RSA-3072) and OpenSSH 10.0's `ssh` (a whole
// process per handshake), and with
// --baseline=REV our client at that commit (curve25519-sha256, all it speaks before the refactor).
// Host key ssh-ed25519 and cipher chacha20-poly1305@openssh.com for all.
//   wall time (median, p90) and client CPU per handshake (mean), `n` handshakes after `warmup` in
//   one fresh process per row and round; rounds interleaved over the rows and pooled
//   sntrup761 key generation: `sntrup761KeyPair` in a fresh process, first call and warm median
//
// Usage: node bench/kex-handshake.mjs [--quick] [-n N] [--repeat=N] [--openssh=10.0|9.2]
//          [--no-openssh] [--no-others] [--kex=NAME,...] [--dist | --worktree | --rev=REV] [--baseline=REV]
//          [--profile[=DIR]] [--json=FILE]
//   --quick (or BENCH_QUICK=1): 6 handshakes after 2 per row, one round, 5 warm key generations
//   default: 20 after 3, two rounds, 30 warm key generations; -n N: N handshakes per row and round
//   --no-others: leave out the classic methods without a goal (nistp384/521, dh-group14/18, gex)
//   --kex=NAME,...: only our rows for these methods (the ssh2 and OpenSSH rows stay, for the ratios)
//   --profile: run our client's workers under `node --cpu-prof` (default dir /tmp/mcp-ssh-prof;
//   bench/lib/cpuprofile-summary.mjs summarises the files)
//   --openssh=9.2: the system's sshd instead (no mlkem768x25519-sha256 there, sntrup761 only
//   under its @openssh.com name)
import { writeFileSync } from "node:fs";
import { pathToFileURL, fileURLToPath } from "node:url";
import { baselineRev, resolveBaseline, resolveLibrary } from "./lib/library.mjs";
import { sshHandshakes, sshVersion } from "./lib/openssh.mjs";
import { fmt, load, machine, median, percentile, quickMode, ratio, table } from "./lib/stats.mjs";
import { openssh10, startBenchSshd } from "./lib/sshd.mjs";
import { runWorker } from "./lib/worker.mjs";

const WORKER = fileURLToPath(new URL("./lib/ssh-worker.mjs", import.meta.url));
const KEYGEN = fileURLToPath(new URL("./lib/keygen-worker.mjs", import.meta.url));
const arg = (name) => process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`))?.split("=")[1];

const MLKEM = "mlkem768x25519-sha256";
const SNTRUP = "sntrup761x25519-sha512";
const SNTRUP_OPENSSH = "sntrup761x25519-sha512@openssh.com";
const CURVE = "curve25519-sha256";
const NISTP256 = "ecdh-sha2-nistp256";
const DH16 = "diffie-hellman-group16-sha512";
// The other classic methods (the earlier kex-handshake.mjs's list): ours only, no goal.
const OTHERS = ["ecdh-sha2-nistp384", "ecdh-sha2-nistp521", "diffie-hellman-group14-sha256", "diffie-hellman-group18-sha512", "diffie-hellman-group-exchange-sha256"];
const WANTED = [MLKEM, SNTRUP, SNTRUP_OPENSSH, CURVE, NISTP256, DH16, ...OTHERS];
const PQ = new Set([MLKEM, SNTRUP, SNTRUP_OPENSSH]);
const RSA_BITS = 3072;

const quick = quickMode();
const nArg = process.argv.indexOf("-n");
const SIZE = quick ? { n: 6, warmup: 2, keygen: 5 } : { n: 20, warmup: 3, keygen: 30 };
if (nArg > 0) SIZE.n = Number(process.argv[nArg + 1]);
const REPEAT = Number(arg("repeat") ?? (quick ? 1 : 2));
const FIRST_RUNS = quick ? 1 : 3;
const version = arg("openssh") ?? "10.0";
const withOpenssh = !process.argv.includes("--no-openssh");
const sshClient = version === "10.0" ? openssh10()?.ssh : "ssh";
if (version === "10.0" && !sshClient) throw new Error("OpenSSH 10.0 is not unpacked: run `bash scripts/fetch-openssh10.sh`");
const serverKex = version === "10.0" ? WANTED : WANTED.filter((k) => k !== MLKEM && k !== SNTRUP);

const library = await resolveLibrary("ssh");
const baseline = await resolveBaseline("ssh");
const lib = await import(pathToFileURL(library.path).href);
const ourKex = lib.kexMethods?.names ?? [CURVE];
const server = await startBenchSshd({ kex: serverKex, rsaBits: RSA_BITS, openssh: version === "10.0" ? "10.0" : undefined });
const results = { quick, size: SIZE, repeat: REPEAT, machine: machine(), date: new Date().toISOString(), rows: {}, skipped: [], keygen: null };

// Rows: id -> { client, kex, key, label }.
const rows = [];
const add = (client, kex, key, label) => rows.push({ id: `${client} ${kex} ${key}`, client, kex, key, label });
const noOthers = process.argv.includes("--no-others");
const onlyKex = arg("kex")?.split(",");
const profileDir = process.argv.includes("--profile") ? "/tmp/mcp-ssh-prof" : arg("profile");
for (const kex of WANTED.filter((k) => serverKex.includes(k) && !(noOthers && OTHERS.includes(k)) && (!onlyKex || onlyKex.includes(k)))) {
  if (ourKex.includes(kex)) add("ours", kex, "ed25519", "mcp-ssh (ours)");
  else results.skipped.push(`${kex}: not in the kex table of ${library.description.replace(/, bundled.*/, "")}`);
}
const rsaProblem = await rsaKeyProblem();
// With an RSA user key: the goal's row, and curve25519 + RSA to tell the two costs apart.
if (!rsaProblem) add("ours", CURVE, "rsa", "mcp-ssh (ours)");
if (ourKex.includes(NISTP256) && !rsaProblem) add("ours", NISTP256, "rsa", "mcp-ssh (ours)");
else results.skipped.push(`${NISTP256} + RSA-${RSA_BITS} user key (ours): ${[!ourKex.includes(NISTP256) && `no ${NISTP256} in our kex table`, rsaProblem].filter(Boolean).join("; ")}`);
if (baseline) add("ours-baseline", CURVE, "ed25519", `mcp-ssh at ${baselineRev()} (baseline)`);
add("ssh2-js", CURVE, "ed25519", "ssh2, JS path");
add("ssh2-js", NISTP256, "rsa", "ssh2, JS path");
if (withOpenssh) {
  for (const kex of [MLKEM, SNTRUP_OPENSSH, CURVE].filter((k) => serverKex.includes(k))) add("openssh", kex, "ed25519", `OpenSSH ${version} ssh (process)`);
  add("openssh", NISTP256, "rsa", `OpenSSH ${version} ssh (process)`);
}

console.log(`# Handshake per key exchange${quick ? " (quick)" : ""}\n`);
console.log(`Machine: ${results.machine}`);
console.log(`Server: ${await sshVersion(version === "10.0" ? sshClient : "ssh")} sshd on 127.0.0.1 (${server.sshd}); kex ${serverKex.join(", ")}; ssh-ed25519 host key; chacha20-poly1305@openssh.com`);
console.log(`Library: ${library.description}; its kex table: ${ourKex.join(", ")}`);
if (baseline) console.log(`Baseline: ${baseline.description}`);
results.loadStart = load();
console.log(`Load average at start: ${results.loadStart}`);

try {
  // First calls vary from process to process: the median of FIRST_RUNS fresh processes, in a bare
  // process and in one that has done a connection's earlier first uses (keygen-worker.mjs).
  const firstRuns = async (connected) => {
    const runs = [];
    for (let i = 0; i < FIRST_RUNS; i++) runs.push(await runWorker(KEYGEN, { client: "keygen", library: library.path, n: i === 0 ? SIZE.keygen : 0, connected }));
    return runs;
  };
  const bare = await firstRuns(false);
  results.keygen = bare[0].missing ? bare[0] : { ...bare[0], firsts: bare.map((r) => r.first), connectedFirsts: (await firstRuns(true)).map((r) => r.first) };
  for (let round = 0; round < REPEAT; round++) {
    for (const row of rows) {
      const r = await measure(row);
      const pooled = results.rows[row.id] ?? { ...row, wallMs: [], cpuMs: [] };
      pooled.wallMs.push(...r.wallMs);
      pooled.cpuMs.push(...r.cpuMs);
      if (r.describe) pooled.describe = r.describe;
      results.rows[row.id] = pooled;
    }
  }
  report();
  results.loadEnd = load();
  console.log(`\nLoad average at end: ${results.loadEnd}`);
  const json = arg("json");
  if (json) writeFileSync(json, JSON.stringify(results, null, 2));
} finally {
  await server.stop();
  library.cleanup();
  baseline?.cleanup();
}

/** Why our client cannot use the RSA key (a sentence), or null when it parses. */
async function rsaKeyProblem() {
  if (typeof lib.parsePrivateKey !== "function") return "this build exports no parsePrivateKey";
  try {
    await lib.parsePrivateKey(server.rsaPrivateKey);
    return null;
  } catch (e) {
    const why = e.message.split("\n")[0];
    return `not measurable: an \`ssh-keygen -t rsa -b ${RSA_BITS}\` key does not load (${why.length > 90 ? `${why.slice(0, 90)}...` : why})`;
  }
}

async function measure(row) {
  if (row.client === "openssh") {
    const r = await sshHandshakes(server, SIZE, { ssh: sshClient, algorithms: { kex: row.kex }, identity: row.key === "rsa" ? server.rsaKeyPath : undefined });
    // The kernel's accounting gives the mean only: repeat it per handshake for pooling.
    return { wallMs: r.wallMs, cpuMs: r.wallMs.map(() => r.meanCpuMs) };
  }
  const { host, port, username, privateKey, fingerprint, forced } = server;
  const r = await runWorker(WORKER, {
    client: row.client,
    task: "handshake",
    n: SIZE.n,
    warmup: SIZE.warmup,
    library: row.client === "ours-baseline" ? baseline.path : library.path,
    server: { host, port, username, privateKey, fingerprint, forced },
    algorithms: { kex: row.kex },
    privateKey: row.key === "rsa" ? server.rsaPrivateKey : privateKey,
  }, { profileDir: row.client.startsWith("ours") ? profileDir : undefined });
  const got = r.negotiated?.kex;
  if (got && got !== row.kex) throw new Error(`${row.label} negotiated ${got}, not ${row.kex}`);
  return r;
}

function report() {
  const r = results.rows;
  const get = (client, kex, key = "ed25519") => r[`${client} ${kex} ${key}`];
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const cpu = (x) => (x ? mean(x.cpuMs) : NaN);
  const wall = (x) => (x ? median(x.wallMs) : NaN);
  const ssh2 = get("ssh2-js", CURVE);
  const oursCurve = get("ours", CURVE);
  console.log(`\n## Handshakes: connect, kex, auth, exec \`true\`, close (${SIZE.n} after ${SIZE.warmup} warm-up, ${REPEAT} round(s) pooled)\n`);
  console.log(
    table(
      ["client", "kex", "user key", "median ms", "p90 ms", "client CPU ms (mean)", "CPU / ssh2 curve25519", "CPU / ours curve25519"],
      Object.values(r).map((x) => [
        x.label,
        x.kex,
        x.key === "rsa" ? `RSA-${RSA_BITS}` : "ed25519",
        fmt(wall(x)),
        fmt(percentile(x.wallMs, 90)),
        fmt(cpu(x)),
        x === ssh2 ? "" : ratio(cpu(x), cpu(ssh2)),
        x.client === "openssh" || x === oursCurve ? "" : ratio(cpu(x), cpu(oursCurve)),
      ]),
    ),
  );
  console.log(
    "\nIn-process clients: a fresh Node process per row and round, CPU from process.cpuUsage() per handshake. OpenSSH: the whole `ssh` process (spawn to exit), CPU the kernel's accounting of reaped children (mean only).",
  );
  for (const s of results.skipped) console.log(`- not measured: ${s}`);
  const described = new Map(Object.values(r).filter((x) => x.describe).map((x) => [x.label, x.describe]));
  for (const [label, d] of described) console.log(`- ${label}: ${d}`);

  const k = results.keygen;
  console.log(`\n## sntrup761 key generation (\`sntrup761KeyPair\`, src/ssh/crypto/sntrup761.ts, fresh process)\n`);
  if (k.missing) console.log(k.missing);
  else {
    console.log(
      table(
        ["call", "wall ms", "CPU ms"],
        [
          [`first, fresh process (median of ${k.firsts.length})${k.kernel ? ", with the WebAssembly kernel's instantiation" : ""}`, fmt(median(k.firsts.map((f) => f.wallMs)), 2), fmt(median(k.firsts.map((f) => f.cpuMs)), 2)],
          ...(k.kernel ? [["  of which the instantiation", fmt(median(k.firsts.map((f) => f.init.wallMs)), 2), fmt(median(k.firsts.map((f) => f.init.cpuMs)), 2)]] : []),
          [`first, after a connection's earlier first uses (median of ${k.connectedFirsts.length})`, fmt(median(k.connectedFirsts.map((f) => f.wallMs)), 2), fmt(median(k.connectedFirsts.map((f) => f.cpuMs)), 2)],
          [`warm, median of ${k.warm.length}`, fmt(median(k.warm.map((w) => w.wallMs)), 2), fmt(median(k.warm.map((w) => w.cpuMs)), 2)],
          [`warm, fastest`, fmt(Math.min(...k.warm.map((w) => w.wallMs)), 2), fmt(Math.min(...k.warm.map((w) => w.cpuMs)), 2)],
        ],
      ),
    );
  }

  if (baseline && get("ours-baseline", CURVE)) {
    const b = get("ours-baseline", CURVE);
    const pq = get("ours", MLKEM) ?? get("ours", SNTRUP);
    const lines = [
      [`curve25519-sha256, both`, fmt(wall(oursCurve)), fmt(wall(b)), ratio(wall(oursCurve), wall(b)), fmt(cpu(oursCurve)), fmt(cpu(b)), ratio(cpu(oursCurve), cpu(b))],
    ];
    if (pq) lines.push([`new on ${pq.kex} (its default with this sshd)`, fmt(wall(pq)), fmt(wall(b)), ratio(wall(pq), wall(b)), fmt(cpu(pq)), fmt(cpu(b)), ratio(cpu(pq), cpu(b))]);
    console.log(`\n## New vs baseline ${baselineRev()} (issue 15)\n`);
    console.log(table(["handshake", "new median ms", "baseline ms", "new / baseline", "new CPU ms", "baseline CPU ms", "new / baseline CPU"], lines));
  }

  const goals = [];
  const yes = (ok) => (ok ? "yes" : "NO");
  for (const kex of [MLKEM, SNTRUP, SNTRUP_OPENSSH]) {
    const x = get("ours", kex);
    if (!x || !ssh2) continue;
    const q = cpu(x) / cpu(ssh2);
    goals.push([`${kex} handshake CPU <= 1.1x ssh2's curve25519-sha256`, `${q.toFixed(2)}x (${cpu(x).toFixed(1)} vs ${cpu(ssh2).toFixed(1)} ms)`, yes(q <= 1.1)]);
  }
  if (!k.missing) {
    // Judged on CPU time: on a shared machine wall time also counts other processes' turns.
    const warm = median(k.warm.map((w) => w.cpuMs));
    const warmWall = median(k.warm.map((w) => w.wallMs));
    goals.push(["sntrup761 key generation < 10 ms, warm (CPU)", `${warm.toFixed(2)} ms CPU, ${warmWall.toFixed(2)} ms wall (medians)`, yes(warm < 10)]);
    const first = median(k.firsts.map((f) => f.cpuMs));
    const firstWall = median(k.firsts.map((f) => f.wallMs));
    goals.push(["sntrup761 key generation < 10 ms, first call, fresh process (CPU)", `${first.toFixed(2)} ms CPU, ${firstWall.toFixed(2)} ms wall (medians)`, yes(first < 10)]);
    const conn = median(k.connectedFirsts.map((f) => f.cpuMs));
    const connWall = median(k.connectedFirsts.map((f) => f.wallMs));
    goals.push(["sntrup761 key generation < 10 ms, first call after a connection's first uses (CPU)", `${conn.toFixed(2)} ms CPU, ${connWall.toFixed(2)} ms wall (medians)`, yes(conn < 10)]);
    // The same first call without the kernel's instantiation, a once-per-process cost of loading
    // code (as the import of the module is), not of making a key: what the issue's "key generation
    // stays under 10 ms" measures for the first exchange.
    const inits = k.connectedFirsts.filter((f) => f.init);
    if (inits.length > 0) {
      const gen = median(inits.map((f) => f.cpuMs - f.init.cpuMs));
      const genWall = median(inits.map((f) => f.wallMs - f.init.wallMs));
      goals.push(["sntrup761 key generation < 10 ms, that first call without the kernel's one-time instantiation (CPU)", `${gen.toFixed(2)} ms CPU, ${genWall.toFixed(2)} ms wall (medians)`, yes(gen < 10)]);
    }
  }
  const rsa = get("ours", NISTP256, "rsa");
  if (rsa && oursCurve) {
    const q = cpu(rsa) / cpu(oursCurve);
    const w = wall(rsa) / wall(oursCurve);
    goals.push([`${NISTP256} + RSA-${RSA_BITS} <= 1.5x curve25519 + ed25519 (CPU)`, `${q.toFixed(2)}x (${cpu(rsa).toFixed(1)} vs ${cpu(oursCurve).toFixed(1)} ms)`, yes(q <= 1.5)]);
    goals.push([`${NISTP256} + RSA-${RSA_BITS} <= 1.5x curve25519 + ed25519 (wall)`, `${w.toFixed(2)}x (${wall(rsa).toFixed(1)} vs ${wall(oursCurve).toFixed(1)} ms)`, yes(w <= 1.5)]);
  } else {
    goals.push([`${NISTP256} + RSA-${RSA_BITS} <= 1.5x curve25519 + ed25519`, "not measurable with this build (see \"not measured\" above)", "-"]);
  }
  results.goals = goals;
  console.log(`\n## Goals (issues 16, 17)\n`);
  console.log(table(["goal", "measured", "met"], goals));
}
