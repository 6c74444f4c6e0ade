import { ed25519, x25519 } from "@noble/curves/ed25519.js";
import type { CurveBackend } from "./types.js";

/** The portable backend, loaded only where WebCrypto lacks Ed25519/X25519 or when pinned. */
export const nobleCurves: CurveBackend = {
  name: "noble",
  async x25519KeyPair() {
    const secret = x25519.utils.randomSecretKey();
    return {
      publicKey: x25519.getPublicKey(secret),
      async agree(peerPublic) {
        const shared = x25519.getSharedSecret(secret, peerPublic);
        // Same contract as WebCrypto's deriveBits: an all-zero secret is an error (RFC 7748 §6.1).
        if (shared.every((b) => b === 0)) throw new Error("X25519 shared secret is all zero");
        return shared;
      },
    };
  },
  async ed25519Generate() {
    const seed = ed25519.utils.randomSecretKey();
    return { seed, publicKey: ed25519.getPublicKey(seed) };
  },
  async ed25519PublicKey(seed) {
    return ed25519.getPublicKey(seed);
  },
  async ed25519Signer(seed) {
    const copy = seed.slice();
    return { publicKey: ed25519.getPublicKey(copy), sign: async (data) => ed25519.sign(data, copy) };
  },
  async ed25519Verify(publicKey, signature, data) {
    // RFC 8032 strict verification (zip215: false) rejects non-canonical encodings. noble throws on
    // wrong sizes where it returns false for a bad point; the contract is false for both.
    try {
      return ed25519.verify(signature, data, publicKey, { zip215: false });
    } catch {
      return false;
    }
  },
};
