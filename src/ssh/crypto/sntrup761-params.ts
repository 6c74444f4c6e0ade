/**
 * sntrup761's parameters and the scalar arithmetic its JavaScript path shares (./sntrup761.ts has
 * the spec references): p = 761, q = 4591, w = 286, sizes, masks, reduction mod 3 and mod q.
 */

export const P = 761;
export const Q = 4591;
export const W = 286;
export const Q12 = (Q - 1) / 2; // 2295: Fq elements are kept in -Q12..Q12
export const ROUNDED_M = (Q + 2) / 3; // 1531: a rounded coefficient is 3·k - Q12 with 0 <= k < 1531

export const HASH_BYTES = 32;
export const SMALL_BYTES = (P + 3) / 4; // 191: four coefficients in -1..1 per byte
export const RQ_BYTES = 1158; // Encode of 761 values mod 4591
export const ROUNDED_BYTES = 1007; // Encode of 761 values mod 1531

export type RandomBytes = (n: number) => Uint8Array;

// ---- masks (x is a small signed integer)

/** -1 if x != 0, else 0. */
export const nonzeroMask = (x: number): number => ((x | -x) >> 31) | 0;
/** -1 if x < 0, else 0. */
export const negativeMask = (x: number): number => x >> 31;

// ---- arithmetic mod 3 and mod q

/** x mod 3 in -1..1, for |x| < 2^14 (the reference's multiply-and-shift: 10923/2^15 is 1/3 to 2^-15). */
export const freeze3 = (x: number): number => x - 3 * ((10923 * x + 16384) >> 15);

/**
 * x mod q in -Q12..Q12, for integers |x| < 2^50, in double arithmetic: x/q is never within 1/(2q) of
 * a half-integer and the product's rounding error is far below that, so the nearest integer is
 * exact; no division, and floor is one instruction (roundsd) on current CPUs. Doubles instead of
 * the reference's int32 Barrett steps because they let the inversion below reduce lazily.
 */
const INV_Q = 1 / Q;
export const freezeQ = (x: number): number => x - Q * Math.floor(x * INV_Q + 0.5);
