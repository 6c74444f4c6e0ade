#!/usr/bin/env node
// Hot-path benchmark (issue 7, part 1): seal + open of one chacha20-poly1305@openssh.com packet at
// 64 B, 1 KiB and 32 KiB payloads, packets/s and MB/s, for
//   ours (WebAssembly kernel, SIMD; and its scalar fallback), @noble/ciphers alone (our noble
//   PacketCipher), ssh2's own cipher/decipher (its JavaScript path: node:crypto ChaCha20 + Poly1305
//   in WebAssembly; and its C++ add-on for reference), libsodium's WebAssembly build.
// Every implementation is first cross-checked: same key, sequence number and plaintext must give
// byte-identical wire bytes. Rounds interleave the implementations so that load from other
// processes spreads over all of them; the table shows the median round and the spread (min-max).
//
// Usage: node bench/hotpath.mjs [--quick] [--json=FILE]
//   --quick (or BENCH_QUICK=1): 3 rounds of 60 ms instead of 9 rounds of 120 ms
import { writeFileSync } from "node:fs";
import { importSrc } from "./hotpath/load-src.mjs";
import { makeSsh2Pair, ssh2AddonAvailable } from "./hotpath/ssh2-cipher.mjs";
import { loadSodium, makeSodiumCipher } from "./hotpath/sodium-cipher.mjs";
import { fmt, load, machine, median, quickMode, ratio, table } from "./lib/stats.mjs";

const quick = quickMode();
const ROUNDS = quick ? 3 : 9;
const ROUND_MS = quick ? 60 : 120;
const PAYLOADS = [64, 1024, 32 * 1024];
const jsonOut = process.argv.find((a) => a.startsWith("--json="))?.slice("--json=".length);

const src = await importSrc(`
  export { ChaCha20Poly1305 } from "./src/ssh/cipher/chacha20-poly1305.ts";
  export { ChaCha20Poly1305Wasm } from "./src/ssh/cipher/chacha20-poly1305-wasm.ts";
  export { loadKernel } from "./src/ssh/cipher/wasm/loader.ts";
`);
const sodium = await loadSodium();
const key = Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff);

/** A PacketCipher pair (sender, receiver) as one round trip on a reusable buffer. */
function packetCipherRoundTrip(makeCipher) {
  const sender = makeCipher();
  const receiver = makeCipher();
  let seq = 0;
  return {
    seal: (s, buf) => makeCipher().seal(s, buf),
    prepare: (plain) => {
      const buf = plain.slice();
      return () => {
        sender.seal(seq, buf);
        receiver.open(seq, buf);
        seq = (seq + 1) >>> 0;
      };
    },
  };
}

async function implementations() {
  const simd = await src.loadKernel("simd");
  const scalar = await src.loadKernel("scalar");
  const list = [
    { id: "ours", name: "mcp-ssh wasm (SIMD)", ...packetCipherRoundTrip(() => new src.ChaCha20Poly1305Wasm(key, simd)) },
    { id: "ours-scalar", name: "mcp-ssh wasm (scalar fallback)", ...packetCipherRoundTrip(() => new src.ChaCha20Poly1305Wasm(key, scalar)) },
    { id: "noble", name: "@noble/ciphers (our noble cipher)", ...packetCipherRoundTrip(() => new src.ChaCha20Poly1305(key)) },
  ];
  for (const native of ssh2AddonAvailable ? [false, true] : [false]) {
    list.push({
      id: native ? "ssh2-addon" : "ssh2",
      name: native ? "ssh2, C++ add-on (reference)" : "ssh2, JS path (no add-on)",
      seal: async (s, buf) => {
        const pair = await makeSsh2Pair(key, s, { native });
        // ssh2's packets carry tag space only with the add-on (its allocPacket does the same)
        return pair.seal(native ? buf : buf.subarray(0, buf.length - 16));
      },
      prepare: async (plain, payloadLength) => {
        const pair = await makeSsh2Pair(key, 0, { native });
        const packet = pair.allocPacket(payloadLength);
        const body = plain.subarray(0, plain.length - 16);
        packet.set(body);
        const pristine = Buffer.from(packet);
        return () => pair.roundTrip(packet, pristine);
      },
    });
  }
  list.push({
    id: "libsodium",
    name: "libsodium-sumo 0.8 (wasm)",
    seal: (s, buf) => makeSodiumCipher(sodium, key, buf.length).seal(s, buf),
    prepare: (plain) => {
      const c = makeSodiumCipher(sodium, key, plain.length);
      const buf = plain.slice();
      let seq = 0;
      return () => {
        c.seal(seq, buf);
        c.open(seq, buf);
        seq = (seq + 1) >>> 0;
      };
    },
  });
  return list;
}

