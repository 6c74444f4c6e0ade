/**
 * sntrup761: Streamlined NTRU Prime with p = 761, q = 4591, w = 286, the KEM half of
 * sntrup761x25519-sha512 (OpenSSH's default key exchange from 9.0 to 9.8).
 *
 * Spec: D. J. Bernstein, B. B. Brumley, M.-S. Chen, C. Chuengsatiansup, T. Lange, A. Marotzke,
 * B.-Y. Peng, N. Tuveri, C. van Vredendaal, B.-Y. Yang, "NTRU Prime: round 3" (NIST PQC submission,
 * 2020-10-07), https://ntruprime.cr.yp.to/ : Streamlined NTRU Prime Core, its KEM, the encodings
 * and hashing, the sntrup761 parameters. Checked against OpenSSH's sntrup761.c (supercop
 * crypto_kem/sntrup761/compact) for the byte-level details: how randomness is drawn (4·p bytes
 * in one call, little-endian 32-bit words), the hash prefixes and the secret key layout. Keys,
 * ciphertexts and secrets match the submission's KAT (test/sntrup761-kat.test.ts).
 *
 *   R  = Z[x]/(x^p - x - 1);  R/q is a field (x^p - x - 1 is irreducible mod q), R/3 is not.
 *   KeyGen:  g small and invertible in R/3, f short (weight w); h = g / (3f) in R/q.
 *            pk = Encode_q(h);  sk = Small(f) || Small(1/g in R/3) || pk || rho || Hash4(pk)
 *   Encaps:  r short; c = Round(h·r); C = Encode_rounded(c) || HashConfirm(r, pk);
 *            K = HashSession(1, r, C)
 *   Decaps:  e = (3f·c mod q) mod 3; r' = e / g in R/3 (forced to weight w); re-encapsulate r';
 *            if that gives C again K = HashSession(1, r', C), else K = HashSession(0, rho, C)
 *            (implicit rejection: a bad ciphertext yields a pseudorandom key, never an error).
 *
 * Constant time as far as JavaScript allows: no branch and no array index depends on a secret.
 * Conditional swaps and selections are masks; the inversions are the reference's fixed-length
 * divstep loops (Bernstein-Yang), the short-vector sampler sorts with a fixed comparator network.
 * Encode/Decode branch and divide only on public data (public keys and ciphertexts).
 *
 * WebAssembly kernel (./sntrup761-wasm/: hand-written WAT, SIMD): once `initSntrup761Kernel()`
 * has resolved true (the key exchange awaits it when sntrup761 is negotiated), every step below
 * that loops over coefficients or bytes runs there instead, with the same results: the two
 * inversions, the products with a small factor, the two samplers, Encode/Decode, the small
 * encoding, the per-coefficient steps of decapsulation and SHA-512; the KEM functions here only
 * chain the calls. Why: this JavaScript is fast only after V8 has optimized it, and the first key
 * generation of a process ran 45-80 ms of CPU before that (5 ms warm), while optimizing the
 * decapsulation alone took ~20 ms of CPU a few handshakes later. The kernel is compiled ahead of
 * its first call and is faster warm too (f32x4 divsteps for R/q, v128 bit-slices for R/3, i32x4
 * products): key generation 0.8 ms, the first one of a process ~10 ms with the instantiation
 * (bench/RESULTS.md). It keeps the constant-time discipline: no branch and no memory index depends
 * on a secret, loop bounds only on public counters. Where WebAssembly or SIMD is unavailable or
 * forbidden (a CSP), the functions here run as before; they stay the reference that
 * test/sntrup761-kernel.test.ts compares the kernel with, and test/sntrup761-kat.test.ts runs the
 * KAT through both.
 */
import { sha512 } from "@noble/hashes/sha2.js";
import { initSntrup761Kernel as loadKernel, sntrup761Kernel } from "./sntrup761-wasm/loader.js";

const P = 761;
const Q = 4591;
const W = 286;
const Q12 = (Q - 1) / 2; // 2295: Fq elements are kept in -Q12..Q12
const ROUNDED_M = (Q + 2) / 3; // 1531: a rounded coefficient is 3·k - Q12 with 0 <= k < 1531

const HASH_BYTES = 32;
const SMALL_BYTES = (P + 3) / 4; // 191: four coefficients in -1..1 per byte
const RQ_BYTES = 1158; // Encode of 761 values mod 4591
const ROUNDED_BYTES = 1007; // Encode of 761 values mod 1531

