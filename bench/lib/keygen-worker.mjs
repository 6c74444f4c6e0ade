// sntrup761 key generation in a fresh Node process (spawned by bench/kex-handshake.mjs with a
// JSON spec { library, n, connected }): the first call (cold JIT, first-use allocations) and then
// `n` warm calls, wall time and CPU of each. Prints one JSON line. With `connected`, the process
// first does what a connection has done before its key exchange starts: drawn random bytes (the
// KEXINIT cookie; Node sets up its WebCrypto on the first getRandomValues, ~8 ms here) and
// instantiated the transport's ChaCha20-Poly1305 WebAssembly kernel (the first WebAssembly module
// of a process also starts V8's WebAssembly engine, ~10 ms here); so that first call is the one a
// first sntrup761 handshake sees. Where the build has the WebAssembly
// kernel (initSntrup761Kernel), the first call includes its instantiation, as the key exchange's
// first use does: awaited inside the timed span, CPU of every thread of the process included
// (process.cpuUsage), so background compilation counts too.
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";

const spec = JSON.parse(process.argv[2]);
const lib = await import(pathToFileURL(spec.library).href);
if (typeof lib.sntrup761KeyPair !== "function") {
  process.stdout.write(`${JSON.stringify({ missing: "this build exports no sntrup761KeyPair (src/ssh/crypto/sntrup761.ts)" })}\n`);
  process.exit(0);
}
const once = async (init) => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let initMs;
  if (init) {
    await init();
    const c = process.cpuUsage(c0);
    initMs = { wallMs: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
  }
  const { publicKey } = lib.sntrup761KeyPair();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  if (publicKey.length !== 1158) throw new Error(`public key of ${publicKey.length} bytes`);
  return { wallMs, cpuMs: (c.user + c.system) / 1000, init: initMs };
};
if (spec.connected) {
  crypto.getRandomValues(new Uint8Array(16));
  await lib.initWasmCipher?.();
}
const init = typeof lib.initSntrup761Kernel === "function" ? lib.initSntrup761Kernel : null;
const first = await once(init);
const warm = [];
for (let i = 0; i < spec.n; i++) warm.push(await once(null));
process.stdout.write(`${JSON.stringify({ first, warm, kernel: init ? await init() : false })}\n`);
process.exit(0);
