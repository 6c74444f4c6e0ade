/** Big-endian unsigned byte strings <-> bigint, and the base64url JWK fields WebCrypto wants. */

export function bytesToBigInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** Unsigned big-endian bytes of `v`, left-padded with zeros to `length` when given. */
export function bigIntToBytes(v: bigint, length?: number): Uint8Array {
  if (v < 0n) throw new RangeError("negative value where an unsigned integer is expected");
  let hex = v.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const n = hex.length / 2;
  const size = length ?? (v === 0n ? 0 : n);
  if (n > size && !(v === 0n && size === 0)) throw new RangeError(`value needs ${n} bytes, more than ${size}`);
  const out = new Uint8Array(size);
  for (let i = 0; i < n && v !== 0n; i++) out[size - n + i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bitLength(v: bigint): number {
  return v <= 0n ? 0 : v.toString(2).length;
}

export function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

export function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new RangeError("no modular inverse");
  return ((oldS % m) + m) % m;
}

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** A JWK integer field (RFC 7518 §2: base64url of the minimal big-endian bytes, no padding). */
export function bigIntToBase64Url(v: bigint): string {
  const bytes = v === 0n ? new Uint8Array(1) : bigIntToBytes(v);
  let s = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let j = 0; j < chars; j++) s += B64URL[(n >> (18 - 6 * j)) & 63];
  }
  return s;
}

export function base64UrlToBigInt(s: string): bigint {
  let v = 0n;
  let bits = 0;
  for (const ch of s) {
    const d = B64URL.indexOf(ch);
    if (d < 0) throw new RangeError("invalid base64url");
    v = (v << 6n) | BigInt(d);
    bits += 6;
  }
  // Drop the leftover (zero) bits of the last character.
  return v >> BigInt(bits % 8);
}
