/**
 * The NIST curves' names and sizes (RFC 5656 §10.1), apart from ecdsa.ts so that reading an ECDSA
 * key blob does not load the signature code, which key-ecdsa.ts imports when it signs or verifies.
 */
export type EcdsaCurveName = "nistp256" | "nistp384" | "nistp521";

/** Field size in bytes of each curve (scalars and point coordinates). */
export const ECDSA_CURVE_BYTES: Record<EcdsaCurveName, number> = { nistp256: 32, nistp384: 48, nistp521: 66 };
