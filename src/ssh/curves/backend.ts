/**
 * Ed25519 and X25519, from the platform's WebCrypto where it has them (Node 18.4+, Deno, Bun,
 * Chromium 137+, Firefox 130+, Safari 17+) and from @noble/curves elsewhere. The noble backend is a
 * dynamic import, so a runtime with WebCrypto curves never loads it: importing @noble/curves costs
 * ~10 MiB of memory and ~10 KB gzipped of a browser bundle, and its curve math ~4 ms of CPU per
 * handshake against ~0.4 ms in OpenSSL or BoringSSL. Both backends give identical bytes (Ed25519
 * is deterministic, RFC 8032 §5.1.6); test/curves.test.ts holds them to that.
 */
import { webCryptoCurves, webCryptoHasCurves } from "./webcrypto.js";

export type CurveImplementation = "webcrypto" | "noble";

/** An ephemeral X25519 key pair (RFC 7748 §6.1). */
export interface X25519KeyPair {
  readonly publicKey: Uint8Array;
  /** The raw shared secret; throws when the peer's key is invalid or gives the all-zero secret. */
  agree(peerPublic: Uint8Array): Promise<Uint8Array>;
}

export interface CurveBackend {
  readonly name: CurveImplementation;
  x25519KeyPair(): Promise<X25519KeyPair>;
  /** A new key pair from the platform's CSPRNG: the 32-byte RFC 8032 seed and its public key. */
  ed25519Generate(): Promise<{ seed: Uint8Array; publicKey: Uint8Array }>;
  /** The public key of a 32-byte RFC 8032 seed. */
  ed25519PublicKey(seed: Uint8Array): Promise<Uint8Array>;
  /** A signing function bound to `seed` (WebCrypto keeps the key imported, not re-parsed per use). */
  ed25519Signer(seed: Uint8Array): Promise<(data: Uint8Array) => Promise<Uint8Array>>;
  /** False for a wrong signature or a key that is not a valid point; never throws for those. */
  ed25519Verify(publicKey: Uint8Array, signature: Uint8Array, data: Uint8Array): Promise<boolean>;
}

let selected: Promise<CurveBackend> | null = null;
let current: CurveImplementation | null = null;

async function select(webcrypto: boolean): Promise<CurveBackend> {
  const backend = webcrypto && (await webCryptoHasCurves()) ? webCryptoCurves : (await import("./noble.js")).nobleCurves;
  current = backend.name;
  return backend;
}

/**
 * Choose the backend now (otherwise the first handshake does it). `{ webcrypto: false }` pins
 * @noble/curves, e.g. to measure it or to avoid a platform implementation.
 */
export async function prepareCurves(opts: { webcrypto?: boolean } = {}): Promise<CurveImplementation> {
  selected = select(opts.webcrypto !== false);
  return (await selected).name;
}

/** The backend every curve operation uses; chosen once, on first use. */
export function curves(): Promise<CurveBackend> {
  return (selected ??= select(true));
}

/** Which backend is in use, or null before the first curve operation or `prepareCurves()`. */
export function curveImplementation(): CurveImplementation | null {
  return current;
}
