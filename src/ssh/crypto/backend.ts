/**
 * Ed25519 and X25519, from the platform's WebCrypto where it has them (Node 18.4+, Deno, Bun,
 * Chromium 137+, Firefox 130+, Safari 17+) and from @noble/curves elsewhere. The noble backend is a
 * dynamic import, so a runtime with WebCrypto curves never loads it: importing @noble/curves costs
 * ~10 MiB of memory and ~10 KB gzipped of a browser bundle, and its curve math ~4 ms of CPU per
 * handshake against ~0.4 ms in OpenSSL or BoringSSL. Both backends give identical bytes (Ed25519
 * is deterministic, RFC 8032 §5.1.6); test/curves.test.ts holds them to that.
 */
import type { CurveBackend, CurveImplementation } from "./types.js";
import { webCryptoCurves, webCryptoHasCurves } from "./webcrypto.js";

export type { CurveBackend, CurveImplementation, X25519KeyPair } from "./types.js";

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