export const SNTRUP761_PUBLIC_KEY_BYTES = RQ_BYTES;
export const SNTRUP761_SECRET_KEY_BYTES = 2 * SMALL_BYTES + RQ_BYTES + SMALL_BYTES + HASH_BYTES; // 1763
export const SNTRUP761_CIPHERTEXT_BYTES = ROUNDED_BYTES + HASH_BYTES; // 1039
export const SNTRUP761_SHARED_SECRET_BYTES = HASH_BYTES;

export type RandomBytes = (n: number) => Uint8Array;

const systemRandom: RandomBytes = (n) => crypto.getRandomValues(new Uint8Array(n));

// ---- masks (x is a small signed integer)

/** -1 if x != 0, else 0. */
const nonzeroMask = (x: number): number => ((x | -x) >> 31) | 0;
/** -1 if x < 0, else 0. */
const negativeMask = (x: number): number => x >> 31;

// ---- arithmetic mod 3 and mod q

/** x mod 3 in -1..1, for |x| < 2^14 (the reference's multiply-and-shift: 10923/2^15 is 1/3 to 2^-15). */
const freeze3 = (x: number): number => x - 3 * ((10923 * x + 16384) >> 15);

/**
 * x mod q in -Q12..Q12, for integers |x| < 2^50, in double arithmetic: x/q is never within 1/(2q) of
 * a half-integer and the product's rounding error is far below that, so the nearest integer is
 * exact; no division, and floor is one instruction (roundsd) on current CPUs. Doubles instead of
 * the reference's int32 Barrett steps because they let the inversion below reduce lazily.
 */
const INV_Q = 1 / Q;
const freezeQ = (x: number): number => x - Q * Math.floor(x * INV_Q + 0.5);

/** 1/a in Fq as a^(q-2), a fixed-length loop (a may be secret: the leading coefficient below). */
function recipQ(a: number): number {
  let ai = a;
  for (let i = 1; i < Q - 2; i++) ai = freezeQ(a * ai);
  return ai;
}

// ---- polynomials in R/3 and R/q, length P, reduced mod x^p - x - 1

/** Fold a product of length 2P-1 (at least) back mod x^p - x - 1 (x^p = x + 1). */
function foldProduct(fg: Int32Array): void {
  for (let i = P; i < 2 * P - 1; i++) fg[i - P] += fg[i];
  for (let i = P; i < 2 * P - 1; i++) fg[i - P + 1] += fg[i];
}

/** 2^23: the spacing of the two lanes of a packed double in `convolveSmall`. */
const LANE = 2 ** 23;
const INV_LANE = 2 ** -23;

/**
 * The plain product f·g (length 2P-1, not yet folded) for |f| <= Q12 and g small: two products per
 * multiply. Each double of `gp` holds g[t] + 2^23·g[t+1], so one accumulator sums coefficient k of
 * the product in its low lane and coefficient k+1 in its high lane, and only even k are looped over.
 * Exact: a coefficient's magnitude is at most 761·2295 < 2^21, so a sum stays below 2^21 + 2^44,
 * inside a double's 53 bits, and the nearest integer of sum/2^23 is the high lane (the low one is
 * below 2^22 in magnitude). Loop bounds depend only on P.
 */
function convolveSmall(f: ArrayLike<number>, g: Int8Array): Int32Array {
  const fd = Float64Array.from(f);
  const gp = new Float64Array(P + 1); // gp[t + 1] for t = -1 .. P-1, g being 0 outside 0 .. P-1
  gp[0] = LANE * g[0];
  for (let t = 0; t < P - 1; t++) gp[t + 1] = g[t] + LANE * g[t + 1];
  gp[P] = g[P - 1];
  const fg = new Int32Array(2 * P); // one spare slot: the high lane of k = 2P-2 is always 0
  for (let k = 0; k < 2 * P - 1; k += 2) {
    const lo = k < P ? 0 : k - P + 1;
    const hi = k + 1 < P ? k + 1 : P - 1;
    let acc = 0;
    for (let i = lo; i <= hi; i++) acc += fd[i] * gp[k + 1 - i];
    const high = Math.round(acc * INV_LANE);
    fg[k] = acc - high * LANE;
    fg[k + 1] = high;
  }
  fd.fill(0);
  gp.fill(0);
  return fg;
}

/** h = f·g in R/q, with g small (coefficients -1..1). */
function rqMultSmall(f: Int16Array, g: Int8Array): Int16Array {
  const kernel = sntrup761Kernel();
  if (kernel) return kernel.rqMultSmall(f, g);
  const fg = convolveSmall(f, g);
  foldProduct(fg);
  const h = new Int16Array(P);
  for (let i = 0; i < P; i++) h[i] = freezeQ(fg[i]);
  fg.fill(0);
  return h;
}

