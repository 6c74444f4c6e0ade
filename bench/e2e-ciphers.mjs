#!/usr/bin/env node
// End-to-end downloads per cipher (issue 16): aes128-gcm@openssh.com, and aes128-ctr with
// hmac-sha2-256-etm@openssh.com, through mcp-ssh vs ssh2 (its pure-JS path, and its native add-on
// where it is built) vs OpenSSH `ssh` (whole process), all against one private sshd that accepts
// exactly these (kex curve25519-sha256, host key ssh-ed25519); each client forces one cipher (and
// MAC) per run, and the in-process clients check what was negotiated.
//   MB/s and client CPU per GB of `head -c N /dev/zero` read to the end; each client `--repeat`
//   times (default 2), rounds interleaved across clients and ciphers, the fastest run kept.
//   Goal per cipher: ours >= 1.0x ssh2's pure-JS path and >= 1.0x `ssh`.
//
// Usage: node bench/e2e-ciphers.mjs [--quick] [--repeat=N] [--clients=ours,ssh2-js,ssh2-native,openssh]
//          [--ciphers=gcm,ctr,chacha] [--dist | --worktree | --rev=REV] [--baseline=REV] [--profile[=DIR]] [--json=FILE]
//   --baseline=REV: also "ours-baseline", our client built from src/ at REV, in the same run and
//   interleaved with the others, so that a change is measured against the commit before it under
//   the same load (rows "ours / this" then read new / baseline)
//   --profile: run our client's workers under `node --cpu-prof` (default dir /tmp/mcp-ssh-prof;
//   bench/lib/cpuprofile-summary.mjs summarises the files)
//   --quick (or BENCH_QUICK=1): 32 MiB, once; default 256 MiB
//   chacha (chacha20-poly1305@openssh.com) is not in the default set; it is e2e-ssh's cipher and
//   here only for reference.
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { baselineRev, resolveBaseline, resolveLibrary } from "./lib/library.mjs";
import { sshMaster, sshVersion } from "./lib/openssh.mjs";
import { MiB, fmt, load, machine, mbPerSec, median, quickMode, ratio, table } from "./lib/stats.mjs";
import { startBenchSshd } from "./lib/sshd.mjs";
import { runWorker } from "./lib/worker.mjs";

const WORKER = fileURLToPath(new URL("./lib/ssh-worker.mjs", import.meta.url));
const require = createRequire(import.meta.url);
const arg = (name) => process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`))?.split("=")[1];

const CASES = {
  gcm: { label: "aes128-gcm@openssh.com", cipher: "aes128-gcm@openssh.com" },
  ctr: { label: "aes128-ctr + hmac-sha2-256-etm@openssh.com", cipher: "aes128-ctr", mac: "hmac-sha2-256-etm@openssh.com" },
  chacha: { label: "chacha20-poly1305@openssh.com (reference)", cipher: "chacha20-poly1305@openssh.com" },
};
const LABEL = { ours: "mcp-ssh (ours)", "ours-baseline": `mcp-ssh at ${baselineRev()} (baseline)`, "ssh2-js": "ssh2, JS path", "ssh2-native": "ssh2, native add-on", openssh: "OpenSSH ssh (ControlMaster)" };

const quick = quickMode();
const BYTES = (quick ? 32 : 256) * MiB;
const REPEAT = Number(arg("repeat") ?? (quick ? 1 : 2));
const cases = (arg("ciphers") ?? "gcm,ctr").split(",").map((k) => {
  if (!CASES[k]) throw new Error(`unknown cipher case ${k} (known: ${Object.keys(CASES).join(", ")})`);
  return [k, CASES[k]];
});
const ssh2Native = require("ssh2/lib/protocol/crypto.js").bindingAvailable;
const library = await resolveLibrary("ssh");
const baseline = await resolveBaseline("ssh");
const clients = arg("clients")?.split(",") ?? ["ours", ...(baseline ? ["ours-baseline"] : []), "ssh2-js", ...(ssh2Native ? ["ssh2-native"] : []), "openssh"];
if (clients.includes("ours-baseline") && !baseline) throw new Error("the ours-baseline client needs --baseline=REV");
const profileDir = process.argv.includes("--profile") ? "/tmp/mcp-ssh-prof" : arg("profile");

const server = await startBenchSshd({
  ciphers: cases.map(([, c]) => c.cipher),
  // MACs only matter for the non-AEAD cipher; sshd's default list when no case names one.
  macs: cases.some(([, c]) => c.mac) ? [...new Set(cases.map(([, c]) => c.mac).filter(Boolean))] : undefined,
});
const results = { quick, bytes: BYTES, repeat: REPEAT, machine: machine(), date: new Date().toISOString(), describe: {}, download: {} };

console.log(`# End to end: downloads per cipher${quick ? " (quick)" : ""}\n`);
console.log(`Machine: ${results.machine}`);
console.log(`Server: ${await sshVersion()} sshd on 127.0.0.1; curve25519-sha256, ssh-ed25519; ciphers ${cases.map(([, c]) => c.cipher).join(", ")}; MACs ${cases.map(([, c]) => c.mac).filter(Boolean).join(", ") || "(sshd's)"}`);
console.log(`Library: ${library.description}`);
if (baseline) console.log(`Baseline: ${baseline.description}`);
results.loadStart = load();
console.log(`Load average at start: ${results.loadStart}`);

