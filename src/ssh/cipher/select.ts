import type { CipherFactory } from "./cipher.js";
import type { ChaCha20Poly1305 } from "./chacha20-poly1305.js";
import { ChaCha20Poly1305Wasm } from "./chacha20-poly1305-wasm.js";
import { activeKernel, deactivateWasmCipher, initWasmCipher } from "./wasm/loader.js";

/** Which implementation new chacha20-poly1305@openssh.com ciphers get. */
export type CipherImplementation = "wasm-simd" | "wasm-scalar" | "noble";

/**
 * Load the fastest available implementation; the transport awaits this once before its first key
 * exchange (it is cheap to call again). Never throws for want of WebAssembly: where it is missing
 * or forbidden, @noble is imported and used. `{ wasm: false }` picks @noble; `{ simd: false }`
 * forces the scalar kernel.
 */
export async function prepareCiphers(opts: { wasm?: boolean; simd?: boolean } = {}): Promise<CipherImplementation> {
  if (opts.wasm === false) {
    deactivateWasmCipher();
    await loadNoble();
    return "noble";
  }
  const kind = await initWasmCipher({ simd: opts.simd });
  if (!kind) await loadNoble();
  return kind ? `wasm-${kind}` : "noble";
}

/**
 * The @noble implementation, imported only where no kernel is active: a browser with WebAssembly
 * never runs it, and it (ChaCha20, Poly1305 and their helpers) is a sixth of the core's bundle.
 */
let noble: typeof ChaCha20Poly1305 | undefined;

async function loadNoble(): Promise<void> {
  noble ??= (await import("./chacha20-poly1305.js")).ChaCha20Poly1305;
}

/** The cipher table row's loader: @noble unless a kernel is active (the transport prepared ciphers first). */
export async function chacha20Poly1305Ready(): Promise<void> {
  if (!activeKernel()) await loadNoble();
}

/** What `chacha20Poly1305.create` returns right now. */
export function cipherImplementation(): CipherImplementation {
  const k = activeKernel();
  return k ? `wasm-${k.kind}` : "noble";
}

/**
 * chacha20-poly1305@openssh.com on the WebAssembly kernel once `prepareCiphers()` has resolved, on
 * @noble/ciphers where WebAssembly is unavailable (or `{ wasm: false }`). Both produce identical
 * bytes. Before `prepareCiphers()` or the table row's loader has run there is none: it throws.
 */
export const chacha20Poly1305: CipherFactory = {
  name: "chacha20-poly1305@openssh.com",
  keyLength: 64,
  ivLength: 0,
  aead: true,
  create(key) {
    const kernel = activeKernel();
    if (kernel) return new ChaCha20Poly1305Wasm(key, kernel);
    if (!noble) throw new Error("chacha20-poly1305: no implementation loaded; await prepareCiphers() first");
    return new noble(key);
  },
};
