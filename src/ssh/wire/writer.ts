import { utf8 } from "./bytes.js";

/** Encoder for the RFC 4251 §5 data types into a growable buffer. */
export class SshWriter {
  private buf: Uint8Array;
  private pos = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  byte(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v;
    return this;
  }

  boolean(v: boolean): this {
    return this.byte(v ? 1 : 0);
  }

  uint32(v: number): this {
    this.ensure(4);
    const b = this.buf;
    const p = this.pos;
    b[p] = v >>> 24;
    b[p + 1] = v >>> 16;
    b[p + 2] = v >>> 8;
    b[p + 3] = v;
    this.pos += 4;
    return this;
  }

  uint64(v: bigint): this {
    return this.uint32(Number((v >> 32n) & 0xffffffffn)).uint32(Number(v & 0xffffffffn));
  }

  raw(bytes: Uint8Array): this {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    return this;
  }

  string(v: Uint8Array | string): this {
    const bytes = typeof v === "string" ? utf8(v) : v;
    this.uint32(bytes.length);
    return this.raw(bytes);
  }

  nameList(names: readonly string[]): this {
    return this.string(names.join(","));
  }

  /** mpint from a bigint (RFC 4251 §5: minimal two's complement, zero is the empty string). */
  mpint(v: bigint): this {
    if (v === 0n) return this.uint32(0);
    const bytes: number[] = [];
    let x = v;
    if (x > 0n) {
      while (x > 0n) {
        bytes.unshift(Number(x & 0xffn));
        x >>= 8n;
      }
      if (bytes[0]! & 0x80) bytes.unshift(0);
    } else {
      while (x < -1n || (bytes.length === 0) || !(bytes[0]! & 0x80)) {
        bytes.unshift(Number(x & 0xffn));
        x >>= 8n;
      }
    }
    return this.string(Uint8Array.from(bytes));
  }

  /** mpint from an unsigned big-endian magnitude (how X25519 shared secrets are encoded, RFC 8731 §3.1). */
  mpintFromUnsigned(magnitude: Uint8Array): this {
    let i = 0;
    while (i < magnitude.length && magnitude[i] === 0) i++;
    const body = magnitude.subarray(i);
    if (body.length > 0 && body[0]! & 0x80) {
      this.uint32(body.length + 1).byte(0);
    } else {
      this.uint32(body.length);
    }
    return this.raw(body);
  }

  get length(): number {
    return this.pos;
  }

  /** The encoded bytes (a copy-free view; do not write more after taking it if you keep it). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}
