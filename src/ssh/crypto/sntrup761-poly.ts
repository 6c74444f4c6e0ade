/**
 * sntrup761's polynomial arithmetic (./sntrup761.ts has the spec references): products with a
 * small factor in R/q and R/3, and the two inversions, R/3 bit-sliced and R/q by divsteps. Each
 * runs in the WebAssembly kernel (./sntrup761-wasm/) when it is loaded and here otherwise, with the
 * same results; constant time as far as JavaScript allows.
 */
import { freeze3, freezeQ, negativeMask, nonzeroMask, P, Q } from "./sntrup761-params.js";
import { sntrup761Kernel } from "./sntrup761-wasm/loader.js";


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
export function rqMultSmall(f: Int16Array, g: Int8Array): Int16Array {
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
export function r3Mult(f: Int8Array, g: Int8Array): Int8Array {
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
export function r3Recip(input: Int8Array): { inverse: Int8Array; mask: number } {
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
export function rqRecip3(input: Int8Array): Int16Array {
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
