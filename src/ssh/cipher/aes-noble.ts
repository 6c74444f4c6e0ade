import { unsafe } from "@noble/ciphers/aes.js";
import { GHASH } from "@noble/ciphers/_polyval.js";
import { hmac, type _HMAC } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import type { AesBackend, CtrStream, GcmKey, HmacHash, HmacKey } from "./aes-types.js";

/**
 * The portable AES backend on @noble/ciphers' AES core and GHASH, and @noble/hashes' HMAC. It keeps
 * per-key work (AES key schedule, GHASH tables, HMAC pads) out of the per-packet path, which the
 * one-shot `gcm()` / `ctr()` helpers would redo for every packet.
 */

/** A GHASH whose key tables are built once and whose accumulator starts over for every packet. */
class ReusableGhash extends GHASH {
  reset(): void {
    this.s0 = this.s1 = this.s2 = this.s3 = 0;
    this.finished = false;
  }
}

const aligned = (b: Uint8Array): boolean => (b.byteOffset & 3) === 0;

/** Runs `fn` on `data` in place; noble's AES core reads words, so unaligned views go via a copy. */
function inPlace(data: Uint8Array, scratch: { buf: Uint8Array }, fn: (d: Uint8Array) => void): void {
  if (aligned(data)) {
    fn(data);
    return;
  }
  if (scratch.buf.length < data.length) scratch.buf = new Uint8Array(data.length);
  const tmp = scratch.buf.subarray(0, data.length);
  tmp.set(data);
  fn(tmp);
  data.set(tmp);
}

/** Constant-time comparison of two 16-byte tags. */
function tagsEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = 0;
  for (let i = 0; i < 16; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

class NobleGcm implements GcmKey {
  private readonly xk: Uint32Array;
  private readonly ghash: ReusableGhash;
  private readonly counter = new Uint8Array(16);
  private readonly mask = new Uint8Array(16);
  private readonly tag = new Uint8Array(16);
  private readonly lengths = new Uint8Array(16);
  private readonly scratch = { buf: new Uint8Array(0) };

  constructor(key: Uint8Array) {
    if (key.length !== 16 && key.length !== 32 && key.length !== 24) throw new Error("AES-GCM needs a 16, 24 or 32-byte key");
    this.xk = unsafe.expandKeyLE(key);
    // Hash subkey H = E_K(0^128) (SP 800-38D §7.1); windows of 4 bits suit packets of 1-32 KiB.
    const h = unsafe.encryptBlock(this.xk, new Uint8Array(16));
    this.ghash = new ReusableGhash(h, 4096);
  }

  /** J0 = IV || 0^31 || 1; the tag mask is E_K(J0); the payload counter starts at inc32(J0). */
  private start(iv: Uint8Array): void {
    const c = this.counter;
    c.set(iv);
    c[12] = 0;
    c[13] = 0;
    c[14] = 0;
    c[15] = 1;
    this.mask.fill(0);
    unsafe.ctr32(this.xk, false, c, this.mask, this.mask);
  }

  /** GHASH(H, A, C) XOR E_K(J0) into this.tag. */
  private computeTag(aad: Uint8Array, ciphertext: Uint8Array): void {
    const g = this.ghash;
    g.reset();
    g.update(aad);
    g.update(ciphertext);
    const l = this.lengths;
    const view = new DataView(l.buffer);
    const aadBits = aad.length * 8;
    const dataBits = ciphertext.length * 8;
    view.setUint32(0, Math.floor(aadBits / 2 ** 32));
    view.setUint32(4, aadBits >>> 0);
    view.setUint32(8, Math.floor(dataBits / 2 ** 32));
    view.setUint32(12, dataBits >>> 0);
    g.update(l);
    g.digestInto(this.tag);
    for (let i = 0; i < 16; i++) this.tag[i]! ^= this.mask[i]!;
  }

  seal(iv: Uint8Array, aad: Uint8Array, data: Uint8Array, tag: Uint8Array): void {
    this.start(iv);
    inPlace(data, this.scratch, (d) => unsafe.ctr32(this.xk, false, this.counter, d, d));
    this.computeTag(aad, data);
    tag.set(this.tag);
  }

  open(iv: Uint8Array, aad: Uint8Array, data: Uint8Array, tag: Uint8Array): boolean {
    this.start(iv);
    this.computeTag(aad, data);
    if (!tagsEqual(this.tag, tag)) return false;
    inPlace(data, this.scratch, (d) => unsafe.ctr32(this.xk, false, this.counter, d, d));
    return true;
  }

  decrypt(iv: Uint8Array, aad: Uint8Array, data: Uint8Array, tag: Uint8Array): Uint8Array | null {
    return this.open(iv, aad, data, tag) ? data : null;
  }
}

class NobleCtr implements CtrStream {
  private readonly xk: Uint32Array;
  /** The live counter block; noble's ctrCounter advances it by one per 16 bytes processed. */
  private readonly counter: Uint8Array;
  private readonly scratch = { buf: new Uint8Array(0) };

  constructor(key: Uint8Array, iv: Uint8Array) {
    if (key.length !== 16 && key.length !== 24 && key.length !== 32) throw new Error("AES-CTR needs a 16, 24 or 32-byte key");
    if (iv.length !== 16) throw new Error("AES-CTR needs a 16-byte counter block");
    this.xk = unsafe.expandKeyLE(key);
    this.counter = iv.slice();
  }

  update(data: Uint8Array): void {
    if (data.length % 16 !== 0) throw new Error("AES-CTR stream: input must be whole blocks");
    inPlace(data, this.scratch, (d) => unsafe.ctrCounter(this.xk, this.counter, d, d));
  }

  xor(data: Uint8Array): Uint8Array {
    this.update(data);
    return data;
  }
}

const HASHES = { sha1, sha256, sha512 } as const;

class NobleHmac implements HmacKey {
  /** Keyed once (inner and outer pads absorbed); each MAC clones it into `work`. */
  private readonly template: _HMAC<any>;
  private work: _HMAC<any> | undefined;
  private readonly seq4 = new Uint8Array(4);

  constructor(hash: HmacHash, key: Uint8Array) {
    this.template = hmac.create(HASHES[hash], key);
  }

  mac(seq: number, a: Uint8Array, b: Uint8Array | null, out: Uint8Array): void {
    const s = this.seq4;
    s[0] = seq >>> 24;
    s[1] = seq >>> 16;
    s[2] = seq >>> 8;
    s[3] = seq;
    const h = (this.work = this.template._cloneInto(this.work));
    h.update(s).update(a);
    if (b) h.update(b);
    h.digestInto(out);
  }
}

export const nobleAesBackend: AesBackend = {
  name: "noble",
  gcm: (key) => new NobleGcm(key),
  ctr: (key, iv) => new NobleCtr(key, iv),
  hmac: (hash, key) => new NobleHmac(hash, key),
};
