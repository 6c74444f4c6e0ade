import { KeyFormatError } from "../errors.js";

/**
 * A minimal DER reader (X.690) for the key files OpenSSL writes: SEQUENCE, INTEGER, OCTET STRING,
 * BIT STRING, OBJECT IDENTIFIER, NULL and context-specific tags. Definite lengths only; every read
 * is bounds-checked and throws KeyFormatError.
 */

export const DER = { INTEGER: 0x02, BIT_STRING: 0x03, OCTET_STRING: 0x04, NULL: 0x05, OID: 0x06, SEQUENCE: 0x30 } as const;

export class DerReader {
  private pos = 0;

  constructor(
    private readonly buf: Uint8Array,
    private readonly what = "DER",
  ) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private fail(message: string): never {
    throw new KeyFormatError(`malformed ${this.what}: ${message}`);
  }

  /** The next tag without consuming it, or -1 at the end. */
  peekTag(): number {
    return this.pos < this.buf.length ? this.buf[this.pos]! : -1;
  }

  /** The next element: its tag and content bytes. */
  next(): { tag: number; content: Uint8Array } {
    if (this.remaining < 2) this.fail("truncated element");
    const tag = this.buf[this.pos++]!;
    if ((tag & 0x1f) === 0x1f) this.fail("multi-byte tags are not used in key files");
    let length = this.buf[this.pos++]!;
    if (length & 0x80) {
      const count = length & 0x7f;
      if (count === 0 || count > 4) this.fail(count === 0 ? "indefinite length (BER, not DER)" : "length too large");
      if (this.remaining < count) this.fail("truncated length");
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + this.buf[this.pos++]!;
    }
    if (length > this.remaining) this.fail(`element of ${length} bytes with ${this.remaining} left`);
    const content = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return { tag, content };
  }

  expect(tag: number, name: string): Uint8Array {
    const el = this.next();
    if (el.tag !== tag) this.fail(`expected ${name} (tag 0x${tag.toString(16)}), found tag 0x${el.tag.toString(16)}`);
    return el.content;
  }

  sequence(): DerReader {
    return new DerReader(this.expect(DER.SEQUENCE, "SEQUENCE"), this.what);
  }

  /** A non-negative INTEGER as a bigint. */
  integer(): bigint {
    const c = this.expect(DER.INTEGER, "INTEGER");
    if (c.length === 0) this.fail("empty INTEGER");
    if (c[0]! & 0x80) this.fail("negative INTEGER");
    let v = 0n;
    for (const b of c) v = (v << 8n) | BigInt(b);
    return v;
  }

  smallInteger(): number {
    const v = this.integer();
    if (v > 0x7fffffffn) this.fail("INTEGER too large");
    return Number(v);
  }

  octetString(): Uint8Array {
    return this.expect(DER.OCTET_STRING, "OCTET STRING");
  }

  /** A BIT STRING's bytes (no unused bits allowed, as in keys). */
  bitString(): Uint8Array {
    const c = this.expect(DER.BIT_STRING, "BIT STRING");
    if (c.length === 0 || c[0] !== 0) this.fail("BIT STRING with unused bits");
    return c.subarray(1);
  }

  /** An OBJECT IDENTIFIER in dotted form. */
  oid(): string {
    const c = this.expect(DER.OID, "OBJECT IDENTIFIER");
    if (c.length === 0) this.fail("empty OBJECT IDENTIFIER");
    const parts: number[] = [];
    let v = 0;
    for (const b of c) {
      v = v * 128 + (b & 0x7f);
      if (!(b & 0x80)) {
        if (parts.length === 0) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
        else parts.push(v);
        v = 0;
      }
    }
    return parts.join(".");
  }

  /** Content of a context-specific constructed tag [n] when it comes next, else null. */
  optionalExplicit(n: number): DerReader | null {
    if (this.peekTag() !== (0xa0 | n)) return null;
    return new DerReader(this.next().content, this.what);
  }

  end(): void {
    if (this.remaining !== 0) this.fail(`${this.remaining} unexpected trailing bytes`);
  }
}
