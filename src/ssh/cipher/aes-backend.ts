import type { AesBackend } from "./aes-types.js";
export type { AesBackend, CtrStream, GcmKey, HmacHash, HmacKey } from "./aes-types.js";

/**
 * The primitives the AES ciphers and HMAC rows need, synchronous because the packet path is.
 * A platform may register a fast one (Node, Deno and Bun: node:crypto, see
 * src/platform/node/aes-node.ts); elsewhere the portable one on @noble (aes-noble.ts) is imported
 * on first use, by `loadAesBackend`, which the AES and HMAC table rows run when negotiated: its
 * AES tables are a third of a browser's bundle that chacha20-poly1305 connections never run.
 * Every backend must give identical bytes.
 */
let registered: AesBackend | null = null;
let portable: AesBackend | null = null;

/** Make `backend` the one that ciphers and MACs created from now on use; null restores @noble. */
export function registerAesBackend(backend: AesBackend | null): void {
  registered = backend;
}

/** The backend new AES ciphers and HMAC rows get (the registered one, else @noble once loaded). */
export function aesBackend(): AesBackend {
  const backend = registered ?? portable;
  if (!backend) throw new Error("no AES backend loaded: await loadAesBackend() before creating an AES cipher or HMAC");
  return backend;
}

/** Import the @noble backend unless a platform registered one; the AES and HMAC rows' loader. */
export async function loadAesBackend(): Promise<AesBackend> {
  if (registered) return registered;
  portable ??= (await import("./aes-noble.js")).nobleAesBackend;
  return portable;
}