/** h = f·g in R/3. */
function r3Mult(f: Int8Array, g: Int8Array): Int8Array {
  const kernel = sntrup761Kernel();
  if (kernel) return kernel.r3Mult(f, g);
  const fg = convolveSmall(f, g);
  foldProduct(fg);
  const h = new Int8Array(P);
  for (let i = 0; i < P; i++) h[i] = freeze3(fg[i]);
  fg.fill(0);
  return h;
}

/*
 * Inversion by constant-time divsteps (Bernstein-Yang 2019, "Fast constant-time gcd computation and
 * modular inversion", as in the round-3 reference's R3_recip / Rq_recip3). f starts as x^p - x - 1
 * and g as the input, both reversed (index 0 holds the leading coefficient). Each of the 2p-1 steps
 * swaps them when delta > 0 and g[0] != 0, cancels g[0] against f[0] and divides g by x; v and r
 * follow along as the input's Bezout coefficients (v is multiplied by x each step). At the end
 * delta = 0 exactly when the input was invertible, and v/f[0], reversed, is the inverse.
 */

/** R/3 elements bit-sliced: coefficient i is bit i of `m` (nonzero) and of `s` (negative, only where m is). */
const WORDS = 24; // 768 bits hold the P + 1 coefficients of f, g, v, r

/*
 * x + b over F3 for 32 coefficients at once, each operand as its (m, s) words (written out in the
 * loops below): where both are nonzero, equal terms give 2 = -1 (the sign flips) and opposite ones
 * cancel:  doubled = xm & bm & ~(xs ^ bs);  m = (xm ^ bm) | doubled;
 *          s = (xs & ~bm) | (bs & ~xm) | (doubled & ~xs).
 */

/**
 * 1/g in R/3 and mask 0, or garbage and mask -1 when g is not invertible. R/3 arithmetic is a few
 * bit operations per 32 coefficients, over ten times faster than a coefficient at a time. Bits above
 * index P (v and r shift up into them) never flow back down and are never read.
 */
function r3Recip(input: Int8Array): { inverse: Int8Array; mask: number } {
  const kernel = sntrup761Kernel();
  if (kernel) return kernel.r3Recip(input);
  const [fm, fs, gm, gs, vm, vs, rm, rs] = Array.from({ length: 8 }, () => new Int32Array(WORDS));
  const setBit = (plane: Int32Array, i: number, bit: number): void => {
    plane[i >> 5] |= bit << (i & 31);
  };
  rm[0] = 1;
  for (const i of [0, P - 1, P]) setBit(fm, i, 1); // x^p - x - 1, reversed: 1, 0, ..., 0, -1, -1
  setBit(fs, P - 1, 1);
  setBit(fs, P, 1);
  for (let i = 0; i < P; i++) {
    setBit(gm, P - 1 - i, input[i] & 1); // -1 and 1 are odd
    setBit(gs, P - 1 - i, (input[i] >> 1) & 1); // only -1 has bit 1 set
  }
  let delta = 1;
  for (let loop = 0; loop < 2 * P - 1; loop++) {
    // v *= x: every coefficient moves up one bit.
    for (let k = WORDS - 1; k > 0; k--) {
      vm[k] = (vm[k] << 1) | (vm[k - 1] >>> 31);
      vs[k] = (vs[k] << 1) | (vs[k - 1] >>> 31);
    }
    vm[0] <<= 1;
    vs[0] <<= 1;
    const f0m = fm[0] & 1, f0s = fs[0] & 1, g0m = gm[0] & 1, g0s = gs[0] & 1;
    const swap = negativeMask(-delta) & -g0m;
    delta ^= swap & (delta ^ -delta);
    delta += 1;
    // The multiplier -g0·f0 (f0 = ±1 is its own inverse), as masks; symmetric, so swap-proof.
    const cm = -(f0m & g0m);
    const cs = -(~(f0s ^ g0s) & 1);
    for (let k = 0; k < WORDS; k++) {
      const t = swap & (fm[k] ^ gm[k]);
      const u = swap & (fs[k] ^ gs[k]);
      const am = fm[k] ^ t, as = fs[k] ^ u;
      fm[k] = am;
      fs[k] = as;
      const bm = am & cm;
      const bs = (as ^ cs) & bm;
      const xm = gm[k] ^ t, xs = gs[k] ^ u;
      // f3Add inlined by hand: its [m, s] array would be an allocation per word and step until the
      // optimizing compiler removes it, and the first key generation runs before that happens.
      const doubled = xm & bm & ~(xs ^ bs);
      gm[k] = (xm ^ bm) | doubled;
      gs[k] = (xs & ~bm) | (bs & ~xm) | (doubled & ~xs);
    }
    // g /= x: g[0] is now zero; every coefficient moves down one bit.
    for (let k = 0; k < WORDS - 1; k++) {
      gm[k] = (gm[k] >>> 1) | (gm[k + 1] << 31);
      gs[k] = (gs[k] >>> 1) | (gs[k + 1] << 31);
    }
    gm[WORDS - 1] >>>= 1;
    gs[WORDS - 1] >>>= 1;
    for (let k = 0; k < WORDS; k++) {
      const t = swap & (vm[k] ^ rm[k]);
      const u = swap & (vs[k] ^ rs[k]);
      const am = vm[k] ^ t, as = vs[k] ^ u;
      vm[k] = am;
      vs[k] = as;
      const bm = am & cm;
      const bs = (as ^ cs) & bm;
      const xm = rm[k] ^ t, xs = rs[k] ^ u;
      const doubled = xm & bm & ~(xs ^ bs);
      rm[k] = (xm ^ bm) | doubled;
      rs[k] = (xs & ~bm) | (bs & ~xm) | (doubled & ~xs);
    }
  }
  const inverse = new Int8Array(P);
  const f0s = fs[0] & 1;
  for (let i = 0; i < P; i++) {
    const j = P - 1 - i;
    const m = (vm[j >> 5] >>> (j & 31)) & 1;
    const s = ((vs[j >> 5] >>> (j & 31)) & 1) ^ f0s;
    inverse[i] = m - 2 * (m & s);
  }
  return { inverse, mask: nonzeroMask(delta) };
}

