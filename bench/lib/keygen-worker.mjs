// sntrup761 key generation in a fresh Node process (spawned by bench/kex-handshake.mjs with a
// JSON spec { library, n }): the first call (cold JIT, first-use allocations) and then `n` warm
// calls, wall time and CPU of each. Prints one JSON line.
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";

const spec = JSON.parse(process.argv[2]);
const lib = await import(pathToFileURL(spec.library).href);
if (typeof lib.sntrup761KeyPair !== "function") {
  process.stdout.write(`${JSON.stringify({ missing: "this build exports no sntrup761KeyPair (src/ssh/crypto/sntrup761.ts)" })}\n`);
  process.exit(0);
}
const once = () => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const { publicKey } = lib.sntrup761KeyPair();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  if (publicKey.length !== 1158) throw new Error(`public key of ${publicKey.length} bytes`);
  return { wallMs, cpuMs: (c.user + c.system) / 1000 };
};
const first = once();
const warm = Array.from({ length: spec.n }, once);
process.stdout.write(`${JSON.stringify({ first, warm })}\n`);
process.exit(0);
