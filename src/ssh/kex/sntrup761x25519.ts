/**
 * sntrup761x25519-sha512 (RFC 9941, formerly draft-ietf-sshm-ntruprime-ssh) and its earlier name
 * sntrup761x25519-sha512@openssh.com (OpenSSH 8.5+, its default from 9.0 to 9.8): the hybrid of
 * mlkem768x25519.ts with Streamlined NTRU Prime 761 as the KEM and SHA-512 as the hash:
 *
 *   Q_C = sntrup761 public key (1158) || X25519 public key (32)
 *   Q_S = sntrup761 ciphertext (1039) || X25519 public key (32)
 *   K   = string(SHA-512(sntrup761 shared secret || X25519 shared secret))
 *
 * Any 1158-byte string is a usable sntrup761 public key (decoding reduces mod q), so unlike ML-KEM
 * there is no key check, as in OpenSSH.
 */
import { sha512 } from "@noble/hashes/sha2.js";
import { oneRoundKex } from "./ecdh-shaped.js";
import type { KexMethod } from "./kex-method.js";
import { hybridKemAgreement, type HybridEntropy, type HybridKem } from "./mlkem768x25519.js";

/** sntrup761 (../crypto/sntrup761.ts): a key pair draws 3044 bytes per try at g, 3044 for f and 191 for rho; encapsulation 3044. */
export const SNTRUP761: HybridKem = {
  name: "sntrup761",
  publicKeyBytes: 1158,
  ciphertextBytes: 1039,
  async load() {
    const { sntrup761KeyPair, sntrup761Encapsulate, sntrup761Decapsulate, initSntrup761Kernel } = await import("../crypto/sntrup761.js");
    // The WebAssembly kernel (../crypto/sntrup761-wasm/), loaded only now that sntrup761 is
    // negotiated; where it cannot load, the same functions run their JavaScript.
    await initSntrup761Kernel();
    return {
      keyPair: (random) => sntrup761KeyPair(random),
      encapsulate: (publicKey, random) => sntrup761Encapsulate(publicKey, random),
      decapsulate: (ciphertext, secretKey) => sntrup761Decapsulate(ciphertext, secretKey),
    };
  },
};

/** Both names of the method, with ephemeral keys from `entropy` (tests pin them for known answers). */
export function sntrup761x25519Sha512With(entropy: HybridEntropy, name = "sntrup761x25519-sha512"): KexMethod {
  return oneRoundKex(name, sha512, hybridKemAgreement(SNTRUP761, sha512, entropy));
}

export const sntrup761x25519Sha512: KexMethod = sntrup761x25519Sha512With({});
export const sntrup761x25519Sha512OpenSSH: KexMethod = sntrup761x25519Sha512With({}, "sntrup761x25519-sha512@openssh.com");