/**
 * 1/(3·f) in R/q; always exists for nonzero f (R/q is a field). Two bounds on the public step
 * counter save a quarter of the work without changing any result: the last n steps read only
 * f[0..n-1] and g[0..n-1] (n divsteps depend only on the first n terms), so later steps update fewer
 * of them; and v, r are zero beyond index loop+1 (v starts at 0 and gains one place per step).
 *
 * Coefficients are doubles. The multipliers f0, g0 are reduced every step, so a step multiplies the
 * others' bound by at most 2·Q12 < 2^13: from Q12 < 2^12, three steps stay below 2^48, where doubles
 * are exact, and then all are reduced again (freezeQ is exact there too). A third of the reductions,
 * and a tight inner loop. Swaps are arithmetic (s·(g - f) with s in {0, 1}) because XOR masks do
 * not apply to doubles.
 */
function rqRecip3(input: Int8Array): Int16Array {
  const kernel = sntrup761Kernel();
  if (kernel) return kernel.rqRecip3(input);
  const [f, g, v, r] = Array.from({ length: 4 }, () => new Float64Array(P + 1));
  r[0] = recipQ(3);
  f[0] = 1;
  f[P - 1] = f[P] = -1;
  for (let i = 0; i < P; i++) g[P - 1 - i] = input[i];
  let delta = 1;
  for (let loop = 0; loop < 2 * P - 1; loop++) {
    v.copyWithin(1, 0, P);
    v[0] = 0;
    const fl = freezeQ(f[0]);
    const gl = freezeQ(g[0]);
    const swapMask = negativeMask(-delta) & nonzeroMask(gl);
    delta ^= swapMask & (delta ^ -delta);
    delta += 1;
    const s = swapMask & 1;
    const f0 = fl + s * (gl - fl);
    const g0 = gl - s * (gl - fl);
    const fgEnd = Math.min(P, 2 * P - 2 - loop);
    f[0] = f0;
    for (let i = 1; i <= fgEnd; i++) {
      const d = s * (g[i] - f[i]);
      const fi = f[i] + d;
      f[i] = fi;
      // g = (f0·g - g0·f) / x: the i = 0 term is f0·g0 - g0·f0 = 0 and drops off.
      g[i - 1] = f0 * (g[i] - d) - g0 * fi;
    }
    g[fgEnd] = 0;
    const live = Math.min(P, loop + 1);
    for (let i = 0; i <= live; i++) {
      const d = s * (r[i] - v[i]);
      const vi = v[i] + d;
      v[i] = vi;
      r[i] = f0 * (r[i] - d) - g0 * vi;
    }
    if (loop % 3 === 2) {
      for (let i = 0; i <= fgEnd; i++) {
        f[i] = freezeQ(f[i]);
        g[i] = freezeQ(g[i]);
      }
      for (let i = 0; i <= live; i++) {
        v[i] = freezeQ(v[i]);
        r[i] = freezeQ(r[i]);
      }
    }
  }
  const out = new Int16Array(P);
  const scale = recipQ(freezeQ(f[0]));
  for (let i = 0; i < P; i++) out[i] = freezeQ(scale * freezeQ(v[P - 1 - i]));
  return out;
}

