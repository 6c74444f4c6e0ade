// Known-answer tests for the transport's pure parts, each checked against an independent source:
// node:crypto (test code only), RFC 8439 and RFC 4253/8731 formulas computed here by hand.
import { createCipheriv, createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { poly1305 } from "@noble/ciphers/_poly1305.js";
import { ChaCha20Poly1305 } from "../src/ssh/cipher/chacha20-poly1305.js";
import { deriveKey } from "../src/ssh/kex/derive-keys.js";
import { mpintSecret as sharedSecretMpint } from "../src/ssh/kex/ecdh-shaped.js";
import { SshWriter } from "../src/ssh/wire/writer.js";
import { SshReader } from "../src/ssh/wire/reader.js";
import { ProtocolError } from "../src/ssh/errors.js";

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const toHex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** DJB ChaCha20 (64-bit counter, 64-bit nonce) through OpenSSL's IETF ChaCha20: the 16-byte IV is
 * the 32-bit little-endian counter followed by the 96-bit nonce, i.e. state words 12..15. DJB's
 * words 12,13 are the 64-bit counter and 14,15 the nonce, so IV = counter(LE 8 bytes) || nonce(8). */
function djbChacha(key: Uint8Array, nonce8: Uint8Array, counter: number, data: Uint8Array): Uint8Array {
  const iv = Buffer.alloc(16);
  iv.writeUInt32LE(counter, 0);
  iv.writeUInt32LE(0, 4);
  Buffer.from(nonce8).copy(iv, 8);
  const c = createCipheriv("chacha20", Buffer.from(key), iv);
  return new Uint8Array(Buffer.concat([c.update(Buffer.from(data)), c.final()]));
}

describe("chacha20-poly1305@openssh.com", () => {
  const key = Uint8Array.from({ length: 64 }, (_, i) => (i * 7 + 3) & 0xff);
  const k2 = key.subarray(0, 32); // payload key: the FIRST 32 bytes
  const k1 = key.subarray(32); // length key: the LAST 32 bytes

  for (const seq of [0, 1, 0x01020304, 0xffffffff]) {
    it(`seals like a reference built on node:crypto (seq ${seq})`, () => {
      const body = Uint8Array.from({ length: 1 + 21 + 10 }, (_, i) => (i * 13) & 0xff);
      const plain = new Uint8Array(4 + body.length + 16);
      new DataView(plain.buffer).setUint32(0, body.length);
      plain.set(body, 4);
      const sealed = plain.slice();
      new ChaCha20Poly1305(key).seal(seq, sealed);

      const nonce = new Uint8Array(8);
      new DataView(nonce.buffer).setUint32(4, seq);
      const encLen = djbChacha(k1, nonce, 0, plain.subarray(0, 4));
      const encBody = djbChacha(k2, nonce, 1, body);
      const polyKey = djbChacha(k2, nonce, 0, new Uint8Array(32));
      const macInput = new Uint8Array([...encLen, ...encBody]);
      // Poly1305 reference: RFC 8439 §2.5 with BigInt arithmetic, independent of noble.
      const tag = poly1305Reference(macInput, polyKey);
      expect(toHex(sealed)).toBe(toHex(new Uint8Array([...encLen, ...encBody, ...tag])));
    });
  }

  it("opens what it sealed and reads the length first", () => {
    const c = new ChaCha20Poly1305(key);
    const buf = new Uint8Array(4 + 16 + 16);
    new DataView(buf.buffer).setUint32(0, 16);
    buf.set([4, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 0, 0, 0, 0], 4);
    const orig = buf.slice();
    c.seal(7, buf);
    expect(c.decryptLength(7, buf)).toBe(16);
    c.open(7, buf);
    expect(toHex(buf.subarray(0, 20))).toBe(toHex(orig.subarray(0, 20)));
  });

  it("rejects a flipped bit anywhere before decrypting anything", () => {
    const c = new ChaCha20Poly1305(key);
    const buf = new Uint8Array(4 + 24 + 16);
    new DataView(buf.buffer).setUint32(0, 24);
    c.seal(3, buf);
    for (let i = 0; i < buf.length; i++) {
      const t = buf.slice();
      t[i]! ^= 0x10;
      const before = t.slice();
      expect(() => c.open(3, t)).toThrow(ProtocolError);
      expect(toHex(t)).toBe(toHex(before));
    }
  });
});

function poly1305Reference(msg: Uint8Array, key: Uint8Array): Uint8Array {
  const le = (b: Uint8Array) => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
  const r = le(key.subarray(0, 16)) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
  const s = le(key.subarray(16, 32));
  const p = (1n << 130n) - 5n;
  let acc = 0n;
  for (let i = 0; i < msg.length; i += 16) {
    const block = msg.subarray(i, i + 16);
    const n = le(block) + (1n << BigInt(8 * block.length));
    acc = ((acc + n) * r) % p;
  }
  acc = (acc + s) & ((1n << 128n) - 1n);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = Number((acc >> BigInt(8 * i)) & 0xffn);
  return out;
}

describe("Poly1305 (RFC 8439 §2.5.2 test vector)", () => {
  const key = hex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
  const msg = new TextEncoder().encode("Cryptographic Forum Research Group");
  const tag = "a8061dc1305136c6c22b8baf0c0127a9";
  it("noble's poly1305, which the cipher uses, gives the RFC tag", () => {
    expect(toHex(poly1305(msg, key))).toBe(tag);
  });
  it("the test's own reference gives the RFC tag too", () => {
    expect(toHex(poly1305Reference(msg, key))).toBe(tag);
  });
});

describe("mpint encoding of the curve25519 shared secret (RFC 8731 §3.1, RFC 4251 §5)", () => {
  it("strips leading zero bytes", () => {
    const k = new Uint8Array(32);
    k[2] = 0x12;
    k[31] = 0x34;
    expect(toHex(sharedSecretMpint(k))).toBe("0000001e" + "12" + "00".repeat(28) + "34");
  });
  it("prepends 0x00 when the top bit is set", () => {
    const k = new Uint8Array(32).fill(0x01);
    k[0] = 0x80;
    expect(toHex(sharedSecretMpint(k))).toBe("00000021" + "00" + "80" + "01".repeat(31));
  });
  it("a zero byte then a high byte: strip, then prepend", () => {
    const k = new Uint8Array(32).fill(0xff);
    k[0] = 0;
    expect(toHex(sharedSecretMpint(k))).toBe("00000020" + "00" + "ff".repeat(31));
  });
  it("matches RFC 4251 §5's mpint examples for signed values", () => {
    const enc = (v: bigint) => toHex(new SshWriter().mpint(v).finish());
    expect(enc(0n)).toBe("00000000");
    expect(enc(0x9a378f9b2e332a7n)).toBe("0000000809a378f9b2e332a7");
    expect(enc(0x80n)).toBe("000000020080");
    expect(enc(-0x1234n)).toBe("00000002edcc");
    expect(enc(-0xdeadbeefn)).toBe("00000005ff21524111");
    for (const v of [0n, 0x80n, -0x1234n, -0xdeadbeefn, 0x9a378f9b2e332a7n]) {
      expect(new SshReader(new SshWriter().mpint(v).finish()).mpint()).toBe(v);
    }
  });
});

describe("key derivation (RFC 4253 §7.2)", () => {
  const K = sharedSecretMpint(Uint8Array.from({ length: 32 }, (_, i) => 255 - i));
  const H = createHash("sha256").update("exchange hash").digest();
  const sid = createHash("sha256").update("session id").digest();
  const sha = (...parts: Uint8Array[]) => new Uint8Array(createHash("sha256").update(Buffer.concat(parts.map((p) => Buffer.from(p)))).digest());

  it("K1 = HASH(K || H || X || session_id), extended with HASH(K || H || K1 ...)", () => {
    const k1 = sha(K, H, Buffer.from("C"), sid);
    const k2 = sha(K, H, k1);
    const k3 = sha(K, H, k1, k2);
    const expected = new Uint8Array([...k1, ...k2, ...k3]).subarray(0, 64 + 8);
    expect(toHex(deriveKey((d) => sha(d), K, H, "C", sid, 72))).toBe(toHex(expected));
  });
  it("different letters give different keys", () => {
    const d = (x: "A" | "D") => toHex(deriveKey((b) => sha(b), K, H, x, sid, 64));
    expect(d("A")).not.toBe(d("D"));
  });
});

describe("wire decoder limits", () => {
  it("a string length past the end is a ProtocolError", () => {
    expect(() => new SshReader(hex("0000ffff01")).string()).toThrow(ProtocolError);
  });
  it("a name-list with an empty name is a ProtocolError", () => {
    expect(() => new SshReader(new SshWriter().string("a,,b").finish()).nameList()).toThrow(ProtocolError);
  });
});

describe("base64 decoding is strict", () => {
  it("accepts canonical padded and unpadded forms", async () => {
    const { fromBase64 } = await import("../src/ssh/wire/bytes.js");
    expect(Buffer.from(fromBase64("AA==")!).toString("hex")).toBe("00");
    expect(Buffer.from(fromBase64("AAA=")!).toString("hex")).toBe("0000");
    expect(Buffer.from(fromBase64("AAA")!).toString("hex")).toBe("0000");
    expect(Buffer.from(fromBase64("aGVsbG8=")!).toString()).toBe("hello");
  });
  it("refuses misplaced or excess padding and non-zero leftover bits", async () => {
    const { fromBase64 } = await import("../src/ssh/wire/bytes.js");
    for (const bad of ["AA=", "AAAA==", "A===", "AB==", "A", "AA=A", "!!!!"]) expect(fromBase64(bad), bad).toBeNull();
  });
});