/** A plaintext packet as the encoder lays it out (RFC 4253 §6, length not in the alignment). */
function plainPacket(payloadLength) {
  let pad = 8 - ((1 + payloadLength) % 8);
  if (pad < 4) pad += 8;
  const packetLength = 1 + payloadLength + pad;
  const buf = new Uint8Array(4 + packetLength + 16);
  new DataView(buf.buffer).setUint32(0, packetLength);
  buf[4] = pad;
  for (let i = 5; i < 4 + packetLength; i++) buf[i] = (i * 131) & 0xff;
  return buf;
}

/** Every implementation must produce our wire bytes; a benchmark of a wrong cipher means nothing. */
async function crossCheck(impls) {
  for (const payload of PAYLOADS) {
    for (const seq of [0, 1, 0xffffffff]) {
      const plain = plainPacket(payload);
      const expected = plain.slice();
      new src.ChaCha20Poly1305(key).seal(seq, expected);
      for (const impl of impls) {
        const buf = plain.slice();
        const out = (await impl.seal(seq, buf)) ?? buf;
        if (Buffer.compare(Buffer.from(out), Buffer.from(expected)) !== 0) {
          throw new Error(`${impl.name} disagrees with @noble at payload ${payload}, seq ${seq}`);
        }
      }
    }
  }
}

/** Round trips per second of `fn`, over about `ms` milliseconds, in batches of ~1 ms. */
function rate(fn, ms, batch) {
  const t0 = performance.now();
  let n = 0;
  let t = t0;
  do {
    for (let i = 0; i < batch; i++) fn();
    n += batch;
    t = performance.now();
  } while (t - t0 < ms);
  return (n * 1000) / (t - t0);
}

async function run() {
  const impls = await implementations();
  await crossCheck(impls);
  console.log(`Hot path: chacha20-poly1305@openssh.com seal + open of one packet (cross-checked: identical wire bytes)`);
  console.log(`${machine()}; ${ROUNDS} rounds of ${ROUND_MS} ms per cell, interleaved; load average ${load()}\n`);
  const results = [];
  for (const payload of PAYLOADS) {
    const plain = plainPacket(payload);
    const cells = [];
    for (const impl of impls) {
      const fn = await impl.prepare(plain, payload);
      const warm = rate(fn, 100, 1); // warm up the JIT and size a ~1 ms batch
      cells.push({ impl, fn, batch: Math.max(1, Math.round(warm / 1000)), rates: [] });
    }
    for (let r = 0; r < ROUNDS; r++) for (const c of cells) c.rates.push(rate(c.fn, ROUND_MS, c.batch));
    for (const c of cells) results.push({ payload, id: c.impl.id, name: c.impl.name, rates: c.rates, median: median(c.rates) });
  }
  const get = (payload, id) => results.find((r) => r.payload === payload && r.id === id)?.median;
  const rows = results.map((r) => [
    r.payload >= 1024 ? `${r.payload / 1024} KiB` : `${r.payload} B`,
    r.name,
    Math.round(r.median).toLocaleString("en-US"),
    `${Math.round(Math.min(...r.rates)).toLocaleString("en-US")}-${Math.round(Math.max(...r.rates)).toLocaleString("en-US")}`,
    fmt((r.median * r.payload) / 1e6, 1),
    ratio(r.median, get(r.payload, "ssh2")),
    ratio(r.median, get(r.payload, "noble")),
  ]);
  console.log(table(["payload", "implementation", "seal+open/s", "spread (min-max)", "MB/s", "vs ssh2 JS", "vs noble"], rows));

  const big = 32 * 1024;
  const targets = [
    ["32 KiB seal+open >= 1.0x ssh2 JS path", get(big, "ours") / get(big, "ssh2"), 1.0],
    ["32 KiB seal+open >= 6x @noble", get(big, "ours") / get(big, "noble"), 6.0],
    ["64 B packets/s >= 3x @noble", get(64, "ours") / get(64, "noble"), 3.0],
  ];
  console.log(`\nload average after: ${load()} (other processes on these cores widen the spread)`);
  console.log("Targets (issue 7, hot path; medians of the rounds):");
  for (const [what, value, goal] of targets) console.log(`  ${value >= goal ? "met    " : "NOT MET"}  ${what}: ${value.toFixed(2)}x`);
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ machine: machine(), load: load(), rounds: ROUNDS, roundMs: ROUND_MS, results }, null, 2));
}

await run();
