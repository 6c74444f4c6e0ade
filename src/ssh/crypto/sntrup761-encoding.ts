/**
 * sntrup761's randomness and encodings (./sntrup761.ts has the spec references): the small and
 * short samplers with their sorting network, and Encode/Decode of small, R/q and rounded
 * polynomials. Each runs in the WebAssembly kernel (./sntrup761-wasm/) when it is loaded and here
 * otherwise. Encode/Decode branch and divide only on public data (public keys and ciphertexts).
 */
import { P, Q, Q12, ROUNDED_M, SMALL_BYTES, W, type RandomBytes } from "./sntrup761-params.js";
import { sntrup761Kernel } from "./sntrup761-wasm/loader.js";


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
export function smallRandom(random: RandomBytes): Int8Array {
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
export function shortRandom(random: RandomBytes): Int8Array {
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
export function smallEncode(f: Int8Array): Uint8Array {
  const kernel = sntrup761Kernel();
  if (kernel) return kernel.smallEncode(f);
  const s = new Uint8Array(SMALL_BYTES);
  for (let i = 0; i < P; i++) s[i >> 2] |= (f[i] + 1) << (2 * (i & 3));
  return s;
}

export function smallDecode(s: Uint8Array): Int8Array {
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

export function rqEncode(h: Int16Array): Uint8Array {
  const kernel = sntrup761Kernel();
  if (kernel) return kernel.rqEncode(h);
  const out: number[] = [];
  encode(Array.from(h, (x) => x + Q12), MOD_Q, out);
  return Uint8Array.from(out);
}

export function rqDecode(s: Uint8Array): Int16Array {
  const kernel = sntrup761Kernel();
  if (kernel) return kernel.rqDecode(s);
  return Int16Array.from(decode(s, 0, MOD_Q), (x) => x - Q12);
}

/** A rounded coefficient is a multiple of 3 in -Q12..Q12: send (x + Q12) / 3. */
export function roundedEncode(c: Int16Array): Uint8Array {
  const kernel = sntrup761Kernel();
  if (kernel) return kernel.roundedEncode(c);
  const out: number[] = [];
  encode(Array.from(c, (x) => ((x + Q12) * 10923) >> 15), MOD_ROUNDED, out);
  return Uint8Array.from(out);
}

export function roundedDecode(s: Uint8Array): Int16Array {
  const kernel = sntrup761Kernel();
  if (kernel) return kernel.roundedDecode(s);
  return Int16Array.from(decode(s, 0, MOD_ROUNDED), (x) => 3 * x - Q12);
}
