import { bigIntToBytes, bitLength, modInverse } from "../crypto/bigint.js";
import type { RsaHash, RsaPrivateKey, RsaPublicKey } from "../crypto/rsa.js";
import { KeyFormatError } from "../errors.js";
import { corruptedKey, type HashName, type KeyType, type SignatureAlgorithm } from "./key-type.js";

/**
 * ssh-rsa (RFC 4253 §6.6) with the signature algorithms of RFC 8332: rsa-sha2-512, rsa-sha2-256, and
 * SHA-1 ssh-rsa only where named. Public blob "mpint e, mpint n"; openssh-key-v1 private section
 * "mpint n, e, d, iqmp, p, q" (sshkey.c). The WebCrypto code (crypto/rsa.ts) is imported when an
 * RSA key signs, verifies or is made, so a browser whose connections use Ed25519 never downloads it.
 */

const rsa = () => import("../crypto/rsa.js");

export const RSA_MIN_BITS = 2048;
/** OpenSSH's SSH_RSA_MAXIMUM_MODULUS_SIZE. */
export const RSA_MAX_BITS = 16384;
export const RSA_DEFAULT_BITS = 3072;

/**
 * An RSA key under RSA_MIN_BITS. Still a KeyFormatError named so, and its message is written for the
 * user's own key (the common case: a key file or an agent key); code that reads a key someone else
 * chose (the server's host key, a certificate's CA) catches it by class to say whose key it is.
 */
export class RsaKeySizeError extends KeyFormatError {
  constructor(readonly bits: number) {
    super(`RSA keys must be at least ${RSA_MIN_BITS} bits; this one has ${bits}. Create a new key: ssh-keygen -t ed25519 (or -t rsa -b 3072)`);
  }
}

export function checkRsaSize(n: bigint): void {
  const bits = bitLength(n);
  if (bits < RSA_MIN_BITS) throw new RsaKeySizeError(bits);
  if (bits > RSA_MAX_BITS) throw new KeyFormatError(`RSA keys may have at most ${RSA_MAX_BITS} bits; this one has ${bits}`);
}

export function checkRsaExponent(e: bigint): void {
  if (e < 3n || (e & 1n) === 0n || bitLength(e) > 64) throw new KeyFormatError("the RSA public exponent is invalid");
}

const signers = new WeakMap<RsaPrivateKey, Map<RsaHash, Promise<(data: Uint8Array) => Promise<Uint8Array>>>>();

function algorithm(name: string, hash: HashName, webHash: RsaHash, agentFlag: number, legacy = false): SignatureAlgorithm<RsaPublicKey, RsaPrivateKey> {
  return {
    name,
    hash,
    legacy,
    agentFlag,
    verify: async (key, signature, data) => (await rsa()).rsaVerify(key, webHash, signature, data),
    async sign(key, data) {
      let byHash = signers.get(key);
      if (!byHash) signers.set(key, (byHash = new Map()));
      let signer = byHash.get(webHash);
      if (!signer) byHash.set(webHash, (signer = rsa().then((m) => m.rsaSigner(key, webHash))));
      return (await signer)(data);
    },
  };
}

export const RSA: KeyType<RsaPublicKey, RsaPrivateKey> = {
  name: "ssh-rsa",
  algorithms: [
    algorithm("rsa-sha2-512", "sha512", "SHA-512", 4),
    algorithm("rsa-sha2-256", "sha256", "SHA-256", 2),
    algorithm("ssh-rsa", "sha1", "SHA-1", 0, true),
  ],
  readPublic(r) {
    const e = r.mpint();
    const n = r.mpint();
    checkRsaExponent(e);
    checkRsaSize(n);
    return { n, e };
  },
  writePublic(w, key) {
    w.mpint(key.e).mpint(key.n);
  },
  rawKey: (key) => bigIntToBytes(key.n),
  bits: (key) => bitLength(key.n),
  readPrivate(r) {
    const n = r.mpint();
    const e = r.mpint();
    const d = r.mpint();
    const qi = r.mpint();
    const p = r.mpint();
    const q = r.mpint();
    checkRsaExponent(e);
    checkRsaSize(n);
    return rsaPrivateFromParts(n, e, d, p, q, qi);
  },
  writePrivate(w, key) {
    w.mpint(key.n).mpint(key.e).mpint(key.d).mpint(key.qi).mpint(key.p).mpint(key.q);
  },
  publicOf: (key) => ({ n: key.n, e: key.e }),
  async check(key) {
    if (key.p * key.q !== key.n) throw corruptedKey("the RSA primes do not multiply to the modulus");
    if (key.p <= 1n || key.q <= 1n) throw corruptedKey("an RSA prime is not greater than 1");
    // e·d ≡ 1 modulo p-1 and q-1 (so modulo lcm(p-1, q-1)): d really inverts e.
    if ((key.e * key.d) % (key.p - 1n) !== 1n || (key.e * key.d) % (key.q - 1n) !== 1n) {
      throw corruptedKey("the RSA private exponent does not match the public exponent");
    }
    if ((key.qi * key.q) % key.p !== 1n) throw corruptedKey("the RSA CRT coefficient is wrong");
  },
  async generate(bits = RSA_DEFAULT_BITS) {
    if (!Number.isInteger(bits) || bits < RSA_MIN_BITS || bits > RSA_MAX_BITS || bits % 8 !== 0) {
      throw new KeyFormatError(`RSA key size must be a multiple of 8 from ${RSA_MIN_BITS} to ${RSA_MAX_BITS} bits, not ${bits}`);
    }
    return (await rsa()).rsaGenerate(bits);
  },
  wipe() {
    // bigints are immutable; the imported WebCrypto keys are not extractable.
  },
};

/** The full private key (with the CRT exponents WebCrypto needs) from what key files store. */
export function rsaPrivateFromParts(n: bigint, e: bigint, d: bigint, p: bigint, q: bigint, qi?: bigint): RsaPrivateKey {
  if (p <= 1n || q <= 1n || d <= 0n) throw corruptedKey("an RSA private value is not positive");
  let coefficient = qi;
  if (coefficient === undefined) {
    try {
      coefficient = modInverse(q, p);
    } catch {
      throw corruptedKey("the RSA primes are not coprime");
    }
  }
  return { n, e, d, p, q, dp: d % (p - 1n), dq: d % (q - 1n), qi: coefficient };
}