/**
 * The arithmetic under the KEM, each using the WebAssembly kernel when it is loaded and enabled:
 * test/sntrup761-kernel.test.ts compares the kernel with the JavaScript through these.
 */
export const sntrup761Arithmetic = { rqRecip3, r3Recip, rqMultSmall, r3Mult, smallRandom, shortRandom, rqEncode, roundedEncode, rqDecode, roundedDecode, hashPrefix, smallEncode, smallDecode, roundToThrees, threeTimesMod3, forceWeight };

// ---- randomness: 4·p bytes in one call, read as little-endian uint32 (as OpenSSH's sntrup761.c and
// PQClean since 2020-09 draw it; the 2020 reference drew 4 bytes per call, which changes the KAT)

function randomVector(random: RandomBytes): Uint8Array {
  const bytes = random(4 * P);
  if (bytes.length !== 4 * P) throw new Error(`sntrup761: the random source gave ${bytes.length} bytes, not ${4 * P}`);
  return bytes;
}

function randomWords(random: RandomBytes): Int32Array {
  const bytes = randomVector(random);
  const words = new Int32Array(P);
  for (let i = 0; i < P; i++) words[i] = bytes[4 * i] | (bytes[4 * i + 1] << 8) | (bytes[4 * i + 2] << 16) | (bytes[4 * i + 3] << 24);
  bytes.fill(0);
  return words;
}

/** A random small polynomial: each coefficient floor(3·(L mod 2^30) / 2^30) - 1, nearly uniform in -1..1. */
function smallRandom(random: RandomBytes): Int8Array {
  const kernel = sntrup761Kernel();
  if (kernel) {
    const bytes = randomVector(random);
    const out = kernel.smallFromRandom(bytes);
    bytes.fill(0);
    return out;
  }
  const words = randomWords(random);
  const out = new Int8Array(P);
  // (L & 0x3fffffff)·3 < 2^32 is exact in a double, and >>> 30 floors it.
  for (let i = 0; i < P; i++) out[i] = (((words[i] & 0x3fffffff) * 3) >>> 30) - 1;
  words.fill(0);
  return out;
}

/**
 * A random short polynomial (exactly w coefficients ±1): tag w words "nonzero" (bit 0 clear, bit 1
 * random: ±1) and the rest "zero" (low bits 01), sort them by the random high bits, read the low bits.
 * Sorting as unsigned: flip the top bit and sort as signed int32.
 */
function shortRandom(random: RandomBytes): Int8Array {
  const kernel = sntrup761Kernel();
  if (kernel) {
    const bytes = randomVector(random);
    const out = kernel.shortFromRandom(bytes);
    bytes.fill(0);
    return out;
  }
  const words = randomWords(random);
  for (let i = 0; i < W; i++) words[i] = (words[i] & ~1) ^ 0x80000000;
  for (let i = W; i < P; i++) words[i] = ((words[i] & ~3) | 1) ^ 0x80000000;
  sortInt32(words);
  const out = new Int8Array(P);
  for (let i = 0; i < P; i++) out[i] = (words[i] & 3) - 1;
  words.fill(0);
  return out;
}

/**
 * Sort ascending with Batcher's merge exchange (Knuth, TAOCP vol. 3, §5.2.2 Algorithm M): which
 * pairs are compared depends only on the length, and each compare-exchange is branch-free.
 */
function sortInt32(x: Int32Array): void {
  const n = x.length;
  let t = 0;
  while (1 << t < n) t++;
  for (let p = 1 << (t - 1); p > 0; p >>= 1) {
    let q = 1 << (t - 1);
    let r = 0;
    let d = p;
    for (;;) {
      for (let i = 0; i < n - d; i++) {
        if ((i & p) !== r) continue;
        const a = x[i];
        const b = x[i + d];
        // c = -1 when b < a, computed without a comparison; when a and b differ in sign, b - a may
        // overflow, and the sign of b alone decides (the `ab & (c ^ b)` line).
        const ab = a ^ b;
        let c = (b - a) | 0;
        c ^= ab & (c ^ b);
        c = (c >> 31) & ab;
        x[i] = a ^ c;
        x[i + d] = b ^ c;
      }
      if (q === p) break;
      d = q - p;
      q >>= 1;
      r = p;
    }
  }
}

