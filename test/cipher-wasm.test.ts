import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ChaCha20Poly1305 } from "../src/ssh/cipher/chacha20-poly1305.js";
import { ChaCha20Poly1305Wasm } from "../src/ssh/cipher/chacha20-poly1305-wasm.js";
import { loadKernel, simdSupported, type KernelKind, type WasmKernel } from "../src/ssh/cipher/wasm/loader.js";
import { ProtocolError } from "../src/ssh/errors.js";

// The WebAssembly kernel against @noble/ciphers (the reference implementation), byte for byte, on
// both kernels: "simd" (what Node, Deno, Bun and current browsers run) and "scalar" (the fallback
// for runtimes without WebAssembly SIMD, forced here by loading it directly).

/** Deterministic filler so fast-check can shrink and replay: xorshift32 from a seed. */
function fill(buf: Uint8Array, seed: number): Uint8Array {
  let x = seed | 1;
  for (let i = 0; i < buf.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf[i] = x;
  }
  return buf;
}

/**
 * Index of the first byte where a and b differ (or the shorter length), -1 when equal. vitest's
 * toEqual walks typed arrays element by element, far too slowly for megabyte packets.
 */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** A packet buffer: 4-byte length, `body` bytes (a multiple of 8, as the protocol requires), tag. */
function packet(body: number, seed: number): Uint8Array {
  const buf = fill(new Uint8Array(4 + body + 16), seed);
  new DataView(buf.buffer).setUint32(0, body);
  return buf;
}

const key64 = fc.uint8Array({ minLength: 64, maxLength: 64 });
const seqNumber = fc.oneof(fc.constantFrom(0, 1, 0x7fffffff, 0x80000000, 0xffffffff), fc.nat({ max: 0xffffffff }));
const bodyLength = fc.oneof(
  fc.integer({ min: 0, max: 8750 }).map((k) => 8 * k), // 0 .. 70000 bytes
  fc.constantFrom(0, 8, 184, 192, 200, 376, 384, 392, 1016, 32776, 70000), // around the 192-byte chunks
);

const kinds: KernelKind[] = ["simd", "scalar"];

it("runs the SIMD kernel on this runtime (Node 20 has WebAssembly SIMD)", () => {
  expect(simdSupported()).toBe(true);
});

