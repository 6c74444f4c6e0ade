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
 * Files: sntrup761-params.ts (parameters, masks, reduction mod 3 and q), sntrup761-poly.ts (the
 * products and the two inversions), sntrup761-encoding.ts (the samplers and Encode/Decode); here
 * the hashing, the per-coefficient steps of the KEM and the KEM itself.
 *
 * WebAssembly kernel (./sntrup761-wasm/: hand-written WAT, SIMD): once `initSntrup761Kernel()`
 * has resolved true (the key exchange awaits it when sntrup761 is negotiated), every step in them
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
import { rqDecode, rqEncode, roundedDecode, roundedEncode, shortRandom, smallDecode, smallEncode, smallRandom } from "./sntrup761-encoding.js";
import { HASH_BYTES, P, ROUNDED_BYTES, RQ_BYTES, SMALL_BYTES, W, freeze3, freezeQ, nonzeroMask, type RandomBytes } from "./sntrup761-params.js";
import { r3Mult, r3Recip, rqMultSmall, rqRecip3 } from "./sntrup761-poly.js";
import { initSntrup761Kernel as loadKernel, sntrup761Kernel } from "./sntrup761-wasm/loader.js";

export type { RandomBytes };

export const SNTRUP761_PUBLIC_KEY_BYTES = RQ_BYTES;
export const SNTRUP761_SECRET_KEY_BYTES = 2 * SMALL_BYTES + RQ_BYTES + SMALL_BYTES + HASH_BYTES; // 1763
export const SNTRUP761_CIPHERTEXT_BYTES = ROUNDED_BYTES + HASH_BYTES; // 1039
export const SNTRUP761_SHARED_SECRET_BYTES = HASH_BYTES;

const systemRandom: RandomBytes = (n) => crypto.getRandomValues(new Uint8Array(n));

/**
 * The arithmetic under the KEM, each using the WebAssembly kernel when it is loaded and enabled:
 * test/sntrup761-kernel.test.ts compares the kernel with the JavaScript through these.
 */
export const sntrup761Arithmetic = { rqRecip3, r3Recip, rqMultSmall, r3Mult, smallRandom, shortRandom, rqEncode, roundedEncode, rqDecode, roundedDecode, hashPrefix, smallEncode, smallDecode, roundToThrees, threeTimesMod3, forceWeight };

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
