import type { PacketCipher } from "../cipher/cipher.js";
import { nullCipher } from "../cipher/cipher.js";

/** Largest packet we send; OpenSSH accepts up to 256 KiB (PACKET_MAX_SIZE). */
export const MAX_OUTGOING_PAYLOAD = 256 * 1024 - 64;

/**
 * Random bytes for padding, shared by every connection and refilled in bulk: one getRandomValues
 * call per 4 KiB of padding instead of one per packet (or per connection).
 */
const pool = new Uint8Array(4096);
let poolUsed = pool.length;
function randomPadding(n: number): Uint8Array {
  if (poolUsed + n > pool.length) {
    crypto.getRandomValues(pool);
    poolUsed = 0;
  }
  poolUsed += n;
  return pool.subarray(poolUsed - n, poolUsed);
}

/**
 * Binary packet protocol, sending side (RFC 4253 §6): length, padding length, payload, random
 * padding (at least 4 bytes, aligned to the cipher's block size), then the cipher's tag.
 * Sequence numbers count every packet and wrap at 2^32 (RFC 4253 §6.4).
 */
export class PacketEncoder {
  cipher: PacketCipher = nullCipher;
  seq = 0;
  /** Counters for rekey limits since the last NEWKEYS. */
  bytesSinceKex = 0;
  packetsSinceKex = 0;

  /** Allocate one packet buffer for `payloadLength` bytes; `fill` writes the payload at `offset`. */
  encode(payloadLength: number, fill: (buf: Uint8Array, offset: number) => void): Uint8Array {
    const c = this.cipher;
    const block = c.blockSize;
    const unpadded = (c.lengthInAlignment ? 4 : 0) + 1 + payloadLength;
    let padLen = block - (unpadded % block);
    if (padLen < 4) padLen += block;
    const packetLength = 1 + payloadLength + padLen;
    const buf = new Uint8Array(4 + packetLength + c.tagLength);
    buf[0] = packetLength >>> 24;
    buf[1] = packetLength >>> 16;
    buf[2] = packetLength >>> 8;
    buf[3] = packetLength;
    buf[4] = padLen;
    fill(buf, 5);
    if (c.tagLength > 0) {
      // Padding should be random once encryption is on (RFC 4253 §6); before that it does not matter.
      buf.set(randomPadding(padLen), 5 + payloadLength);
    }
    c.seal(this.seq, buf);
    this.seq = (this.seq + 1) >>> 0;
    this.bytesSinceKex += buf.length;
    this.packetsSinceKex++;
    return buf;
  }

  encodePayload(payload: Uint8Array): Uint8Array {
    return this.encode(payload.length, (buf, off) => buf.set(payload, off));
  }
}
