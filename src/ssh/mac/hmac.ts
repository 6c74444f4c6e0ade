import { aesBackend, type AesBackend, type HmacHash } from "../cipher/aes-backend.js";
import type { MacAlgorithm, PacketMac } from "../cipher/cipher.js";

/**
 * HMAC rows (RFC 4253 §6.4, RFC 6668 for SHA-2; OpenSSH PROTOCOL §1.5 for -etm@openssh.com).
 * The MAC is HMAC(key, uint32 seq || data) at full hash length; what `data` is (the plaintext
 * packet, or the length and ciphertext for -etm) is the cipher's business (aes-ctr.ts).
 */
class Hmac implements PacketMac {
  private readonly key: ReturnType<AesBackend["hmac"]>;

  constructor(
    hash: HmacHash,
    key: Uint8Array,
    readonly tagLength: number,
    backend: AesBackend,
  ) {
    this.key = backend.hmac(hash, key);
  }

  compute(seq: number, data: Uint8Array, out: Uint8Array): void {
    this.key.mac(seq, data, null, out);
  }
}

/** The keyed MAC of `algorithm` on a given backend (tests pin one; MacAlgorithm.create uses the registered one). */
export function createPacketHmac(algorithm: HmacAlgorithm, key: Uint8Array, backend: AesBackend = aesBackend()): PacketMac {
  if (key.length !== algorithm.keyLength) throw new Error(`${algorithm.name} needs a ${algorithm.keyLength}-byte key`);
  return new Hmac(algorithm.hash, key, algorithm.tagLength, backend);
}

/** A MAC row of this file: which hash it is, so a cipher can key it on a chosen backend. */
export interface HmacAlgorithm extends MacAlgorithm {
  readonly hash: HmacHash;
}

export function isHmacAlgorithm(algorithm: MacAlgorithm): algorithm is HmacAlgorithm {
  return typeof (algorithm as Partial<HmacAlgorithm>).hash === "string";
}

function row(name: string, hash: HmacHash, length: number, etm: boolean): HmacAlgorithm {
  const algorithm: HmacAlgorithm = {
    name,
    hash,
    keyLength: length,
    tagLength: length,
    etm,
    create: (key) => createPacketHmac(algorithm, key),
  };
  return algorithm;
}

export const hmacSha256Etm = row("hmac-sha2-256-etm@openssh.com", "sha256", 32, true);
export const hmacSha512Etm = row("hmac-sha2-512-etm@openssh.com", "sha512", 64, true);
export const hmacSha256 = row("hmac-sha2-256", "sha256", 32, false);
export const hmacSha512 = row("hmac-sha2-512", "sha512", 64, false);
export const hmacSha1 = row("hmac-sha1", "sha1", 20, false);
export const hmacSha1Etm = row("hmac-sha1-etm@openssh.com", "sha1", 20, true);
