/**
 * Host-key and user-key signature algorithms, in OpenSSH 10's order (HostKeyAlgorithms and
 * PubkeyAcceptedAlgorithms defaults): certificates first, then plain keys. An algorithm names the
 * signature; its key type is what the key blob must say (rsa-sha2-512 signs with an ssh-rsa key,
 * RFC 8332 §3; a certificate algorithm with that certificate type). SHA-1 `ssh-rsa` only when named,
 * as OpenSSH >= 8.8 does.
 */
import { HOST_KEY_ALGORITHMS, keyTypeOfAlgorithm } from "../keys/key-types.js";
import { AlgorithmTable } from "./table.js";

export interface HostKeyAlgorithm {
  /** The key type of the blob (K_S, or the user's key) this algorithm signs with. */
  readonly keyType: string;
}

const LEGACY = ["ssh-rsa-cert-v01@openssh.com", "ssh-rsa"];

function table(category: string): AlgorithmTable<HostKeyAlgorithm> {
  const t = new AlgorithmTable<HostKeyAlgorithm>(category);
  for (const name of HOST_KEY_ALGORITHMS) t.add(name, { keyType: keyTypeOfAlgorithm(name) });
  for (const name of LEGACY) t.add(name, { keyType: keyTypeOfAlgorithm(name) }, { byDefault: false });
  return t;
}

export const hostKeyAlgorithms = table("hostKey");
export const publicKeyAlgorithms = table("publicKey");
