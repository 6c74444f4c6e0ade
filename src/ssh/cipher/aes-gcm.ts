import { ProtocolError } from "../errors.js";
import { aesBackend, type AesBackend, type GcmKey } from "./aes-backend.js";
import { MAC_FAILURE, type CipherFactory, type PacketCipher } from "./cipher.js";

/**
 * aes128-gcm@openssh.com and aes256-gcm@openssh.com: RFC 5647 as OpenSSH implements it
 * (OpenSSH PROTOCOL §1.6). The 4-byte packet length stays in the clear and is the AAD; padding
 * length, payload and padding are encrypted; a 16-byte tag follows. The 12-byte IV is a 4-byte
 * fixed field and an 8-byte big-endian invocation counter, both from the derived IV, and the
 * counter goes up by one after every packet (so the sequence number itself is not used). No MAC.
 */
export class AesGcmCipher implements PacketCipher {
  readonly blockSize = 16;
  readonly lengthInAlignment = false;
  readonly tagLength = 16;
  readonly headLength = 4;
  private readonly iv: Uint8Array;
  private readonly key: GcmKey;

  constructor(
    readonly name: string,
    key: Uint8Array,
    iv: Uint8Array,
    backend: AesBackend = aesBackend(),
  ) {
    if (iv.length !== 12) throw new Error(`${name} needs a 12-byte IV`);
    this.iv = iv.slice();
    this.key = backend.gcm(key);
  }

  /** invocation_counter += 1, modulo 2^64 (RFC 5647 §7.1); the fixed field never changes. */
  private nextIv(): void {
    const iv = this.iv;
    for (let i = 11; i >= 4; i--) {
      iv[i] = (iv[i]! + 1) & 0xff;
      if (iv[i] !== 0) break;
    }
  }

  seal(_seq: number, buf: Uint8Array): void {
    const end = buf.length - 16;
    this.key.seal(this.iv, buf.subarray(0, 4), buf.subarray(4, end), buf.subarray(end));
    this.nextIv();
  }

  decryptLength(_seq: number, head: Uint8Array): number {
    return ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
  }

  open(_seq: number, buf: Uint8Array): Uint8Array {
    const end = buf.length - 16;
    const body = this.key.decrypt(this.iv, buf.subarray(0, 4), buf.subarray(4, end), buf.subarray(end));
    if (!body) throw new ProtocolError(MAC_FAILURE);
    this.nextIv();
    return body;
  }
}

function gcmFactory(name: string, keyLength: number): CipherFactory {
  return {
    name,
    keyLength,
    ivLength: 12,
    aead: true,
    create(key, iv) {
      if (key.length !== keyLength) throw new Error(`${name} needs a ${keyLength}-byte key`);
      return new AesGcmCipher(name, key, iv);
    },
  };
}

export const aes128Gcm = gcmFactory("aes128-gcm@openssh.com", 16);
export const aes256Gcm = gcmFactory("aes256-gcm@openssh.com", 32);