// ---- encodings

/** Small: coefficient + 1 in two bits, four to a byte, low bits first. */
function smallEncode(f: Int8Array): Uint8Array {
  const kernel = sntrup761Kernel();
  if (kernel) return kernel.smallEncode(f);
  const s = new Uint8Array(SMALL_BYTES);
  for (let i = 0; i < P; i++) s[i >> 2] |= (f[i] + 1) << (2 * (i & 3));
  return s;
}

function smallDecode(s: Uint8Array): Int8Array {
  const kernel = sntrup761Kernel();
  if (kernel) return kernel.smallDecode(s);
  const f = new Int8Array(P);
  for (let i = 0; i < P; i++) f[i] = ((s[i >> 2] >> (2 * (i & 3))) & 3) - 1;
  return f;
}

/**
 * The spec's Encode: values 0 <= R[i] < M[i] <= 16384 packed near the information-theoretic
 * minimum. Neighbours merge pairwise into one value mod M[i]·M[i+1], whose low bytes are emitted
 * until the modulus is below 2^14; the halved list recurses; the last value is written in full.
 */
function encode(R: ArrayLike<number>, M: ArrayLike<number>, out: number[]): void {
  const len = R.length;
  if (len === 1) {
    let r = R[0];
    for (let m = M[0]; m > 1; m = (m + 255) >>> 8) {
      out.push(r & 255);
      r >>>= 8;
    }
    return;
  }
  const half = (len + 1) >> 1;
  const R2 = new Array<number>(half);
  const M2 = new Array<number>(half);
  for (let i = 0; i + 1 < len; i += 2) {
    let r = R[i] + R[i + 1] * M[i];
    let m = M[i + 1] * M[i];
    for (; m >= 16384; m = (m + 255) >>> 8) {
      out.push(r & 255);
      r >>>= 8;
    }
    R2[i >> 1] = r;
    M2[i >> 1] = m;
  }
  if (len & 1) {
    R2[half - 1] = R[len - 1];
    M2[half - 1] = M[len - 1];
  }
  encode(R2, M2, out);
}

/**
 * The inverse of `encode`; any byte string decodes (out-of-range values reduce mod M[i]), as in the
 * reference, so a malformed ciphertext reaches the re-encryption check instead of an error.
 */
function decode(S: Uint8Array, at: number, M: ArrayLike<number>): number[] {
  const len = M.length;
  if (len === 1) {
    const m = M[0];
    if (m === 1) return [0];
    return [(m <= 256 ? S[at] : S[at] | (S[at + 1] << 8)) % m];
  }
  const half = (len + 1) >> 1;
  const M2 = new Array<number>(half);
  const bottomR = new Array<number>(len >> 1);
  const bottomT = new Array<number>(len >> 1);
  for (let i = 0; i + 1 < len; i += 2) {
    const m = M[i] * M[i + 1];
    const k = i >> 1;
    if (m > 256 * 16383) {
      bottomT[k] = 65536;
      bottomR[k] = S[at] | (S[at + 1] << 8);
      at += 2;
      M2[k] = (((m + 255) >>> 8) + 255) >>> 8;
    } else if (m >= 16384) {
      bottomT[k] = 256;
      bottomR[k] = S[at];
      at += 1;
      M2[k] = (m + 255) >>> 8;
    } else {
      bottomT[k] = 1;
      bottomR[k] = 0;
      M2[k] = m;
    }
  }
  if (len & 1) M2[half - 1] = M[len - 1];
  const R2 = decode(S, at, M2);
  const out = new Array<number>(len);
  for (let i = 0; i + 1 < len; i += 2) {
    const r = bottomR[i >> 1] + bottomT[i >> 1] * R2[i >> 1];
    out[i] = r % M[i];
    out[i + 1] = Math.floor(r / M[i]) % M[i + 1];
  }
  if (len & 1) out[len - 1] = R2[half - 1];
  return out;
}

const MOD_Q = new Array<number>(P).fill(Q);
const MOD_ROUNDED = new Array<number>(P).fill(ROUNDED_M);

function rqEncode(h: Int16Array): Uint8Array {
  const kernel = sntrup761Kernel();
  if (kernel) return kernel.rqEncode(h);
  const out: number[] = [];
  encode(Array.from(h, (x) => x + Q12), MOD_Q, out);
  return Uint8Array.from(out);
}

