import type { CipherFactory } from "./cipher.js";
import { ChaCha20Poly1305 } from "./chacha20-poly1305.js";
import { ChaCha20Poly1305Wasm } from "./chacha20-poly1305-wasm.js";
import { activeKernel, deactivateWasmCipher, initWasmCipher } from "./wasm/loader.js";

/** Which implementation new chacha20-poly1305@openssh.com ciphers get. */
export type CipherImplementation = "wasm-simd" | "wasm-scalar" | "noble";

/**
 * Load the fastest available implementation; the transport awaits this once before its first key
 * exchange (it is cheap to call again). Never throws: where WebAssembly is missing or forbidden,
 * ciphers stay on @noble. `{ wasm: false }` keeps @noble; `{ simd: false }` forces the scalar kernel.
 */
export async function prepareCiphers(opts: { wasm?: boolean; simd?: boolean } = {}): Promise<CipherImplementation> {
  if (opts.wasm === false) {
    deactivateWasmCipher();
    return "noble";
  }
  const kind = await initWasmCipher({ simd: opts.simd });
  return kind ? `wasm-${kind}` : "noble";
}

/** What `chacha20Poly1305.create` returns right now. */
export function cipherImplementation(): CipherImplementation {
  const k = activeKernel();
  return k ? `wasm-${k.kind}` : "noble";
}

/**
 * chacha20-poly1305@openssh.com on the WebAssembly kernel once `prepareCiphers()` has resolved, on
 * @noble/ciphers before that or where WebAssembly is unavailable. Both produce identical bytes.
 */
export const chacha20Poly1305: CipherFactory = {
  name: "chacha20-poly1305@openssh.com",
  keyLength: 64,
  ivLength: 0,
  aead: true,
  create(key) {
    const kernel = activeKernel();
    return kernel ? new ChaCha20Poly1305Wasm(key, kernel) : new ChaCha20Poly1305(key);
  },
};
