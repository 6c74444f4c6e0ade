import type { PacketCipher } from "../cipher/cipher.js";
import { nullCipher } from "../cipher/cipher.js";
import { ProtocolError } from "../errors.js";

/** OpenSSH's PACKET_MAX_SIZE: a peer announcing more is broken or hostile. */
export const MAX_INCOMING_PACKET = 256 * 1024;

/**
 * Binary packet protocol, receiving side (RFC 4253 §6). Fed arbitrary chunks from the socket; yields
 * payloads. A packet that lies wholly inside one chunk (or in chunks that are adjacent views of one
 * buffer) is verified and decrypted in place (the payload is a view of that memory: the one copy
 * is the socket's); one split across separate buffers is assembled into a fresh buffer first.
 */
export class PacketDecoder {
  cipher: PacketCipher = nullCipher;
  seq = 0;
  bytesSinceKex = 0;
  packetsSinceKex = 0;
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  /** Decrypted packet_length of the packet being assembled, or -1. */
  private expected = -1;

  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.buffered += chunk.length;
    // A read that continues the previous one in the same buffer (the Node TCP adapter reads into
    // consecutive slices of a slab) extends that view: a packet split across the two reads is
    // then opened in place instead of being copied together.
    const last = this.chunks.length - 1;
    const prev = this.chunks[last];
    if (prev && prev.buffer === chunk.buffer && prev.byteOffset + prev.length === chunk.byteOffset) {
      this.chunks[last] = new Uint8Array(prev.buffer, prev.byteOffset, prev.length + chunk.length);
      return;
    }
    this.chunks.push(chunk);
  }

  /** Next complete payload, or null when more bytes are needed. Throws ProtocolError on bad input. */
  next(): Uint8Array | null {
    const c = this.cipher;
    if (this.expected < 0) {
      if (this.buffered < c.headLength) return null;
      const head = this.peek(c.headLength);
      const len = c.decryptLength(this.seq, head);
      this.checkLength(len, c);
      this.expected = len;
    }
    const total = 4 + this.expected + c.tagLength;
    if (this.buffered < total) return null;
    // body: padding_length || payload || padding, wherever the cipher decrypted it.
    const body = c.open(this.seq, this.take(total));
    this.expected = -1;
    this.seq = (this.seq + 1) >>> 0;
    this.bytesSinceKex += total;
    this.packetsSinceKex++;
    const padLen = body[0]!;
    if (padLen < 4 || padLen > body.length - 1) throw new ProtocolError(`invalid padding length ${padLen}`);
    return body.subarray(1, body.length - padLen);
  }

  private checkLength(len: number, c: PacketCipher): void {
    if (len > MAX_INCOMING_PACKET) throw new ProtocolError(`packet length ${len} exceeds the limit of ${MAX_INCOMING_PACKET} bytes`);
    if (len < 5) throw new ProtocolError(`packet length ${len} is too small`);
    const aligned = (c.lengthInAlignment ? len + 4 : len) % c.blockSize === 0;
    if (!aligned) throw new ProtocolError(`packet length ${len} is not a multiple of the cipher block size ${c.blockSize}`);
  }

  /** The first n buffered bytes (a view when they lie in the first chunk). */
  private peek(n: number): Uint8Array {
    const first = this.chunks[0]!;
    if (first.length >= n) return first.subarray(0, n);
    const out = new Uint8Array(n);
    let o = 0;
    for (const ch of this.chunks) {
      const k = Math.min(ch.length, n - o);
      out.set(ch.subarray(0, k), o);
      o += k;
      if (o === n) break;
    }
    return out;
  }

  /** Remove and return the first n bytes, in place when possible. */
  private take(n: number): Uint8Array {
    this.buffered -= n;
    const first = this.chunks[0]!;
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return out;
    }
    const out = new Uint8Array(n);
    let o = 0;
    while (o < n) {
      const ch = this.chunks[0]!;
      const k = Math.min(ch.length, n - o);
      out.set(ch.subarray(0, k), o);
      o += k;
      if (k === ch.length) this.chunks.shift();
      else this.chunks[0] = ch.subarray(k);
    }
    return out;
  }

  /** Bytes left over (e.g. after the version line) to hand back; used only before packets start. */
  drain(): Uint8Array[] {
    const out = this.chunks;
    this.chunks = [];
    this.buffered = 0;
    return out;
  }
}