try {
  for (let round = 0; round < REPEAT; round++) {
    for (const [key, c] of cases) {
      for (const client of clients) {
        await server.waitIdle();
        const serverCpu0 = server.sessionCpuSeconds();
        let run;
        if (client === "openssh") {
          // A fresh master per run, as the in-process clients get a fresh process: its handshake
          // happens before the timed command, as theirs does.
          const master = await sshMaster(server, { algorithms: pick(c) });
          try {
            const r = await master.run(`head -c ${BYTES} /dev/zero`);
            run = { bytes: BYTES, seconds: r.seconds, cpuSeconds: r.cpuSeconds };
          } finally {
            await master.stop();
          }
        } else {
          const r = await runWorker(
            WORKER,
            { client, task: "download", bytes: BYTES, library: client === "ours-baseline" ? baseline.path : library.path, server: serverSpec(), algorithms: pick(c) },
            { profileDir: client.startsWith("ours") ? profileDir : undefined },
          );
          results.describe[client] = r.describe;
          if (r.negotiated && r.negotiated.cipher?.serverToClient !== undefined) {
            // ours: { cipher: { serverToClient }, mac: { serverToClient } }
            check(client, c, r.negotiated.cipher.serverToClient, r.negotiated.mac?.serverToClient);
          } else if (r.negotiated) {
            check(client, c, r.negotiated.cipher, r.negotiated.mac);
          }
          run = { bytes: r.bytes, seconds: r.seconds, cpuSeconds: r.cpuSeconds, userSeconds: r.userSeconds, systemSeconds: r.systemSeconds };
        }
        run.serverCpuSeconds = (await server.waitIdle()) ? server.sessionCpuSeconds() - serverCpu0 : NaN;
        results.download[key] ??= {};
        const runs = [...(results.download[key][client]?.runs ?? []), run];
        const best = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
        results.download[key][client] = { ...best, runs };
      }
    }
  }
  report();
  for (const [c, d] of Object.entries(results.describe)) console.log(`- ${LABEL[c]}: ${d}`);
  results.loadEnd = load();
  console.log(`Load average at end: ${results.loadEnd}`);
  const json = arg("json");
  if (json) writeFileSync(json, JSON.stringify(results, null, 2));
} finally {
  await server.stop();
  library.cleanup();
  baseline?.cleanup();
}

function pick(c) {
  return { cipher: c.cipher, ...(c.mac ? { mac: c.mac } : {}) };
}

function serverSpec() {
  const { host, port, username, privateKey, fingerprint, forced } = server;
  return { host, port, username, privateKey, fingerprint, forced };
}

/** A client that negotiated something else than forced would make the row meaningless. */
function check(client, c, cipher, mac) {
  const macOk = !c.mac || mac === c.mac;
  if (cipher !== c.cipher || !macOk) throw new Error(`${client} negotiated ${cipher} / ${mac}, not ${c.cipher} / ${c.mac ?? "(AEAD)"}`);
}

function report() {
  const rate = (r) => mbPerSec(r.bytes, r.seconds);
  // CPU per GB: the median over all runs of a client (the fastest run is the least loaded one for
  // MB/s, but CPU per byte is what load disturbs least, and one run of it is still noisy).
  const perGB = (r, k) => median(r.runs.map((x) => x[k] / (x.bytes / 1e9)));
  const cpuPerGB = (r) => perGB(r, "cpuSeconds");
  const serverPerGB = (r) => perGB(r, "serverCpuSeconds");
  const goals = [];
  for (const [key, c] of cases) {
    const d = results.download[key];
    console.log(`\n## ${c.label}: ${BYTES / MiB} MiB download (MB/s: fastest of ${REPEAT}; CPU: median of ${REPEAT})\n`);
    console.log(
      table(
        ["client", "MB/s", "ours / this", "client CPU s/GB (median)", "user + sys s/GB", "this CPU / ours", "server CPU s/GB"],
        clients.map((cl) => [
          LABEL[cl],
          fmt(rate(d[cl])),
          cl === "ours" ? "" : ratio(rate(d.ours), rate(d[cl])),
          fmt(cpuPerGB(d[cl]), 2),
          d[cl].userSeconds === undefined ? "" : `${fmt(perGB(d[cl], "userSeconds"), 2)} + ${fmt(perGB(d[cl], "systemSeconds"), 2)}`,
          cl === "ours" ? "" : ratio(cpuPerGB(d[cl]), cpuPerGB(d.ours)),
          fmt(serverPerGB(d[cl]), 2),
        ]),
      ),
    );
    if (!d.ours) continue;
    for (const peer of ["ssh2-js", "openssh"].filter((p) => d[p])) {
      const x = rate(d.ours) / rate(d[peer]);
      goals.push([c.label, `>= 1.0x ${LABEL[peer]}`, `${x.toFixed(2)}x (${rate(d.ours).toFixed(0)} vs ${rate(d[peer]).toFixed(0)} MB/s)`, x >= 1.0 ? "yes" : "NO"]);
    }
    if (d["ssh2-js"]) {
      goals.push([c.label, "client CPU/GB <= ssh2, JS path", `${cpuPerGB(d.ours).toFixed(2)} vs ${cpuPerGB(d["ssh2-js"]).toFixed(2)} s/GB`, cpuPerGB(d.ours) <= cpuPerGB(d["ssh2-js"]) ? "yes" : "NO"]);
    }
  }
  console.log(
    "\nIn-process clients: exec to exit status on an open connection, a fresh Node process per run. OpenSSH: a fresh `ssh -M -N` ControlMaster per run, timed from spawning a multiplexing `ssh -S` for the command to its exit; CPU is the master's (it decrypts and writes to /dev/null) plus the mux client's. Server CPU: sshd and `head` for the whole session, handshake included.",
  );
  results.goals = goals;
  console.log(`\n## Goals (issue 16)\n`);
  console.log(table(["cipher", "goal", "measured", "met"], goals));
}