for (const kind of kinds) {
  describe(`wasm kernel (${kind})`, () => {
    let kernel: WasmKernel;
    beforeAll(async () => {
      const k = await loadKernel(kind);
      if (!k) throw new Error(`the ${kind} WebAssembly kernel did not load`);
      kernel = k;
    });

    it("seals exactly as @noble does, decrypts the same length, and opens its own packets", () => {
      fc.assert(
        fc.property(key64, seqNumber, bodyLength, fc.integer(), (key, seq, body, seed) => {
          const plain = packet(body, seed);
          const ours = plain.slice();
          const ref = plain.slice();
          new ChaCha20Poly1305Wasm(key, kernel).seal(seq, ours);
          new ChaCha20Poly1305(key).seal(seq, ref);
          expect(firstDifference(ours, ref)).toBe(-1);

          const receiver = new ChaCha20Poly1305Wasm(key, kernel);
          expect(receiver.decryptLength(seq, ours.subarray(0, 4))).toBe(body);
          receiver.open(seq, ours);
          expect(firstDifference(ours.subarray(0, 4 + body), plain.subarray(0, 4 + body))).toBe(-1);
        }),
        { numRuns: 200 },
      );
    });

    it("opens what @noble sealed", () => {
      fc.assert(
        fc.property(key64, seqNumber, bodyLength, fc.integer(), (key, seq, body, seed) => {
          const plain = packet(body, seed);
          const wire = plain.slice();
          new ChaCha20Poly1305(key).seal(seq, wire);
          new ChaCha20Poly1305Wasm(key, kernel).open(seq, wire);
          expect(firstDifference(wire.subarray(0, 4 + body), plain.subarray(0, 4 + body))).toBe(-1);
        }),
        { numRuns: 100 },
      );
    });

    it("rejects any changed byte with ProtocolError and leaves the buffer exactly as it was", () => {
      fc.assert(
        fc.property(key64, seqNumber, fc.integer({ min: 0, max: 600 }), fc.integer(), fc.nat(), fc.integer({ min: 1, max: 255 }),
          (key, seq, k, seed, where, flip) => {
            const body = 8 * k;
            const wire = packet(body, seed);
            new ChaCha20Poly1305Wasm(key, kernel).seal(seq, wire);
            wire[where % wire.length]! ^= flip;
            const tampered = wire.slice();
            expect(() => new ChaCha20Poly1305Wasm(key, kernel).open(seq, wire)).toThrow(ProtocolError);
            expect(firstDifference(wire, tampered)).toBe(-1);
          }),
        { numRuns: 200 },
      );
    });

    it("rejects a packet opened under the wrong sequence number or key", () => {
      const key = fill(new Uint8Array(64), 7);
      const wire = packet(1000, 3);
      new ChaCha20Poly1305Wasm(key, kernel).seal(41, wire);
      const copy = wire.slice();
      expect(() => new ChaCha20Poly1305Wasm(key, kernel).open(42, wire)).toThrow(/message authentication failed/);
      const otherKey = key.slice();
      otherKey[0]! ^= 1;
      expect(() => new ChaCha20Poly1305Wasm(otherKey, kernel).open(41, wire)).toThrow(ProtocolError);
      expect(firstDifference(wire, copy)).toBe(-1);
    });

    it("handles the largest packets OpenSSH sends (256 KiB) and larger, growing its memory", () => {
      const key = fill(new Uint8Array(64), 11);
      for (const body of [256 * 1024, 256 * 1024 + 8, 1024 * 1024]) {
        const plain = packet(body, body);
        const ours = plain.slice();
        const ref = plain.slice();
        new ChaCha20Poly1305Wasm(key, kernel).seal(5, ours);
        new ChaCha20Poly1305(key).seal(5, ref);
        expect(firstDifference(ours, ref)).toBe(-1);
        new ChaCha20Poly1305Wasm(key, kernel).open(5, ours);
        expect(firstDifference(ours.subarray(0, 4 + body), plain.subarray(0, 4 + body))).toBe(-1);
      }
    });

    it("keeps ciphers that share the kernel apart (each call loads its own key)", () => {
      const keyA = fill(new Uint8Array(64), 21);
      const keyB = fill(new Uint8Array(64), 22);
      const a = new ChaCha20Poly1305Wasm(keyA, kernel);
      const b = new ChaCha20Poly1305Wasm(keyB, kernel);
      const refA = new ChaCha20Poly1305(keyA);
      const refB = new ChaCha20Poly1305(keyB);
      for (let seq = 0; seq < 6; seq++) {
        for (const [ours, ref] of [[a, refA], [b, refB]] as const) {
          const x = packet(64 + 200 * seq, seq);
          const y = x.slice();
          ours.seal(seq, x);
          ref.seal(seq, y);
          expect(firstDifference(x, y)).toBe(-1);
        }
      }
    });

    it("does not keep a reference to the caller's key", () => {
      const key = fill(new Uint8Array(64), 31);
      const cipher = new ChaCha20Poly1305Wasm(key, kernel);
      const expected = packet(48, 1);
      new ChaCha20Poly1305(key.slice()).seal(9, expected);
      key.fill(0);
      const ours = packet(48, 1);
      cipher.seal(9, ours);
      expect(firstDifference(ours, expected)).toBe(-1);
    });

    it("refuses buffers too short to be a packet, with ProtocolError", () => {
      const cipher = new ChaCha20Poly1305Wasm(new Uint8Array(64), kernel);
      expect(() => cipher.seal(0, new Uint8Array(19))).toThrow(ProtocolError);
      expect(() => cipher.open(0, new Uint8Array(19))).toThrow(ProtocolError);
      expect(() => cipher.decryptLength(0, new Uint8Array(3))).toThrow(ProtocolError);
      expect(() => new ChaCha20Poly1305Wasm(new Uint8Array(32), kernel)).toThrow(/64 bytes of key/);
    });
  });
}
