import { nobleAesBackend } from "./aes-noble.js";
import type { AesBackend } from "./aes-types.js";
export type { AesBackend, CtrStream, GcmKey, HmacHash, HmacKey } from "./aes-types.js";

/**
 * The primitives the AES ciphers and HMAC rows need, synchronous because the packet path is.
 * The core ships a portable default on @noble; a platform may register a faster one (Node, Deno
 * and Bun: node:crypto, see src/platform/node/aes-node.ts). Every backend must give identical bytes.
 */
let active: AesBackend = nobleAesBackend;

/** Make `backend` the one that ciphers and MACs created from now on use; null restores @noble. */
export function registerAesBackend(backend: AesBackend | null): void {
  active = backend ?? nobleAesBackend;
}

/** The backend new AES ciphers and HMAC rows get. */
export function aesBackend(): AesBackend {
  return active;
}

export { nobleAesBackend };
