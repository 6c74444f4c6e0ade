import { ProtocolError } from "../errors.js";
import { createPacketHmac, isHmacAlgorithm } from "../mac/hmac.js";
import { aesBackend, type AesBackend, type CtrStream } from "./aes-backend.js";
import { MAC_FAILURE, type CipherFactory, type MacAlgorithm, type PacketCipher, type PacketMac } from "./cipher.js";

/**
 * aes128-ctr, aes192-ctr, aes256-ctr (RFC 4344 §4) with a separate MAC. The IV is the initial
 * 128-bit counter block, incremented big-endian per block, and the keystream runs on across
 * packets (one stream per direction and key).
 *
 * With a plain MAC (RFC 4253 §6.4) the whole packet, length included, is encrypted and
 * mac = MAC(key, uint32 seq || plaintext packet); the receiver must decrypt the first block to
 * learn the length, so `headLength` is 16 and the length counts toward the alignment.
 * With an -etm@openssh.com MAC (OpenSSH PROTOCOL §1.5) the length stays in the clear and
 * mac = MAC(key, uint32 seq || length || ciphertext), checked before anything is decrypted.
 */
export class AesCtrCipher implements PacketCipher {
  readonly blockSize = 16;
  readonly lengthInAlignment: boolean;
  readonly tagLength: number;
  readonly headLength: number;
  private readonly etm: boolean;
  private readonly stream: CtrStream;
  private readonly mac: PacketMac;
  private readonly expected: Uint8Array;
  /**
   * Plain MAC only: the first block, decrypted by decryptLength (the stream has moved past it).
   * The keystream is stateful, so decryptLength runs at most once per packet, before open (as
   * PacketDecoder does); open calls it itself when it was not called.
   */
  private readonly first = new Uint8Array(16);
  private haveFirst = false;

  constructor(
    readonly name: string,
    key: Uint8Array,
    iv: Uint8Array,
    macAlgorithm: MacAlgorithm,
    macKey: Uint8Array,
    backend: AesBackend = aesBackend(),
  ) {
    if (iv.length !== 16) throw new Error(`${name} needs a 16-byte IV`);
    this.stream = backend.ctr(key, iv);
    // Our HMAC rows are keyed on the same backend as the cipher; any other row keys itself.
    this.mac = isHmacAlgorithm(macAlgorithm) ? createPacketHmac(macAlgorithm, macKey, backend) : macAlgorithm.create(macKey);
    this.etm = macAlgorithm.etm;
    this.tagLength = this.mac.tagLength;
    this.lengthInAlignment = !this.etm;
    this.headLength = this.etm ? 4 : 16;
    this.expected = new Uint8Array(this.tagLength);
  }

  seal(seq: number, buf: Uint8Array): void {
    const end = buf.length - this.tagLength;
    const tag = buf.subarray(end);
    if (this.etm) {
      this.stream.update(buf.subarray(4, end));
      this.mac.compute(seq, buf.subarray(0, end), tag);
    } else {
      this.mac.compute(seq, buf.subarray(0, end), tag);
      this.stream.update(buf.subarray(0, end));
    }
  }

  decryptLength(_seq: number, head: Uint8Array): number {
    let h = head;
    if (!this.etm) {
      // The length is inside the first cipher block: decrypt a copy and keep it for open().
      this.first.set(head.subarray(0, 16));
      this.stream.update(this.first);
      this.haveFirst = true;
      h = this.first;
    }
    return ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
  }

  open(seq: number, buf: Uint8Array): Uint8Array {
    const end = buf.length - this.tagLength;
    const tag = buf.subarray(end);
    if (this.etm) {
      this.mac.compute(seq, buf.subarray(0, end), this.expected);
      if (!equalTags(this.expected, tag)) throw new ProtocolError(MAC_FAILURE);
      // Read where the backend put it (node:crypto: its own buffer), not copied back.
      return this.stream.xor(buf.subarray(4, end));
    }
    // A plain MAC covers the plaintext with its length, one contiguous span: decrypted in place.
    if (!this.haveFirst) this.decryptLength(seq, buf);
    this.haveFirst = false;
    buf.set(this.first, 0);
    this.stream.update(buf.subarray(16, end));
    this.mac.compute(seq, buf.subarray(0, end), this.expected);
    if (!equalTags(this.expected, tag)) throw new ProtocolError(MAC_FAILURE);
    return buf.subarray(4, end);
  }
}

/** Constant-time: the time depends on the length only. */
function equalTags(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

function ctrFactory(name: string, keyLength: number): CipherFactory {
  return {
    name,
    keyLength,
    ivLength: 16,
    aead: false,
    create(key, iv, mac) {
      if (key.length !== keyLength) throw new Error(`${name} needs a ${keyLength}-byte key`);
      if (!mac) throw new Error(`${name} needs a MAC`);
      return new AesCtrCipher(name, key, iv, mac.algorithm, mac.key);
    },
  };
}

export const aes128Ctr = ctrFactory("aes128-ctr", 16);
export const aes192Ctr = ctrFactory("aes192-ctr", 24);
export const aes256Ctr = ctrFactory("aes256-ctr", 32);
