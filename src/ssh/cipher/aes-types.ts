/** The synchronous AES-GCM / AES-CTR / HMAC primitives the packet path needs; backends implement them. */
export interface AesBackend {
  readonly name: string;
  /** AES-GCM (NIST SP 800-38D) with a 12-byte IV and a 16-byte tag, for one key (16 or 32 bytes). */
  gcm(key: Uint8Array): GcmKey;
  /**
   * AES-CTR (NIST SP 800-38A) keystream for one key (16, 24 or 32 bytes) starting at the 16-byte
   * counter block `iv`, incremented big-endian across the whole block. State continues across calls.
   */
  ctr(key: Uint8Array, iv: Uint8Array): CtrStream;
  /** HMAC (RFC 2104) with SHA-1, SHA-256 or SHA-512 for one key. */
  hmac(hash: HmacHash, key: Uint8Array): HmacKey;
}

export type HmacHash = "sha1" | "sha256" | "sha512";

export interface GcmKey {
  /** Encrypt `data` in place under `iv` with `aad` authenticated, and write the 16-byte tag into `tag`. */
  seal(iv: Uint8Array, aad: Uint8Array, data: Uint8Array, tag: Uint8Array): void;
  /** Check `tag` in constant time; only if it is valid decrypt `data` in place and return true. */
  open(iv: Uint8Array, aad: Uint8Array, data: Uint8Array, tag: Uint8Array): boolean;
  /**
   * `open` for a receiver that reads the plaintext where it lands: the plaintext, or null when the
   * tag is invalid. It may be `data` decrypted in place or a fresh buffer (then `data` is unchanged):
   * a backend whose primitive returns its output (node:crypto) saves copying every packet back.
   */
  decrypt(iv: Uint8Array, aad: Uint8Array, data: Uint8Array, tag: Uint8Array): Uint8Array | null;
}

export interface CtrStream {
  /** XOR the next `data.length` keystream bytes (a multiple of 16) into `data` in place. */
  update(data: Uint8Array): void;
  /**
   * `update` for a receiver that reads the result where it lands: `data` XORed in place, or the
   * XOR in a fresh buffer with `data` unchanged (node:crypto), saving a copy per packet.
   */
  xor(data: Uint8Array): Uint8Array;
}

export interface HmacKey {
  /** Full-length HMAC(key, uint32be(seq) || a || b) into `out` (its length: the hash's output size). */
  mac(seq: number, a: Uint8Array, b: Uint8Array | null, out: Uint8Array): void;
}
