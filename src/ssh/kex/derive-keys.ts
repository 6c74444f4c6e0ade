import { SshWriter } from "../wire/writer.js";

import type { Hash } from "./kex-method.js";

/**
 * Key derivation (RFC 4253 §7.2): K1 = HASH(K || H || letter || session_id), extended with
 * Kn = HASH(K || H || K1 || ... || Kn-1) until `length` bytes. K comes wire-encoded as the method
 * put it into H: an mpint for (EC)DH, a string for the hybrid post-quantum methods.
 */
export function deriveKey(
  hash: Hash,
  sharedSecret: Uint8Array,
  exchangeHash: Uint8Array,
  letter: "A" | "B" | "C" | "D" | "E" | "F",
  sessionId: Uint8Array,
  length: number,
): Uint8Array {
  if (length === 0) return new Uint8Array(0);
  const first = new SshWriter(256).raw(sharedSecret).raw(exchangeHash).byte(letter.charCodeAt(0)).raw(sessionId).finish();
  let out = hash(first);
  while (out.length < length) {
    const next = hash(new SshWriter(256).raw(sharedSecret).raw(exchangeHash).raw(out).finish());
    const grown = new Uint8Array(out.length + next.length);
    grown.set(out);
    grown.set(next, out.length);
    out = grown;
  }
  return out.slice(0, length);
}
