/**
 * The Blowfish cipher core (Schneier, "Description of a New Variable-Length Key, 64-Bit Block
 * Cipher", FSE 1993) with the "expensive key schedule" steps of bcrypt (Provos & Mazières 1999),
 * as OpenBSD's blf.c exposes them to bcrypt_pbkdf. Only what bcrypt_pbkdf needs: no decryption.
 *
 * State layout: one Uint32Array, P-array at [0, 18), the four S-boxes at [18, 18 + 1024).
 * Everything works in place on preallocated arrays: bcrypt_pbkdf calls `encipher` millions of times.
 */

const P_WORDS = 18;
const S_WORDS = 1024;
export const BLOWFISH_STATE_WORDS = P_WORDS + S_WORDS;
const S0 = P_WORDS;
const S1 = S0 + 256;
const S2 = S1 + 256;
const S3 = S2 + 256;

let initialState: Uint32Array | undefined;

/**
 * Blowfish's initial P-array and S-boxes are, in order, the hexadecimal digits of the fractional
 * part of pi (Schneier 1993). We compute them once, on first use (about 40 ms), with Machin's
 * formula pi = 16 atan(1/5) - 4 atan(1/239) in fixed point, instead of carrying 1042 literal words.
 * Known answers in the tests (P[0] = 0x243f6a88, the Blowfish and bcrypt_pbkdf vectors) pin it down.
 */
function piState(): Uint32Array {
  if (initialState) return initialState;
  // 64 guard bits absorb the truncation error of the ~7200 series terms.
  const bits = BigInt(BLOWFISH_STATE_WORDS * 32 + 64);
  const one = 1n << bits;
  const atanInverse = (x: number): bigint => {
    const x2 = BigInt(x * x);
    let power = one / BigInt(x);
    let sum = power;
    for (let k = 1n; power !== 0n; k++) {
      power /= x2;
      const term = power / (2n * k + 1n);
      sum = k & 1n ? sum - term : sum + term;
    }
    return sum;
  };
  const pi = 16n * atanInverse(5) - 4n * atanInverse(239);
  const fraction = (pi - (3n << bits)) >> 64n;
  const state = new Uint32Array(BLOWFISH_STATE_WORDS);
  for (let i = 0; i < BLOWFISH_STATE_WORDS; i++) {
    state[i] = Number((fraction >> BigInt((BLOWFISH_STATE_WORDS - 1 - i) * 32)) & 0xffffffffn);
  }
  initialState = state;
  return state;
}

/** A fresh copy of the initial state into `state` (Blowfish_initstate). */
export function blowfishInitState(state: Uint32Array): void {
  state.set(piState());
}

/**
 * Encrypt the 64-bit block (lr[0], lr[1]) in place: 16 Feistel rounds, F(x) =
 * ((S0[a] + S1[b]) ^ S2[c]) + S3[d] over the bytes a..d of x, most significant first.
 */
export function blowfishEncipher(s: Uint32Array, lr: Uint32Array): void {
  let l = lr[0]! ^ s[0]!;
  let r = lr[1]!;
  for (let i = 1; i <= 16; i += 2) {
    r ^= (((s[S0 + (l >>> 24)]! + s[S1 + ((l >>> 16) & 0xff)]!) ^ s[S2 + ((l >>> 8) & 0xff)]!) + s[S3 + (l & 0xff)]!) ^ s[i]!;
    l ^= (((s[S0 + (r >>> 24)]! + s[S1 + ((r >>> 16) & 0xff)]!) ^ s[S2 + ((r >>> 8) & 0xff)]!) + s[S3 + (r & 0xff)]!) ^ s[i + 1]!;
  }
  lr[0] = r ^ s[17]!;
  lr[1] = l;
}

/**
 * Reads big-endian 32-bit words from `data`, cycling back to its start (Blowfish_stream2word).
 * Holding the position in an object keeps the expand loops allocation-free.
 */
export class WordStream {
  pos = 0;
  constructor(private data: Uint8Array) {}

  reset(data: Uint8Array): void {
    this.data = data;
    this.pos = 0;
  }

  next(): number {
    const d = this.data;
    let w = 0;
    for (let i = 0; i < 4; i++) {
      if (this.pos >= d.length) this.pos = 0;
      w = (w << 8) | d[this.pos++]!;
    }
    return w >>> 0;
  }
}

/**
 * Blowfish_expandstate (bcrypt's salted key schedule): XOR the key stream into P, then re-encrypt
 * the running block, mixed with the salt stream, into every word of P and the S-boxes.
 * With `salt` null this is Blowfish_expand0state (the unsalted variant used in the cost loop).
 */
export function blowfishExpand(s: Uint32Array, key: WordStream, salt: WordStream | null, lr: Uint32Array): void {
  key.pos = 0;
  for (let i = 0; i < P_WORDS; i++) s[i] = s[i]! ^ key.next();
  if (salt) salt.pos = 0;
  lr[0] = 0;
  lr[1] = 0;
  for (let i = 0; i < BLOWFISH_STATE_WORDS; i += 2) {
    if (salt) {
      lr[0] = lr[0]! ^ salt.next();
      lr[1] = lr[1]! ^ salt.next();
    }
    blowfishEncipher(s, lr);
    s[i] = lr[0]!;
    s[i + 1] = lr[1]!;
  }
}
