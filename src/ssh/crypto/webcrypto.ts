import type { CurveBackend, X25519KeyPair } from "./types.js";
import { fromBase64, toBase64 } from "../wire/bytes.js";

// PKCS#8 PrivateKeyInfo for Ed25519 (RFC 8410 §7): this fixed DER prefix, then the 32-byte seed.
const PKCS8_ED25519_PREFIX = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
const X25519 = { name: "X25519" } as const;
const ED25519 = { name: "Ed25519" } as const;

const subtle = (): SubtleCrypto => globalThis.crypto.subtle;
// Our byte arrays are never backed by a SharedArrayBuffer; this only narrows the type WebCrypto wants.
const bytes = (b: Uint8Array): Uint8Array<ArrayBuffer> => b as Uint8Array<ArrayBuffer>;

/** Import a seed as a PKCS#8 key; the DER copy holding the seed is wiped right after. */
async function importSeed(seed: Uint8Array, extractable: boolean): Promise<CryptoKey> {
  if (seed.length !== 32) throw new RangeError(`an ed25519 seed is 32 bytes, got ${seed.length}`);
  const der = new Uint8Array(48);
  der.set(PKCS8_ED25519_PREFIX);
  der.set(seed, 16);
  try {
    return await subtle().importKey("pkcs8", der, ED25519, extractable, ["sign"]);
  } finally {
    der.fill(0);
  }
}

const base64url = (b: Uint8Array): string => toBase64(b, false).replace(/\+/g, "-").replace(/\//g, "_");

/**
 * Import a seed with the public key it claims as a JWK (RFC 8037 §2), or null when the runtime
 * refuses it (Node refuses an "x" that is not the seed's). Four times cheaper than the PKCS#8 path in
 * Node, which runs OpenSSL's generic decoder (~0.5 ms); the seed's base64 string cannot be wiped,
 * as with the JWK export that every check makes anyway.
 */
async function importSeedJwk(seed: Uint8Array, publicKey: Uint8Array): Promise<CryptoKey | null> {
  const jwk: JsonWebKey = { kty: "OKP", crv: "Ed25519", d: base64url(seed), x: base64url(publicKey) };
  try {
    return await subtle().importKey("jwk", jwk, ED25519, true, ["sign"]);
  } catch {
    return null;
  }
}

async function x25519KeyPair(): Promise<X25519KeyPair> {
  const pair = (await subtle().generateKey(X25519, false, ["deriveBits"])) as CryptoKeyPair;
  const publicKey = new Uint8Array(await subtle().exportKey("raw", pair.publicKey));
  return {
    publicKey,
    async agree(peerPublic) {
      // WebCrypto rejects a low-order peer key (all-zero result) with an OperationError.
      const peer = await subtle().importKey("raw", bytes(peerPublic), X25519, false, []);
      return new Uint8Array(await subtle().deriveBits({ name: "X25519", public: peer }, pair.privateKey, 256));
    },
  };
}

export const webCryptoCurves: CurveBackend = {
  name: "webcrypto",
  x25519KeyPair,
  async ed25519Generate() {
    const pair = (await subtle().generateKey(ED25519, true, ["sign", "verify"])) as CryptoKeyPair;
    // PKCS#8 rather than JWK: the seed stays in bytes we can wipe, never in an immutable string.
    const der = new Uint8Array(await subtle().exportKey("pkcs8", pair.privateKey));
    try {
      if (der.length !== 48) throw new Error(`WebCrypto exported a ${der.length}-byte Ed25519 PKCS#8 key, not 48`);
      return { seed: der.slice(16), publicKey: new Uint8Array(await subtle().exportKey("raw", pair.publicKey)) };
    } finally {
      der.fill(0);
    }
  },
  async ed25519PublicKey(seed) {
    return (await webCryptoCurves.ed25519Signer(seed)).publicKey;
  },
  async ed25519Signer(seed, claimedPublicKey) {
    if (seed.length !== 32) throw new RangeError(`an ed25519 seed is 32 bytes, got ${seed.length}`);
    const key = (claimedPublicKey && (await importSeedJwk(seed, claimedPublicKey))) ?? (await importSeed(seed, true));
    // WebCrypto has no seed-to-public operation; the private JWK carries the public half as "x",
    // derived from the key (not echoed: Deno and Bun take a JWK without "x" and still export it).
    // The same imported key then signs, so a key file costs one import, check included.
    const jwk = await subtle().exportKey("jwk", key);
    const x = jwk.x === undefined ? null : fromBase64(jwk.x.replace(/-/g, "+").replace(/_/g, "/"));
    if (!x || x.length !== 32) throw new Error("WebCrypto returned no ed25519 public key");
    return { publicKey: x, sign: async (data) => new Uint8Array(await subtle().sign(ED25519, key, bytes(data))) };
  },
  async ed25519Verify(publicKey, signature, data) {
    try {
      const key = await subtle().importKey("raw", bytes(publicKey), ED25519, false, ["verify"]);
      return await subtle().verify(ED25519, key, bytes(signature), bytes(data));
    } catch {
      return false;
    }
  },
};

/** Whether this runtime's WebCrypto does both curves (importing a public key of each is enough to tell). */
export async function webCryptoHasCurves(): Promise<boolean> {
  if (typeof globalThis.crypto?.subtle?.importKey !== "function") return false;
  // RFC 8032 §7.1 test 1's public key, and RFC 7748 §6.1's Alice public key.
  const ed = fromBase64("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")!;
  const x = fromBase64("hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=")!;
  try {
    await subtle().importKey("raw", bytes(ed), ED25519, false, ["verify"]);
    await subtle().importKey("raw", bytes(x), X25519, false, []);
    return true;
  } catch {
    return false;
  }
}
