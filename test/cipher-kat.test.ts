import { createCipheriv } from "node:crypto";
import fc from "fast-check";
import { poly1305 } from "@noble/ciphers/_poly1305.js";
import { beforeAll, describe, expect, it } from "vitest";
import { ChaCha20Poly1305Wasm } from "../src/ssh/cipher/chacha20-poly1305-wasm.js";
import { loadKernel, PACKET_OFFSET, type KernelKind, type WasmKernel } from "../src/ssh/cipher/wasm/loader.js";

// Known answers from sources independent of our code: OpenSSL's ChaCha20 through node:crypto for
// the cipher, RFC 8439 for Poly1305, and @noble's Poly1305 for edge cases of the reduction.

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/[\s:]/g, ""), "hex"));

/**
 * node:crypto's 'chacha20' is the RFC 8439 layout: a 16-byte IV whose first 4 bytes (little-endian)
 * are state word 12, the block counter, and the next 12 bytes words 13-15, the nonce. The original
 * ChaCha that OpenSSH uses has a 64-bit counter in words 12-13 and a 64-bit nonce in words 14-15, so
 * the same state is IV = LE32(counter low) || LE32(counter high = 0) || nonce, where the nonce is
 * the sequence number as a big-endian uint64 (OpenSSH PROTOCOL.chacha20poly1305).
 */
function opensslChaCha(key: Uint8Array, seq: number, counter: number, data: Uint8Array): Uint8Array {
  const iv = new Uint8Array(16);
  const view = new DataView(iv.buffer);
  view.setUint32(0, counter, true);
  view.setUint32(12, seq, false);
  return new Uint8Array(createCipheriv("chacha20", key, iv).update(data));
}

/** Poly1305 by our kernel directly (its test export), so RFC vectors reach it without ChaCha20. */
function kernelPoly1305(kernel: WasmKernel, key: Uint8Array, msg: Uint8Array): Uint8Array {
  const heap = kernel.bind({}, new Uint8Array(64), 64 + msg.length + 16);
  const keyAt = PACKET_OFFSET;
  const msgAt = PACKET_OFFSET + 64;
  const outAt = msgAt + msg.length;
  heap.set(key, keyAt);
  heap.set(msg, msgAt);
  kernel.exports.poly1305(keyAt, msgAt, msg.length, outAt);
  return heap.slice(outAt, outAt + 16);
}

for (const kind of ["simd", "scalar"] as KernelKind[]) {
  describe(`known answers (${kind} kernel)`, () => {
    let kernel: WasmKernel;
    beforeAll(async () => {
      const k = await loadKernel(kind);
      if (!k) throw new Error(`the ${kind} WebAssembly kernel did not load`);
      kernel = k;
    });

    it("Poly1305: RFC 8439 §2.5.2", () => {
      const key = hex("85:d6:be:78:57:55:6d:33:7f:44:52:fe:42:d5:06:a8:01:03:80:8a:fb:0d:b2:fd:4a:bf:f6:af:41:49:f5:1b");
      const msg = new TextEncoder().encode("Cryptographic Forum Research Group");
      expect(Buffer.from(kernelPoly1305(kernel, key, msg)).toString("hex")).toBe("a8061dc1305136c6c22b8baf0c0127a9");
    });

    it("Poly1305: the accumulator reaching p and wrapping 2^128 (worked by hand)", () => {
      // r = 2, s = 0, m = 16 x 0xff: h = (2^129 - 1) * 2 = 2^130 - 2 = 3 (mod 2^130 - 5).
      const r2 = new Uint8Array(32);
      r2[0] = 2;
      expect(kernelPoly1305(kernel, r2, new Uint8Array(16).fill(0xff))).toEqual(hex("03000000000000000000000000000000"));
      // r = 2, s = 2^128 - 1, m = 02 00..00: h = (2^128 + 2) * 2 = 2^129 + 4 (< p);
      // tag = (2^129 + 4 + 2^128 - 1) mod 2^128 = 3.
      const key = r2.slice();
      key.fill(0xff, 16);
      const m = new Uint8Array(16);
      m[0] = 2;
      expect(kernelPoly1305(kernel, key, m)).toEqual(hex("03000000000000000000000000000000"));
    });

    it("Poly1305: same tags as @noble on random and all-ones keys and messages", () => {
      const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
      const key = fc.oneof(bytes(32), fc.constant(new Uint8Array(32).fill(0xff)), bytes(16).map((s) => {
        const k = new Uint8Array(32).fill(0xff);
        k.set(s, 16);
        return k;
      }));
      const msg = fc.oneof(
        fc.uint8Array({ maxLength: 300 }),
        fc.integer({ min: 0, max: 300 }).map((n) => new Uint8Array(n).fill(0xff)),
      );
      fc.assert(
        fc.property(key, msg, (k, m) => {
          expect(kernelPoly1305(kernel, k, m)).toEqual(poly1305(m, k));
        }),
        { numRuns: 400 },
      );
    });

    it("chacha20-poly1305@openssh.com: length, body and tag as OpenSSL's ChaCha20 gives them", () => {
      const key = hex(
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" +
          "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf",
      );
      const k2 = key.subarray(0, 32);
      const k1 = key.subarray(32, 64);
      for (const [seq, body] of [[0, 8], [1, 200], [3, 1000], [0xfffffffe, 4096], [0xffffffff, 33000]] as const) {
        const buf = new Uint8Array(4 + body + 16);
        new DataView(buf.buffer).setUint32(0, body);
        for (let i = 4; i < 4 + body; i++) buf[i] = (i * 7 + seq) & 0xff;
        const plain = buf.slice();

        new ChaCha20Poly1305Wasm(key, kernel).seal(seq, buf);

        const expectedLength = opensslChaCha(k1, seq, 0, plain.subarray(0, 4));
        const expectedBody = opensslChaCha(k2, seq, 1, plain.subarray(4, 4 + body));
        expect(buf.subarray(0, 4)).toEqual(expectedLength);
        expect(Buffer.compare(buf.subarray(4, 4 + body), expectedBody)).toBe(0);
        // tag: Poly1305 keyed by K_2's block 0, over encrypted length || encrypted body
        const polyKey = opensslChaCha(k2, seq, 0, new Uint8Array(32));
        expect(buf.subarray(4 + body)).toEqual(poly1305(buf.subarray(0, 4 + body), polyKey));

        const receiver = new ChaCha20Poly1305Wasm(key, kernel);
        expect(receiver.decryptLength(seq, buf)).toBe(body);
        receiver.open(seq, buf);
        expect(Buffer.compare(buf.subarray(0, 4 + body), plain.subarray(0, 4 + body))).toBe(0);
      }
    });
  });
}
