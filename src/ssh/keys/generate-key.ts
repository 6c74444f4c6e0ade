import { Ed25519PrivateKey } from "./ed25519-private-key.js";

export interface GenerateKeyOptions {
  /** Stored in the key and appended to the public key line; ssh-keygen uses "user@host". */
  comment?: string;
  /** Encrypt the private key file (bcrypt_pbkdf + aes256-ctr); absent or empty = unencrypted. */
  passphrase?: string;
  /** bcrypt_pbkdf rounds, as `ssh-keygen -a`; default 16. */
  rounds?: number;
}

export interface GeneratedKey {
  /** The key itself, usable as a Signer right away. */
  key: Ed25519PrivateKey;
  /** openssh-key-v1 file contents (what goes into the private key file, mode 0600). */
  privateKey: string;
  /** "ssh-ed25519 AAAA... comment" (what goes into the .pub file and authorized_keys). */
  publicKeyLine: string;
  /** "SHA256:...", as `ssh-keygen -lf` prints it. */
  fingerprint: string;
}

/** A new ed25519 key pair in OpenSSH's file formats (`ssh-keygen -t ed25519`, without the files). */
export async function generateEd25519Key(options: GenerateKeyOptions = {}): Promise<GeneratedKey> {
  const key = await Ed25519PrivateKey.generate(options.comment ?? "");
  return {
    key,
    privateKey: await key.toOpenSSH({ passphrase: options.passphrase, rounds: options.rounds }),
    publicKeyLine: key.publicKeyLine(),
    fingerprint: key.fingerprint(),
  };
}
