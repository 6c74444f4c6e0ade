/**
 * mlkem768x25519-sha256 (draft-ietf-sshm-mlkem-hybrid-kex; OpenSSH 9.9+, its default from 10.0),
 * and the hybrid KEM + X25519 construction it shares with sntrup761x25519-sha512:
 *
 *   Q_C = KEM public key || X25519 public key          (client, in KEX_ECDH_INIT)
 *   Q_S = KEM ciphertext || X25519 public key          (server, in KEX_ECDH_REPLY)
 *   K   = string(HASH(KEM shared secret || X25519 shared secret))
 *
 * The X25519 secret enters raw (32 bytes, not an mpint) and K is a string, not an mpint, both in
 * H and in key derivation (OpenSSH kexmlkem768x25519.c / kexsntrup761x25519.c: sshbuf_put_string of
 * the digest; kexc25519_shared_key_ext(..., raw = 1), which also refuses an all-zero X25519 secret).
 *
 * The KEM code is loaded on first use (`import()`), so a bundle carries it as a separate chunk that
 * is fetched only when a peer negotiates the method.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { curves, type X25519KeyPair } from "../crypto/backend.js";
import { ProtocolError } from "../errors.js";
import { x25519Agree } from "./curve25519.js";
import { oneRoundKex, stringSecret, type OneRoundAgreement } from "./ecdh-shaped.js";
import type { Hash, KexMethod } from "./kex-method.js";

export type RandomBytes = (n: number) => Uint8Array;

/** A KEM's operations; each takes the randomness it needs from `random`. */
export interface KemOperations {
  keyPair(random: RandomBytes): { publicKey: Uint8Array; secretKey: Uint8Array };
  /** Throws when the public key is invalid (ML-KEM's modulus check, FIPS 203 §7.2). */
  encapsulate(publicKey: Uint8Array, random: RandomBytes): { ciphertext: Uint8Array; sharedSecret: Uint8Array };
  /** Never throws for a well-sized ciphertext: a bad one gives an unrelated secret (implicit rejection). */
  decapsulate(ciphertext: Uint8Array, secretKey: Uint8Array): Uint8Array;
}

/** A KEM as a hybrid method needs it: sizes known up front (to check lengths), code loaded lazily. */
export interface HybridKem {
  readonly name: string;
  readonly publicKeyBytes: number;
  readonly ciphertextBytes: number;
  load(): Promise<KemOperations>;
}

/** Where an exchange's ephemeral keys come from: the platform's CSPRNG unless a test pins them. */
export interface HybridEntropy {
  random?: RandomBytes;
  x25519KeyPair?: () => Promise<X25519KeyPair>;
}

const X25519_BYTES = 32;
const systemRandom: RandomBytes = (n) => crypto.getRandomValues(new Uint8Array(n));

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The hybrid agreement for `kem`; a fresh KEM key pair and X25519 key pair every exchange. */
export function hybridKemAgreement(kem: HybridKem, hash: Hash, entropy: HybridEntropy = {}): OneRoundAgreement {
  const random = entropy.random ?? systemRandom;
  const x25519KeyPair = entropy.x25519KeyPair ?? (async () => (await curves()).x25519KeyPair());
  const clientBytes = kem.publicKeyBytes + X25519_BYTES;
  const serverBytes = kem.ciphertextBytes + X25519_BYTES;
  /** K = string(HASH(kemSecret || ecdhSecret)); the inputs are wiped, they are no longer needed. */
  const combine = (kemSecret: Uint8Array, ecdhSecret: Uint8Array): Uint8Array => {
    const both = concat(kemSecret, ecdhSecret);
    const digest = hash(both);
    const k = stringSecret(digest);
    for (const secret of [both, digest, kemSecret, ecdhSecret]) secret.fill(0);
    return k;
  };
  return {
    // The reader's bound, not the check: twice the larger value, so a near miss reaches the exact
    // length checks below (whose messages say what was expected) and a huge one stops at the reader.
    maxPublicLength: 2 * Math.max(clientBytes, serverBytes),
    async clientStart() {
      const ops = await kem.load();
      const { publicKey, secretKey } = ops.keyPair(random);
      const pair = await x25519KeyPair();
      return {
        publicValue: concat(publicKey, pair.publicKey),
        async finish(qs: Uint8Array) {
          if (qs.length !== serverBytes) {
            throw new ProtocolError(`server's ${kem.name} + X25519 reply value (Q_S) is ${qs.length} bytes, not ${serverBytes} (${kem.ciphertextBytes}-byte ciphertext, ${X25519_BYTES}-byte X25519 key)`);
          }
          try {
            const ecdhSecret = await x25519Agree(pair, qs.subarray(kem.ciphertextBytes), "server");
            return combine(ops.decapsulate(qs.subarray(0, kem.ciphertextBytes), secretKey), ecdhSecret);
          } finally {
            secretKey.fill(0);
          }
        },
      };
    },
    async serverRespond(qc: Uint8Array) {
      if (qc.length !== clientBytes) {
        throw new ProtocolError(`client's ${kem.name} + X25519 value (Q_C) is ${qc.length} bytes, not ${clientBytes} (${kem.publicKeyBytes}-byte public key, ${X25519_BYTES}-byte X25519 key)`);
      }
      const ops = await kem.load();
      const pair = await x25519KeyPair();
      const ecdhSecret = await x25519Agree(pair, qc.subarray(kem.publicKeyBytes), "client");
      let encapsulated: { ciphertext: Uint8Array; sharedSecret: Uint8Array };
      try {
        encapsulated = ops.encapsulate(qc.subarray(0, kem.publicKeyBytes), random);
      } catch (cause) {
        ecdhSecret.fill(0);
        throw new ProtocolError(`client's ${kem.name} public key is invalid`, { cause });
      }
      return { publicValue: concat(encapsulated.ciphertext, pair.publicKey), sharedSecret: combine(encapsulated.sharedSecret, ecdhSecret) };
    },
  };
}

/**
 * ML-KEM-768 (FIPS 203) from @noble/post-quantum. Randomness: key generation takes 64 bytes (the
 * seed d || z of ML-KEM.KeyGen_internal), encapsulation 32 (the message m of ML-KEM.Encaps_internal).
 */
export const MLKEM768: HybridKem = {
  name: "ML-KEM-768",
  publicKeyBytes: 1184,
  ciphertextBytes: 1088,
  async load() {
    const { ml_kem768 } = await import("@noble/post-quantum/ml-kem.js");
    // The seeds determine the secrets: wipe them once used.
    const seeded = <T>(seed: Uint8Array, use: (seed: Uint8Array) => T): T => {
      try {
        return use(seed);
      } finally {
        seed.fill(0);
      }
    };
    return {
      keyPair: (random) => seeded(random(64), (seed) => ml_kem768.keygen(seed)),
      encapsulate(publicKey, random) {
        const { cipherText, sharedSecret } = seeded(random(32), (m) => ml_kem768.encapsulate(publicKey, m));
        return { ciphertext: cipherText, sharedSecret };
      },
      decapsulate: (ciphertext, secretKey) => ml_kem768.decapsulate(ciphertext, secretKey),
    };
  },
};

/** mlkem768x25519-sha256 with ephemeral keys from `entropy` (tests pin them for known answers). */
export function mlkem768x25519Sha256With(entropy: HybridEntropy): KexMethod {
  return oneRoundKex("mlkem768x25519-sha256", sha256, hybridKemAgreement(MLKEM768, sha256, entropy));
}

export const mlkem768x25519Sha256: KexMethod = mlkem768x25519Sha256With({});