function rqDecode(s: Uint8Array): Int16Array {
  const kernel = sntrup761Kernel();
  if (kernel) return kernel.rqDecode(s);
  return Int16Array.from(decode(s, 0, MOD_Q), (x) => x - Q12);
}

/** A rounded coefficient is a multiple of 3 in -Q12..Q12: send (x + Q12) / 3. */
function roundedEncode(c: Int16Array): Uint8Array {
  const kernel = sntrup761Kernel();
  if (kernel) return kernel.roundedEncode(c);
  const out: number[] = [];
  encode(Array.from(c, (x) => ((x + Q12) * 10923) >> 15), MOD_ROUNDED, out);
  return Uint8Array.from(out);
}

function roundedDecode(s: Uint8Array): Int16Array {
  const kernel = sntrup761Kernel();
  if (kernel) return kernel.roundedDecode(s);
  return Int16Array.from(decode(s, 0, MOD_ROUNDED), (x) => 3 * x - Q12);
}

// ---- hashing: SHA-512 truncated to 32 bytes, domain-separated by a prefix byte

function hashPrefix(prefix: number, ...parts: Uint8Array[]): Uint8Array {
  const kernel = sntrup761Kernel();
  if (kernel) return kernel.hashPrefix(prefix, parts);
  const input = new Uint8Array(1 + parts.reduce((n, part) => n + part.length, 0));
  input[0] = prefix;
  let at = 1;
  for (const part of parts) {
    input.set(part, at);
    at += part.length;
  }
  return sha512(input).slice(0, HASH_BYTES);
}

/** Confirm = Hash2(Hash3(r) || Hash4(pk)); the caller passes cache = Hash4(pk). */
const hashConfirm = (rEnc: Uint8Array, cache: Uint8Array): Uint8Array => hashPrefix(2, hashPrefix(3, rEnc), cache);

/** Session key = Hash_b(Hash3(r) || C); b = 1 for a valid ciphertext, 0 on implicit rejection. */
const hashSession = (b: number, rEnc: Uint8Array, ciphertext: Uint8Array): Uint8Array => hashPrefix(b, hashPrefix(3, rEnc), ciphertext);

// ---- the KEM

/**
 * Instantiate the WebAssembly kernel (./sntrup761-wasm/loader.ts); the functions below use it once
 * this resolved true, and the JavaScript above otherwise. The key exchange awaits it.
 */
export async function initSntrup761Kernel(): Promise<boolean> {
  return loadKernel();
}

/*
 * The per-coefficient steps of encapsulation and decapsulation, each in a function of its own (or
 * the kernel): V8 optimizes a function that loops after a few calls, and the decapsulation,
 * inlining all it calls, took ~20 ms of CPU to compile when these loops were in it.
 */

/** Round to the nearest multiple of 3: the low "digit" mod 3 is dropped. */
function roundToThrees(h: Int16Array): Int16Array {
  const kernel = sntrup761Kernel();
  if (kernel) return kernel.round3(h);
  for (let i = 0; i < P; i++) h[i] -= freeze3(h[i]);
  return h;
}

/** (3·x mod q) mod 3. */
function threeTimesMod3(x: Int16Array): Int8Array {
  const kernel = sntrup761Kernel();
  if (kernel) return kernel.mod3Of3x(x);
  const e = new Int8Array(P);
  for (let i = 0; i < P; i++) e[i] = freeze3(freezeQ(3 * x[i]));
  return e;
}

/**
 * v if its weight is w, else the fixed vector (1,...,1,0,...,0) of weight w, so that
 * re-encryption always runs on a valid input (the ciphertext comparison then rejects it).
 */
function forceWeight(v: Int8Array): Int8Array {
  const kernel = sntrup761Kernel();
  if (kernel) return kernel.forceWeight(v);
  let weight = 0;
  for (let i = 0; i < P; i++) weight += v[i] & 1;
  const bad = nonzeroMask(weight - W);
  const r = new Int8Array(P);
  for (let i = 0; i < W; i++) r[i] = ((v[i] ^ 1) & ~bad) ^ 1;
  for (let i = W; i < P; i++) r[i] = v[i] & ~bad;
  return r;
}

/** -1 when a and b (of one length) differ anywhere, else 0; always reads all of both. */
function differMask(a: Uint8Array, b: Uint8Array): number {
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return nonzeroMask(diff);
}

/** a = mask ? b : a, byte by byte, by the mask (-1 or 0). */
function selectInto(a: Uint8Array, b: Uint8Array, mask: number): void {
  for (let i = 0; i < a.length; i++) a[i] ^= mask & (a[i] ^ b[i]);
}

