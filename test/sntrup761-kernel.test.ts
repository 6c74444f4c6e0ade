/**
 * sntrup761's WebAssembly kernel (src/ssh/crypto/sntrup761-wasm/) against the JavaScript it
 * replaces (src/ssh/crypto/sntrup761.ts with @noble's SHA-512, which stays the fallback): the same
 * results on random and edge inputs for each operation, including the "garbage and mask -1" of r3Recip for a g that has no
 * inverse, and keys, ciphertexts and secrets that interoperate across the two paths.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  initSntrup761Kernel,
  sntrup761Arithmetic,
  sntrup761Decapsulate,
  sntrup761Encapsulate,
  sntrup761KeyPair,
} from "../src/ssh/crypto/sntrup761.js";
import { sntrup761Kernel, useSntrup761Kernel } from "../src/ssh/crypto/sntrup761-wasm/loader.js";

const P = 761;
const Q12 = 2295;

/** A seeded xorshift32, so a failure can be reproduced. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>>= 0);
  };
}

const small = (next: () => number): Int8Array => Int8Array.from({ length: P }, () => (next() % 3) - 1);
const inRq = (next: () => number): Int16Array => Int16Array.from({ length: P }, () => (next() % (2 * Q12 + 1)) - Q12);
/** Weight w = 286, as the secret f and the encapsulated r are. */
function short(next: () => number): Int8Array {
  const out = new Int8Array(P);
  let placed = 0;
  while (placed < 286) {
    const i = next() % P;
    if (out[i] === 0) {
      out[i] = next() & 1 ? 1 : -1;
      placed++;
    }
  }
  return out;
}

/**
 * A degree-19 factor of x^761 - x - 1 over F3 (coefficients from x^0 up; found by distinct-degree
 * factorization: gcd(x^(3^19) - x, x^761 - x - 1) mod 3), so as an element of R/3 it has no inverse.
 */
const FACTOR = [-1, -1, 0, -1, -1, -1, 1, -1, 1, -1, 0, -1, 1, 1, 1, 1, -1, 0, 1, 1];

/** Run `f` on the JavaScript path, then on the kernel, and return both results. */
function bothPaths<T>(f: () => T): { js: T; wasm: T } {
  useSntrup761Kernel(false);
  try {
    expect(sntrup761Kernel()).toBeNull();
    const js = f();
    useSntrup761Kernel(true);
    expect(sntrup761Kernel()).not.toBeNull();
    return { js, wasm: f() };
  } finally {
    useSntrup761Kernel(true);
  }
}

