/** curve25519-sha256 and its pre-RFC name (RFC 8731): X25519 ECDH, K as an mpint, SHA-256. */
import { sha256 } from "@noble/hashes/sha2.js";
import { curves } from "../crypto/backend.js";
import { ProtocolError } from "../errors.js";
import { mpintSecret, oneRoundKex, type OneRoundAgreement } from "./ecdh-shaped.js";

/** X25519 with RFC 8731 §3's checks: 32-byte keys, and an all-zero secret aborts the exchange. */
export async function x25519Agree(pair: { agree(peer: Uint8Array): Promise<Uint8Array> }, peer: Uint8Array, who: string): Promise<Uint8Array> {
  if (peer.length !== 32) throw new ProtocolError(`${who}'s X25519 public key is ${peer.length} bytes, not 32`);
  try {
    return await pair.agree(peer);
  } catch {
    // Every backend's `agree` refuses the all-zero secret of a low-order point (test/curves.test.ts).
    throw new ProtocolError(`${who}'s X25519 public key is invalid or of low order (all-zero shared secret)`);
  }
}

export const x25519Agreement: OneRoundAgreement = {
  maxPublicLength: 64,
  async clientStart() {
    const pair = await (await curves()).x25519KeyPair();
    return { publicValue: pair.publicKey, finish: async (qs) => mpintSecret(await x25519Agree(pair, qs, "server")) };
  },
  async serverRespond(qc) {
    const pair = await (await curves()).x25519KeyPair();
    return { publicValue: pair.publicKey, sharedSecret: mpintSecret(await x25519Agree(pair, qc, "client")) };
  },
};

export const curve25519Sha256 = oneRoundKex("curve25519-sha256", sha256, x25519Agreement);
export const curve25519Sha256Libssh = oneRoundKex("curve25519-sha256@libssh.org", sha256, x25519Agreement);
