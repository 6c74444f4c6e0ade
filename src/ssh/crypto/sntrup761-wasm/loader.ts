import { embeddedBytes } from "../../wire/embedded-bytes.js";
import { SNTRUP761_KERNEL_BASE64 } from "./kernel.generated.js";
import { Sntrup761Kernel, type KernelExports } from "./kernel.js";

/**
 * Loads the sntrup761 WebAssembly kernel (./*.wat, embedded by scripts/build-wasm.mjs; wrapped by
 * ./kernel.ts): the two inversions and the small-factor products, which are nearly all of
 * sntrup761's warm time, and the samplers, Encode/Decode, SHA-512 and the per-coefficient steps
 * between them, whose loops dominate a cold call (and make V8 optimize the JavaScript around them
 * at a high price). Their JavaScript versions in ../sntrup761*.ts are fast only once V8 has
 * optimized them, and the first key generation of a process runs before that (45-70 ms instead of
 * 5); WebAssembly is compiled ahead of its first call.
 *
 * Why asynchronous: Chrome refuses synchronous compilation of modules over 4 KB on the main
 * thread, and instantiating takes a moment in any case; so `initSntrup761Kernel()` compiles once
 * with `WebAssembly.instantiate` (the sntrup761 key exchange awaits it when it is negotiated, see
 * ../../kex/sntrup761x25519.ts), and the synchronous sntrup761 functions use the kernel when it is
 * there. Where WebAssembly or its SIMD is missing or forbidden (a CSP without 'wasm-unsafe-eval'),
 * instantiation fails and the JavaScript runs.
 */

let loading: Promise<Sntrup761Kernel | null> | undefined;
let loaded: Sntrup761Kernel | null = null;
let enabled = true;

/**
 * Instantiate the kernel once (later calls cost one resolved promise). Resolves to whether the
 * sntrup761 functions now use it: false where WebAssembly or SIMD is unavailable or forbidden, or
 * after `useSntrup761Kernel(false)`.
 */
export async function initSntrup761Kernel(): Promise<boolean> {
  loading ??= (async () => {
    if (typeof WebAssembly !== "object") return null;
    try {
      const { instance } = await WebAssembly.instantiate(embeddedBytes(SNTRUP761_KERNEL_BASE64), {});
      return new Sntrup761Kernel(instance.exports as unknown as KernelExports);
    } catch {
      // CompileError (no SIMD) or a CSP refusing WebAssembly: the JavaScript path runs.
      return null;
    }
  })();
  loaded = await loading;
  return sntrup761Kernel() !== null;
}

/** The kernel, or null before `initSntrup761Kernel()` resolved, where it failed, or when disabled. */
export function sntrup761Kernel(): Sntrup761Kernel | null {
  return enabled ? loaded : null;
}

/** Switch the kernel off (or on again): tests and benchmarks pin the JavaScript path with it. */
export function useSntrup761Kernel(on: boolean): void {
  enabled = on;
}
