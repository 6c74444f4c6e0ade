import { SshWriter } from "../wire/writer.js";

export type Hash = (data: Uint8Array) => Uint8Array;

/**
 * Key derivation (RFC 4253 §7.2): K1 = HASH(K || H || letter || session_id), extended with
 * Kn = HASH(K || H || K1 || ... || Kn-1) until `length` bytes. K is mpint-encoded (for curve25519,
 * from the unsigned shared secret, RFC 8731 §3.1).
 */
export function deriveKey(
  hash: Hash,
  sharedMpint: Uint8Array,
  exchangeHash: Uint8Array,
  letter: "A" | "B" | "C" | "D" | "E" | "F",
  sessionId: Uint8Array,
  length: number,
): Uint8Array {
  if (length === 0) return new Uint8Array(0);
  const first = new SshWriter(256).raw(sharedMpint).raw(exchangeHash).byte(letter.charCodeAt(0)).raw(sessionId).finish();
  let out = hash(first);
  while (out.length < length) {
    const next = hash(new SshWriter(256).raw(sharedMpint).raw(exchangeHash).raw(out).finish());
    const grown = new Uint8Array(out.length + next.length);
    grown.set(out);
    grown.set(next, out.length);
    out = grown;
  }
  return out.slice(0, length);
}

/** The mpint wire form of an unsigned big-endian secret (the K used in H and in derivation). */
export function sharedSecretMpint(shared: Uint8Array): Uint8Array {
  return new SshWriter(40).mpintFromUnsigned(shared).finish().slice();
}
