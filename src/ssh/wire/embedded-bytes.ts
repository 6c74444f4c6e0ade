import { fromBase64 } from "./bytes.js";

/**
 * The bytes of a WebAssembly module embedded in the source as base64 (scripts/build-wasm.mjs).
 * `atob` (every runtime we support has it) decodes natively, leaving a loop of one charCodeAt per
 * byte: a fifth of the strict decoder's work, which matters because a kernel is decoded during the
 * first handshake, before V8 has compiled either loop. The strict decoder serves where there is no
 * `atob`. A fresh Uint8Array, so its buffer is a plain ArrayBuffer, as WebAssembly's API wants.
 */
export function embeddedBytes(b64: string): Uint8Array<ArrayBuffer> {
  if (typeof atob === "function") {
    const text = atob(b64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes;
  }
  const bytes = fromBase64(b64);
  if (!bytes) throw new Error("embedded WebAssembly kernel is not valid base64; rebuild with `npm run build:wasm`");
  return bytes as Uint8Array<ArrayBuffer>;
}