/** The ciphertext of short r under pk: Encode(Round(h·r)) || Confirm, and r's encoding. */
function hide(r: Int8Array, publicKey: Uint8Array, cache: Uint8Array): { ciphertext: Uint8Array; rEnc: Uint8Array } {
  const rEnc = smallEncode(r);
  const hr = roundToThrees(rqMultSmall(rqDecode(publicKey), r));
  const ciphertext = new Uint8Array(SNTRUP761_CIPHERTEXT_BYTES);
  ciphertext.set(roundedEncode(hr));
  ciphertext.set(hashConfirm(rEnc, cache), ROUNDED_BYTES);
  return { ciphertext, rEnc };
}

export function sntrup761KeyPair(random: RandomBytes = systemRandom): { publicKey: Uint8Array; secretKey: Uint8Array } {
  let g: Int8Array;
  let ginv: Int8Array;
  for (;;) {
    g = smallRandom(random);
    const { inverse, mask } = r3Recip(g);
    // Whether g was invertible is public (it only decides whether to draw again), as in the reference.
    if (mask === 0) {
      ginv = inverse;
      break;
    }
  }
  const f = shortRandom(random);
  const h = rqMultSmall(rqRecip3(f), g);
  const publicKey = rqEncode(h);
  const secretKey = new Uint8Array(SNTRUP761_SECRET_KEY_BYTES);
  let at = 0;
  for (const part of [smallEncode(f), smallEncode(ginv), publicKey, random(SMALL_BYTES), hashPrefix(4, publicKey)]) {
    secretKey.set(part, at);
    at += part.length;
  }
  f.fill(0);
  g.fill(0);
  ginv.fill(0);
  return { publicKey, secretKey };
}

export function sntrup761Encapsulate(publicKey: Uint8Array, random: RandomBytes = systemRandom): { ciphertext: Uint8Array; sharedSecret: Uint8Array } {
  if (publicKey.length !== SNTRUP761_PUBLIC_KEY_BYTES) throw new Error(`sntrup761: public key is ${publicKey.length} bytes, not ${SNTRUP761_PUBLIC_KEY_BYTES}`);
  const r = shortRandom(random);
  const { ciphertext, rEnc } = hide(r, publicKey, hashPrefix(4, publicKey));
  const sharedSecret = hashSession(1, rEnc, ciphertext);
  r.fill(0);
  rEnc.fill(0);
  return { ciphertext, sharedSecret };
}

export function sntrup761Decapsulate(ciphertext: Uint8Array, secretKey: Uint8Array): Uint8Array {
  if (ciphertext.length !== SNTRUP761_CIPHERTEXT_BYTES) throw new Error(`sntrup761: ciphertext is ${ciphertext.length} bytes, not ${SNTRUP761_CIPHERTEXT_BYTES}`);
  if (secretKey.length !== SNTRUP761_SECRET_KEY_BYTES) throw new Error(`sntrup761: secret key is ${secretKey.length} bytes, not ${SNTRUP761_SECRET_KEY_BYTES}`);
  const f = smallDecode(secretKey.subarray(0, SMALL_BYTES));
  const ginv = smallDecode(secretKey.subarray(SMALL_BYTES, 2 * SMALL_BYTES));
  const publicKey = secretKey.subarray(2 * SMALL_BYTES, 2 * SMALL_BYTES + RQ_BYTES);
  const rho = secretKey.subarray(2 * SMALL_BYTES + RQ_BYTES, 3 * SMALL_BYTES + RQ_BYTES);
  const cache = secretKey.subarray(3 * SMALL_BYTES + RQ_BYTES);

  // e = 3f·c mod q, then mod 3: for an honest c this is 3f·(h·r + small rounding error) = g·r + 3f·error
  // lifted exactly (all coefficients stay within ±q/2), so mod 3 it is g·r, and times 1/g it is r.
  const cf = rqMultSmall(roundedDecode(ciphertext.subarray(0, ROUNDED_BYTES)), f);
  const e = threeTimesMod3(cf);
  const ev = r3Mult(e, ginv);
  const r = forceWeight(ev);

  const { ciphertext: again, rEnc } = hide(r, publicKey, cache);
  const reject = differMask(ciphertext, again);
  selectInto(rEnc, rho, reject);
  const sharedSecret = hashSession(1 + reject, rEnc, ciphertext);
  for (const secret of [f, ginv, cf, e, ev, r, rEnc]) secret.fill(0);
  return sharedSecret;
}
