#!/usr/bin/env node
// Hot-path benchmark for the AES ciphers (issue 16): seal + open of one packet at 64 B, 1 KiB and
// 32 KiB payloads, for aes128-gcm@openssh.com, aes256-gcm@openssh.com and
// aes128-ctr + hmac-sha2-256-etm@openssh.com, comparing
//   ours on the node:crypto backend (what Node, Deno and Bun run), ours on the @noble backend
//   (browsers), ssh2's JavaScript path (node:crypto; what ssh2 runs without its add-on) and, for
//   reference, ssh2's C++ add-on.
// Every implementation is first cross-checked: same keys, sequence numbers and plaintext must give
// byte-identical wire bytes. Rounds interleave the implementations so that load from other
// processes spreads over all of them; the table shows the median round and the spread (min-max).
//
// Usage: node bench/hotpath-aes.mjs [--quick] [--wall] [--suite=aes128-gcm] [--payload=32768] [--json=FILE]
//   rates are per CPU second of this process (per wall second with --wall)
//   --quick (or BENCH_QUICK=1): 3 rounds of 40 ms instead of 7 rounds of 80 ms
import { build } from "esbuild";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { makeSsh2AesPair, ssh2AesAddonAvailable } from "./hotpath/ssh2-aes.mjs";
import { fmt, load, machine, median, quickMode, ratio, table } from "./lib/stats.mjs";

const quick = quickMode();
const ROUNDS = quick ? 3 : 7;
const ROUND_MS = quick ? 40 : 80;
const only = process.argv.find((a) => a.startsWith("--suite="))?.slice("--suite=".length);
const sizeArg = process.argv.find((a) => a.startsWith("--payload="))?.slice("--payload=".length);
const PAYLOADS = sizeArg ? [Number(sizeArg)] : [64, 1024, 32 * 1024];
const jsonOut = process.argv.find((a) => a.startsWith("--json="))?.slice("--json=".length);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Like hotpath/load-src.mjs, but node:* imports stay external: the node:crypto backend lives in
 * src/platform/node and is bundled the way a Node build ships it.
 */
