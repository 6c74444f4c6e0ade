/**
 * ECDSA over the NIST curves (FIPS 186-5; RFC 5656 for SSH) with @noble/curves. Signatures are the
 * (r, s) integers; hashing is the caller's (SHA-256/384/512 by curve, RFC 5656 §6.2.1). Signing is
 * deterministic (RFC 6979). Loaded lazily: only ECDSA keys pay for the curve tables.
 */
import { bigIntToBytes, bytesToBigInt } from "./bigint.js";

export type EcdsaCurveName = "nistp256" | "nistp384" | "nistp521";

/** Field size in bytes of each curve (scalars and point coordinates). */
export const ECDSA_CURVE_BYTES: Record<EcdsaCurveName, number> = { nistp256: 32, nistp384: 48, nistp521: 66 };

const nist = () => import("@noble/curves/nist.js");

async function curveOf(name: EcdsaCurveName) {
  const m = await nist();
  return name === "nistp256" ? m.p256 : name === "nistp384" ? m.p384 : m.p521;
}

function compact(name: EcdsaCurveName, r: bigint, s: bigint): Uint8Array | null {
  const size = ECDSA_CURVE_BYTES[name];
  if (r <= 0n || s <= 0n) return null;
  try {
    const out = new Uint8Array(2 * size);
    out.set(bigIntToBytes(r, size), 0);
    out.set(bigIntToBytes(s, size), size);
    return out;
  } catch {
    return null;
  }
}

/** Verify (r, s) over an already hashed message; false (never a throw) for a bad signature or point. */
export async function ecdsaVerify(name: EcdsaCurveName, point: Uint8Array, r: bigint, s: bigint, digest: Uint8Array): Promise<boolean> {
  const sig = compact(name, r, s);
  if (!sig) return false;
  try {
    // OpenSSL signers do not normalise s, so high-s signatures are valid here (lowS: false).
    return (await curveOf(name)).verify(sig, digest, point, { prehash: false, lowS: false, format: "compact" });
  } catch {
    return false;
  }
}

/** Sign an already hashed message with the scalar `d` (big-endian, curve-size bytes). */
export async function ecdsaSign(name: EcdsaCurveName, d: Uint8Array, digest: Uint8Array): Promise<{ r: bigint; s: bigint }> {
  const sig = (await curveOf(name)).sign(digest, d, { prehash: false, lowS: false, format: "compact" });
  const size = ECDSA_CURVE_BYTES[name];
  return { r: bytesToBigInt(sig.subarray(0, size)), s: bytesToBigInt(sig.subarray(size)) };
}

/** The uncompressed public point (0x04 || x || y) of scalar `d`; throws for a scalar out of range. */
export async function ecdsaPublicKey(name: EcdsaCurveName, d: Uint8Array): Promise<Uint8Array> {
  return (await curveOf(name)).getPublicKey(d, false);
}

/** Whether `point` is an uncompressed point on the curve (not the identity). */
export async function ecdsaValidPoint(name: EcdsaCurveName, point: Uint8Array): Promise<boolean> {
  if (point.length !== 1 + 2 * ECDSA_CURVE_BYTES[name] || point[0] !== 4) return false;
  try {
    (await curveOf(name)).Point.fromBytes(point).assertValidity();
    return true;
  } catch {
    return false;
  }
}

export async function ecdsaGenerate(name: EcdsaCurveName): Promise<{ d: Uint8Array; point: Uint8Array }> {
  const c = await curveOf(name);
  const d = c.utils.randomSecretKey();
  return { d, point: c.getPublicKey(d, false) };
}
