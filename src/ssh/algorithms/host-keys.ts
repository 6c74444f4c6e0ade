/**
 * Host-key (signature) algorithms, in OpenSSH 10's order (HostKeyAlgorithms default). An algorithm
 * names the signature over the exchange hash; its key type is what the host key blob must say
 * (rsa-sha2-512 signs with an ssh-rsa key, RFC 8332 §3; certificates wrap a key type).
 */
import { AlgorithmTable } from "./table.js";

export interface HostKeyAlgorithm {
  /** The key type of the blob (K_S) this algorithm signs with. */
  readonly keyType: string;
}

export const hostKeyAlgorithms = new AlgorithmTable<HostKeyAlgorithm>("hostKey");
hostKeyAlgorithms.add("ssh-ed25519", { keyType: "ssh-ed25519" });

/** Signature algorithms for user keys (PubkeyAcceptedAlgorithms); same rows until RSA/ECDSA/certificates add theirs. */
export const publicKeyAlgorithms = new AlgorithmTable<HostKeyAlgorithm>("publicKey");
publicKeyAlgorithms.add("ssh-ed25519", { keyType: "ssh-ed25519" });
