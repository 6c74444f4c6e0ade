import { chacha20orig } from "@noble/ciphers/chacha.js";
import { poly1305 } from "@noble/ciphers/_poly1305.js";
import { ProtocolError } from "../errors.js";
import { equalBytes } from "../wire/bytes.js";
import { MAC_FAILURE, type PacketCipher } from "./cipher.js";

/**
 * chacha20-poly1305@openssh.com (OpenSSH PROTOCOL.chacha20poly1305), on @noble/ciphers.
 * 64 bytes of key: the first 32 are K_2 (payload, Poly1305 key), the last 32 K_1 (length only).
 * Original DJB ChaCha20: 64-bit nonce = sequence number, big-endian; 64-bit block counter.
 */
export class ChaCha20Poly1305 implements PacketCipher {
  readonly name = "chacha20-poly1305@openssh.com";
  readonly blockSize = 8;
  readonly lengthInAlignment = false;
  readonly tagLength = 16;
  readonly headLength = 4;
  private readonly mainKey: Uint8Array;
  private readonly lengthKey: Uint8Array;
  private readonly nonce = new Uint8Array(8);
  private readonly zeros32 = new Uint8Array(32);
  private readonly polyKey = new Uint8Array(32);
  private readonly len4 = new Uint8Array(4);

  constructor(key: Uint8Array) {
    if (key.length !== 64) throw new Error("chacha20-poly1305@openssh.com needs 64 bytes of key");
    this.mainKey = key.slice(0, 32);
    this.lengthKey = key.slice(32, 64);
  }

  private setNonce(seq: number): void {
    // Sequence numbers are uint32; the upper half of the 64-bit nonce stays zero.
    const n = this.nonce;
    n[4] = seq >>> 24;
    n[5] = seq >>> 16;
    n[6] = seq >>> 8;
    n[7] = seq;
  }

  private polyKeyFor(): Uint8Array {
    // Poly1305 key = first 32 bytes of the K_2 keystream at block counter 0.
    return chacha20orig(this.mainKey, this.nonce, this.zeros32, this.polyKey, 0);
  }

  seal(seq: number, buf: Uint8Array): void {
    this.setNonce(seq);
    const end = buf.length - 16;
    const head = buf.subarray(0, 4);
    chacha20orig(this.lengthKey, this.nonce, head, head, 0);
    const body = buf.subarray(4, end);
    chacha20orig(this.mainKey, this.nonce, body, body, 1);
    buf.set(poly1305(buf.subarray(0, end), this.polyKeyFor()), end);
  }

  decryptLength(seq: number, head: Uint8Array): number {
    this.setNonce(seq);
    const l = chacha20orig(this.lengthKey, this.nonce, head.subarray(0, 4), this.len4, 0);
    return ((l[0]! << 24) | (l[1]! << 16) | (l[2]! << 8) | l[3]!) >>> 0;
  }

  open(seq: number, buf: Uint8Array): Uint8Array {
    this.setNonce(seq);
    const end = buf.length - 16;
    const expected = poly1305(buf.subarray(0, end), this.polyKeyFor());
    if (!equalBytes(expected, buf.subarray(end))) throw new ProtocolError(MAC_FAILURE);
    const head = buf.subarray(0, 4);
    chacha20orig(this.lengthKey, this.nonce, head, head, 0);
    const body = buf.subarray(4, end);
    chacha20orig(this.mainKey, this.nonce, body, body, 1);
    return body;
  }
}

