/**
 * The sntrup761 kernel's exports (./*.wat) wrapped for sntrup761.ts: each call copies its inputs
 * into the kernel's memory and its result out of it, then zeroes the memory (64 KiB less
 * SHA-512's constants): each call starts from zeros, which the inversions rely on, and no secret
 * stays behind. Typed-array views assume a little-endian host, as WebAssembly's memory is; every
 * JavaScript runtime we support is one. ./loader.ts instantiates it.
 */

export interface KernelExports {
  memory: WebAssembly.Memory;
  rq_recip3(): void;
  r3_recip(): number;
  rq_mult_small(): void;
  r3_mult(): void;
  small_from_random(): void;
  short_from_random(): void;
  rq_encode(): number;
  rounded_encode(): number;
  rq_decode(): void;
  rounded_decode(): void;
  sha512(len: number): void;
  small_encode(): void;
  small_decode(): void;
  round3(): void;
  mod3_of_3x(): void;
  force_weight(): void;
}

const P = 761;
// The layout in memory.wat.
const IN8A = 0;
const IN8B = 1024;
const IN16 = 2048;
const OUT = 4096;
const RAND = 8192;
const BYTES = 8192;
const MSG = 16384;
/** SHA-512's round constants, written at instantiation: the memory below is scratch. */
const SCRATCH_END = 64896;

export class Sntrup761Kernel {
  private readonly heap: Uint8Array;
  private readonly in8a: Int8Array;
  private readonly in8b: Int8Array;
  private readonly in16: Int16Array;
  private readonly out8: Int8Array;
  private readonly out16: Int16Array;
  private readonly rand: Uint8Array;
  private readonly bytes: Uint8Array;

  constructor(private readonly exports: KernelExports) {
    // One page, never grown, so the views stay valid.
    const buffer = exports.memory.buffer;
    this.heap = new Uint8Array(buffer);
    this.in8a = new Int8Array(buffer, IN8A, P);
    this.in8b = new Int8Array(buffer, IN8B, P);
    this.in16 = new Int16Array(buffer, IN16, P);
    this.out8 = new Int8Array(buffer, OUT, P);
    this.out16 = new Int16Array(buffer, OUT, P);
    this.rand = new Uint8Array(buffer, RAND, 4 * P);
    this.bytes = new Uint8Array(buffer, BYTES, 1158);
  }

  /** Zero the scratch memory: the next call starts from zeros, and no secret stays behind. */
  private wipe(): void {
    this.heap.fill(0, 0, SCRATCH_END);
  }

  /** SHA-512 of `prefix` followed by `parts`, truncated to 32 bytes (sntrup761.ts's hashPrefix). */
  hashPrefix(prefix: number, parts: Uint8Array[]): Uint8Array {
    this.heap[MSG] = prefix;
    let at = MSG + 1;
    for (const part of parts) {
      this.heap.set(part, at);
      at += part.length;
    }
    this.exports.sha512(at - MSG);
    const out = this.heap.slice(OUT, OUT + 32);
    this.wipe();
    return out;
  }

  /** Small encoding (191 bytes) of a small polynomial. */
  smallEncode(f: Int8Array): Uint8Array {
    this.in8a.set(f);
    this.exports.small_encode();
    const out = this.heap.slice(OUT, OUT + 191);
    this.wipe();
    return out;
  }

  /** The small polynomial of a 191-byte small encoding. */
  smallDecode(s: Uint8Array): Int8Array {
    this.bytes.set(s);
    this.exports.small_decode();
    const out = this.out8.slice();
    this.wipe();
    return out;
  }

  /** Each coefficient rounded to the nearest multiple of 3. */
  round3(h: Int16Array): Int16Array {
    this.in16.set(h);
    this.exports.round3();
    const out = this.out16.slice();
    this.wipe();
    return out;
  }

  /** (3·x mod q) mod 3, coefficient by coefficient. */
  mod3Of3x(x: Int16Array): Int8Array {
    this.in16.set(x);
    this.exports.mod3_of_3x();
    const out = this.out8.slice();
    this.wipe();
    return out;
  }

  /** v if its weight is 286, else the fixed vector of that weight (decapsulation). */
  forceWeight(v: Int8Array): Int8Array {
    this.in8a.set(v);
    this.exports.force_weight();
    const out = this.out8.slice();
    this.wipe();
    return out;
  }

  /** 1/(3·g) in R/q for small g (coefficients -1..1). */
  rqRecip3(g: Int8Array): Int16Array {
    this.in8a.set(g);
    this.exports.rq_recip3();
    const out = this.out16.slice();
    this.wipe();
    return out;
  }

  /** 1/g in R/3 and mask 0, or garbage and mask -1 when g is not invertible. */
  r3Recip(g: Int8Array): { inverse: Int8Array; mask: number } {
    this.in8a.set(g);
    const mask = this.exports.r3_recip();
    const inverse = this.out8.slice();
    this.wipe();
    return { inverse, mask };
  }

  /** f·g in R/q, |f| <= 2295 and g small. */
  rqMultSmall(f: Int16Array, g: Int8Array): Int16Array {
    this.in16.set(f);
    this.in8a.set(g);
    this.exports.rq_mult_small();
    const out = this.out16.slice();
    this.wipe();
    return out;
  }

  /** f·g in R/3, f and g small. */
  r3Mult(f: Int8Array, g: Int8Array): Int8Array {
    this.in8a.set(f);
    this.in8b.set(g);
    this.exports.r3_mult();
    const out = this.out8.slice();
    this.wipe();
    return out;
  }

  /** A small polynomial from 4·p random bytes (sntrup761-encoding.ts's smallRandom). */
  smallFromRandom(bytes: Uint8Array): Int8Array {
    this.rand.set(bytes);
    this.exports.small_from_random();
    const out = this.out8.slice();
    this.wipe();
    return out;
  }

  /** A short polynomial (weight 286) from 4·p random bytes (sntrup761-encoding.ts's shortRandom). */
  shortFromRandom(bytes: Uint8Array): Int8Array {
    this.rand.set(bytes);
    this.exports.short_from_random();
    const out = this.out8.slice();
    this.wipe();
    return out;
  }
  /** Encode of an R/q element (a public key, 1158 bytes). */
  rqEncode(h: Int16Array): Uint8Array {
    this.in16.set(h);
    const n = this.exports.rq_encode();
    const out = this.heap.slice(OUT, OUT + n);
    this.wipe();
    return out;
  }

  /** Encode of a rounded R/q element (a ciphertext's first 1007 bytes). */
  roundedEncode(c: Int16Array): Uint8Array {
    this.in16.set(c);
    const n = this.exports.rounded_encode();
    const out = this.heap.slice(OUT, OUT + n);
    this.wipe();
    return out;
  }

  /** Decode of a public key (1158 bytes) into an R/q element. */
  rqDecode(s: Uint8Array): Int16Array {
    this.bytes.set(s);
    this.exports.rq_decode();
    const out = this.out16.slice();
    this.wipe();
    return out;
  }

  /** Decode of a ciphertext's rounded part (1007 bytes). */
  roundedDecode(s: Uint8Array): Int16Array {
    this.bytes.set(s);
    this.exports.rounded_decode();
    const out = this.out16.slice();
    this.wipe();
    return out;
  }
}
