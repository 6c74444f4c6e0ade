import { ProtocolError } from "../errors.js";
import { fromUtf8 } from "./bytes.js";

/** Hard cap on any single string a peer may send us; no legitimate field comes close. */
export const MAX_WIRE_STRING = 256 * 1024;
/** Name-lists are short in practice; OpenSSH caps a KEXINIT list far below this. */
export const MAX_NAME_LIST = 64 * 1024;

/**
 * Decoder for the RFC 4251 §5 data types. Every read is bounds-checked and throws ProtocolError,
 * so parsers of untrusted messages can never read past the end or loop on bad lengths.
 */
export class SshReader {
  private pos: number;

  constructor(
    private readonly buf: Uint8Array,
    offset = 0,
  ) {
    this.pos = offset;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  get offset(): number {
    return this.pos;
  }

  private need(n: number, what: string): void {
    if (n > this.buf.length - this.pos) {
      throw new ProtocolError(`truncated message: ${what} needs ${n} bytes, ${this.buf.length - this.pos} left`);
    }
  }

  byte(): number {
    this.need(1, "byte");
    return this.buf[this.pos++]!;
  }

  boolean(): boolean {
    return this.byte() !== 0;
  }

  uint32(): number {
    this.need(4, "uint32");
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  uint64(): bigint {
    const hi = this.uint32();
    const lo = this.uint32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** Raw bytes of a `string` field; a view into the message, copy it if it must outlive it. */
  string(max = MAX_WIRE_STRING): Uint8Array {
    const len = this.uint32();
    if (len > max) throw new ProtocolError(`string field of ${len} bytes exceeds the limit of ${max}`);
    this.need(len, "string");
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  text(max = MAX_WIRE_STRING): string {
    return fromUtf8(this.string(max));
  }

  nameList(max = MAX_NAME_LIST): string[] {
    return parseNameList(this.text(max));
  }

  /** mpint as a bigint (two's complement, RFC 4251 §5). */
  mpint(): bigint {
    const b = this.string(16 * 1024);
    if (b.length === 0) return 0n;
    let v = 0n;
    for (const x of b) v = (v << 8n) | BigInt(x);
    if (b[0]! & 0x80) v -= 1n << BigInt(b.length * 8);
    return v;
  }

  bytes(n: number): Uint8Array {
    this.need(n, "bytes");
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  rest(): Uint8Array {
    const out = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return out;
  }

  /** For parsers that must consume the whole message: trailing bytes mean we misparsed. */
  end(what: string): void {
    if (this.pos !== this.buf.length) throw new ProtocolError(`${what}: ${this.buf.length - this.pos} unexpected trailing bytes`);
  }
}

/** The names of a name-list's text (RFC 4251 §5: non-empty, printable US-ASCII, comma-separated). */
export function parseNameList(text: string): string[] {
  if (text.length === 0) return [];
  const names = text.split(",");
  for (const n of names) {
    if (n.length === 0 || !/^[\x21-\x7e]+$/.test(n)) throw new ProtocolError(`malformed name-list entry ${JSON.stringify(n)}`);
  }
  return names;
}