describe("sntrup761 WebAssembly kernel = JavaScript", () => {
  beforeAll(async () => {
    expect(await initSntrup761Kernel()).toBe(true);
  });
  afterAll(() => useSntrup761Kernel(true));

  const { rqRecip3, r3Recip, rqMultSmall, r3Mult, smallRandom, shortRandom, rqEncode, roundedEncode, rqDecode, roundedDecode, hashPrefix, smallEncode, smallDecode, roundToThrees, threeTimesMod3, forceWeight } =
    sntrup761Arithmetic;

  it("rqRecip3 (1/(3g) in R/q) for random short and small g, and the result is an inverse", () => {
    const next = rng(1);
    for (let n = 0; n < 6; n++) {
      const g = n % 2 ? short(next) : small(next);
      const { js, wasm } = bothPaths(() => rqRecip3(g));
      expect(wasm).toEqual(js);
      // 3g · (1/(3g)) = 1: the product with the small g, times 3, is the constant 1 mod q.
      const one = rqMultSmall(wasm, g).map((c) => ((((3 * c) % 4591) + 4591 + Q12) % 4591) - Q12);
      expect(Array.from(one)).toEqual([1, ...new Array<number>(P - 1).fill(0)]);
    }
  });

  it("r3Recip (1/g in R/3) for random small g: the inverse and mask 0", () => {
    const next = rng(2);
    for (let n = 0; n < 6; n++) {
      const g = small(next);
      const { js, wasm } = bothPaths(() => r3Recip(g));
      expect(wasm.mask).toBe(js.mask);
      expect(wasm.inverse).toEqual(js.inverse);
      if (js.mask === 0) expect(Array.from(r3Mult(g, wasm.inverse))).toEqual([1, ...new Array<number>(P - 1).fill(0)]);
    }
  });

  it("r3Recip of a g with no inverse (a factor of x^p - x - 1 mod 3, its multiple by x^100, zero): mask -1 on both paths, the same garbage", () => {
    const factor = new Int8Array(P);
    factor.set(FACTOR);
    const shifted = new Int8Array(P);
    shifted.set(FACTOR, 100);
    for (const g of [factor, shifted, new Int8Array(P)]) {
      const { js, wasm } = bothPaths(() => r3Recip(g));
      expect(js.mask).toBe(-1);
      expect(wasm.mask).toBe(-1);
      expect(wasm.inverse).toEqual(js.inverse);
    }
  });

  it("rqMultSmall (R/q by small) and r3Mult (small by small) on random inputs", () => {
    const next = rng(3);
    for (let n = 0; n < 6; n++) {
      const f = inRq(next);
      const g = small(next);
      const a = bothPaths(() => rqMultSmall(f, g));
      expect(a.wasm).toEqual(a.js);
      const h = small(next);
      const b = bothPaths(() => r3Mult(g, h));
      expect(b.wasm).toEqual(b.js);
    }
    // The extremes: every coefficient at ±(q-1)/2 times all ones.
    const edge = bothPaths(() => rqMultSmall(new Int16Array(P).fill(-Q12), new Int8Array(P).fill(-1)));
    expect(edge.wasm).toEqual(edge.js);
  });

  it("smallRandom and shortRandom (the sorting network) turn the same random bytes into the same vectors", () => {
    const next = rng(4);
    for (let n = 0; n < 4; n++) {
      // Words with every top bit and many equal high bits, then random ones: the sort's edge cases.
      const bytes = n === 0 ? new Uint8Array(4 * P).fill(0xff) : n === 1 ? new Uint8Array(4 * P) : Uint8Array.from({ length: 4 * P }, () => next() & 255);
      const a = bothPaths(() => smallRandom(() => bytes.slice()));
      expect(a.wasm).toEqual(a.js);
      const b = bothPaths(() => shortRandom(() => bytes.slice()));
      expect(b.wasm).toEqual(b.js);
      expect(b.wasm.reduce((w, c) => w + (c & 1), 0)).toBe(286);
    }
  });

  it("Encode and Decode (R/q and rounded) give the same bytes and values, for any bytes too", () => {
    const next = rng(5);
    for (let n = 0; n < 4; n++) {
      const h = n === 0 ? new Int16Array(P).fill(Q12) : n === 1 ? new Int16Array(P).fill(-Q12) : inRq(next);
      // Rounded as encapsulation rounds: to the nearest multiple of 3 (x - (x mod 3), mod 3 in -1..1).
      const rounded = h.map((x) => 3 * ((10923 * x + 16384) >> 15));
      const a = bothPaths(() => rqEncode(h));
      expect(a.wasm).toEqual(a.js);
      expect(a.wasm.length).toBe(1158);
      expect(bothPaths(() => rqDecode(a.wasm)).wasm).toEqual(h);
      const b = bothPaths(() => roundedEncode(rounded));
      expect(b.wasm).toEqual(b.js);
      expect(b.wasm.length).toBe(1007);
      expect(bothPaths(() => roundedDecode(b.wasm)).wasm).toEqual(rounded);
    }
    // Any byte string decodes (out-of-range encodings reduce) the same way on both paths.
    for (const fill of [0xff, 0x80, -1]) {
      const bytes = fill < 0 ? Uint8Array.from({ length: 1158 }, () => next() & 255) : new Uint8Array(1158).fill(fill);
      const c = bothPaths(() => rqDecode(bytes));
      expect(c.wasm).toEqual(c.js);
      const d = bothPaths(() => roundedDecode(bytes.subarray(0, 1007)));
      expect(d.wasm).toEqual(d.js);
    }
  });

  it("hashPrefix (SHA-512 of a prefix byte and parts, truncated) = @noble's = node:crypto's, across block boundaries", () => {
    const next = rng(6);
    // 1 + n bytes: 1 to 3 blocks, with the padding fitting or spilling into one more (111/112 mod 128).
    for (const n of [0, 63, 110, 111, 112, 126, 127, 128, 239, 240, 1158, 1190]) {
      const data = Uint8Array.from({ length: n }, () => next() & 255);
      const { js, wasm } = bothPaths(() => hashPrefix(n & 7, data.subarray(0, n >> 1), data.subarray(n >> 1)));
      expect(wasm).toEqual(js);
      const ref = new Uint8Array(createHash("sha512").update(Uint8Array.of(n & 7)).update(data).digest()).subarray(0, 32);
      expect(wasm).toEqual(ref);
    }
  });

  it("the per-coefficient steps: small encoding both ways, rounding to multiples of 3, (3x mod q) mod 3, the weight check", () => {
    const next = rng(7);
    for (let n = 0; n < 4; n++) {
      const v = n === 0 ? new Int8Array(P).fill(-1) : n === 1 ? new Int8Array(P).fill(1) : small(next);
      const enc = bothPaths(() => smallEncode(v));
      expect(enc.wasm).toEqual(enc.js);
      expect(enc.wasm.length).toBe(191);
      const dec = bothPaths(() => smallDecode(enc.wasm));
      expect(dec.wasm).toEqual(dec.js);
      expect(dec.wasm).toEqual(v);
      const h = inRq(next);
      const rounded = bothPaths(() => roundToThrees(h.slice()));
      expect(rounded.wasm).toEqual(rounded.js);
      const e = bothPaths(() => threeTimesMod3(h));
      expect(e.wasm).toEqual(e.js);
    }
    // Any byte decodes (the value 3 of a two-bit field becomes 2, as in the reference).
    const junk = Uint8Array.from({ length: 191 }, () => next() & 255);
    const d = bothPaths(() => smallDecode(junk));
    expect(d.wasm).toEqual(d.js);
    // Weight 286 passes unchanged; any other weight gives the fixed vector.
    const good = short(next);
    for (const v of [good, small(next), new Int8Array(P)]) {
      const w = bothPaths(() => forceWeight(v));
      expect(w.wasm).toEqual(w.js);
      expect(w.wasm.reduce((sum, c) => sum + (c & 1), 0)).toBe(286);
    }
    expect(forceWeight(good)).toEqual(good);
  });

  it("keys, ciphertexts and secrets interoperate across the two paths", () => {
    // Key pairs from each path; each is encapsulated to on both paths and decapsulated on both.
    const keys = bothPaths(() => sntrup761KeyPair());
    const enc = bothPaths(() => [sntrup761Encapsulate(keys.js.publicKey), sntrup761Encapsulate(keys.wasm.publicKey)] as const);
    const dec = bothPaths(() => [
      sntrup761Decapsulate(enc.wasm[0].ciphertext, keys.js.secretKey),
      sntrup761Decapsulate(enc.js[1].ciphertext, keys.wasm.secretKey),
    ]);
    expect(dec.js[0]).toEqual(enc.wasm[0].sharedSecret);
    expect(dec.wasm[0]).toEqual(enc.wasm[0].sharedSecret);
    expect(dec.js[1]).toEqual(enc.js[1].sharedSecret);
    expect(dec.wasm[1]).toEqual(enc.js[1].sharedSecret);
  });
});