async function importSrc(source) {
  const result = await build({
    stdin: { contents: source, resolveDir: root, loader: "ts", sourcefile: "bench-entry.ts" },
    bundle: true,
    format: "esm",
    platform: "neutral",
    external: ["node:*"],
    target: "es2022",
    write: false,
    logLevel: "error",
  });
  const dir = await mkdtemp(join(tmpdir(), "mcp-ssh-bench-"));
  const file = join(dir, "entry.mjs");
  try {
    await writeFile(file, result.outputFiles[0].text);
    return await import(pathToFileURL(file).href);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const src = await importSrc(`
  export { AesGcmCipher } from "./src/ssh/cipher/aes-gcm.ts";
  export { AesCtrCipher } from "./src/ssh/cipher/aes-ctr.ts";
  export { nobleAesBackend } from "./src/ssh/cipher/aes-noble.ts";
  export { nodeAesBackend } from "./src/platform/node/aes-node.ts";
  export { hmacSha256Etm } from "./src/ssh/mac/hmac.ts";
`);

const bytes = (n, m) => Uint8Array.from({ length: n }, (_, i) => (i * m + 11) & 0xff);
const SUITES = [
  { id: "aes128-gcm", cipher: "aes128-gcm@openssh.com", keyLength: 16, ivLength: 12, tagLength: 16, lengthInAlignment: false },
  { id: "aes256-gcm", cipher: "aes256-gcm@openssh.com", keyLength: 32, ivLength: 12, tagLength: 16, lengthInAlignment: false },
  { id: "aes128-ctr+etm", cipher: "aes128-ctr", mac: "hmac-sha2-256-etm@openssh.com", keyLength: 16, ivLength: 16, tagLength: 32, lengthInAlignment: false },
]
  .filter((s) => !only || s.id === only)
  .map((s) => ({ ...s, key: bytes(s.keyLength, 37), iv: bytes(s.ivLength, 53), macKey: bytes(32, 71) }));

/** Our PacketCipher for `suite` on `backend`. */
function ours(suite, backend) {
  if (!suite.mac) return new src.AesGcmCipher(suite.cipher, suite.key, suite.iv, backend);
  return new src.AesCtrCipher(suite.cipher, suite.key, suite.iv, src.hmacSha256Etm, suite.macKey, backend);
}

function implementations(suite) {
  const mine = (id, name, backend) => ({
    id,
    name,
    seal: (seq, buf) => {
      ours(suite, backend).seal(seq, buf);
      return buf;
    },
    prepare: (plain) => {
      const sender = ours(suite, backend);
      const receiver = ours(suite, backend);
      const buf = plain.slice();
      let seq = 0;
      return () => {
        sender.seal(seq, buf);
        receiver.decryptLength(seq, buf);
        receiver.open(seq, buf);
        seq = (seq + 1) >>> 0;
      };
    },
  });
  const list = [mine("ours", "mcp-ssh, node:crypto backend", src.nodeAesBackend), mine("noble", "mcp-ssh, @noble backend", src.nobleAesBackend)];
  for (const native of ssh2AesAddonAvailable ? [false, true] : [false]) {
    const opts = (seq) => ({ cipherName: suite.cipher, macName: suite.mac, key: suite.key, iv: suite.iv, macKey: suite.macKey, seq, native });
    list.push({
      id: native ? "ssh2-addon" : "ssh2",
      name: native ? "ssh2, C++ add-on (reference)" : "ssh2, JS path (node:crypto)",
      // ssh2's packets carry tag space only with the add-on (its allocPacket does the same)
      seal: async (seq, buf) => (await makeSsh2AesPair(opts(seq))).seal(native ? buf : buf.subarray(0, buf.length - suite.tagLength)),
      prepare: async (plain) => {
        const pair = await makeSsh2AesPair(opts(0));
        const body = native ? plain.slice() : plain.slice(0, plain.length - suite.tagLength);
        const packet = native ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.length);
        const pristine = Buffer.from(body);
        return () => pair.roundTrip(packet, pristine);
      },
    });
  }
  return list;
}

/** A plaintext packet as the encoder lays it out (block 16; length outside the alignment for GCM / -etm). */
function plainPacket(suite, payloadLength) {
  const unpadded = (suite.lengthInAlignment ? 4 : 0) + 1 + payloadLength;
  let pad = 16 - (unpadded % 16);
  if (pad < 4) pad += 16;
  const packetLength = 1 + payloadLength + pad;
  const buf = new Uint8Array(4 + packetLength + suite.tagLength);
  new DataView(buf.buffer).setUint32(0, packetLength);
  buf[4] = pad;
  for (let i = 5; i < 4 + packetLength; i++) buf[i] = (i * 131) & 0xff;
  return buf;
}

/** Every implementation must produce the same wire bytes; a benchmark of a wrong cipher means nothing. */
async function crossCheck(suite, impls) {
  for (const payload of PAYLOADS) {
    for (const seq of [0, 1, 0xffffffff]) {
      const plain = plainPacket(suite, payload);
      const expected = plain.slice();
      ours(suite, src.nobleAesBackend).seal(seq, expected);
      for (const impl of impls) {
        const out = await impl.seal(seq, plain.slice());
        if (Buffer.compare(Buffer.from(out), Buffer.from(expected)) !== 0) {
          throw new Error(`${suite.id}: ${impl.name} disagrees with @noble at payload ${payload}, seq ${seq}`);
        }
      }
    }
  }
}

/** CPU milliseconds (user + system) this process has used. */
function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Round trips per CPU second of `fn`, over about `ms` milliseconds of CPU, in batches of ~1 ms.
 * CPU time rather than wall time: on a shared machine wall time mostly measures the other
 * processes (with `--wall`, wall time as bench/hotpath.mjs measures it).
 */
const wall = process.argv.includes("--wall");
const clock = wall ? () => performance.now() : cpuMs;
function rate(fn, ms, batch) {
  const t0 = clock();
  let n = 0;
  let t = t0;
  do {
    for (let i = 0; i < batch; i++) fn();
    n += batch;
    t = clock();
  } while (t - t0 < ms);
  return (n * 1000) / (t - t0);
}

async function run() {
  console.log(`Hot path: AES seal + open of one packet (cross-checked: identical wire bytes)`);
  console.log(`${machine()}; ${ROUNDS} rounds of ${ROUND_MS} ms ${wall ? "wall" : "CPU"} time per cell, interleaved; load average ${load()}\n`);
  const results = [];
  for (const suite of SUITES) {
    const impls = implementations(suite);
    await crossCheck(suite, impls);
    for (const payload of PAYLOADS) {
      const plain = plainPacket(suite, payload);
      const cells = [];
      for (const impl of impls) {
        const fn = await impl.prepare(plain);
        const warm = rate(fn, 60, 1); // warm up the JIT and size a ~1 ms batch
        cells.push({ impl, fn, batch: Math.max(1, Math.round(warm / 1000)), rates: [] });
      }
      // each round starts with a different implementation, so none always runs right after another
      for (let r = 0; r < ROUNDS; r++) {
        for (let i = 0; i < cells.length; i++) {
          const c = cells[(i + r) % cells.length];
          c.rates.push(rate(c.fn, ROUND_MS, c.batch));
        }
      }
      for (const c of cells) results.push({ suite: suite.id, payload, id: c.impl.id, name: c.impl.name, rates: c.rates, median: median(c.rates) });
    }
  }
  const get = (suite, payload, id) => results.find((r) => r.suite === suite && r.payload === payload && r.id === id)?.median;
  const rows = results.map((r) => [
    r.suite,
    r.payload >= 1024 ? `${r.payload / 1024} KiB` : `${r.payload} B`,
    r.name,
    Math.round(r.median).toLocaleString("en-US"),
    `${Math.round(Math.min(...r.rates)).toLocaleString("en-US")}-${Math.round(Math.max(...r.rates)).toLocaleString("en-US")}`,
    fmt((r.median * r.payload) / 1e6, 1),
    ratio(r.median, get(r.suite, r.payload, "ssh2")),
  ]);
  console.log(table(["cipher", "payload", "implementation", wall ? "seal+open/s" : "seal+open/CPU s", "spread (min-max)", "MB/s", "vs ssh2 JS"], rows));
  const big = 32 * 1024;
  console.log(`\nload average after: ${load()} (other processes on these cores widen the spread)`);
  console.log("Targets (issue 16, hot path; medians of the rounds):");
  for (const suite of SUITES) {
    for (const payload of [1024, big]) {
      if (!PAYLOADS.includes(payload)) continue;
      const value = get(suite.id, payload, "ours") / get(suite.id, payload, "ssh2");
      console.log(`  ${value >= 1 ? "met    " : "NOT MET"}  ${suite.id} ${payload / 1024} KiB seal+open >= 1.0x ssh2 JS path: ${value.toFixed(2)}x`);
    }
  }
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ machine: machine(), load: load(), rounds: ROUNDS, roundMs: ROUND_MS, results }, null, 2));
}

await run();
