import { KeyFormatError } from "../errors.js";
import { ecdsaTypeForBits } from "./key-ecdsa.js";
import { ED25519 } from "./key-ed25519.js";
import { RSA } from "./key-rsa.js";
import type { AnyKeyType } from "./key-types.js";
import { PrivateKey } from "./private-key.js";

export type GeneratedKeyType = "ed25519" | "ecdsa" | "rsa";

export interface GenerateKeyOptions {
  /** Stored in the key and appended to the public key line; ssh-keygen uses "user@host". */
  comment?: string;
  /** Encrypt the private key file (bcrypt_pbkdf + aes256-ctr); absent or empty = unencrypted. */
  passphrase?: string;
  /** bcrypt_pbkdf rounds, as `ssh-keygen -a`; default 16. */
  rounds?: number;
  /** Cipher of an encrypted file, as `ssh-keygen -Z`; default aes256-ctr. */
  cipher?: string;
}

export interface GeneratedKey {
  /** The key itself, usable as a Signer right away. */
  key: PrivateKey;
  /** openssh-key-v1 file contents (what goes into the private key file, mode 0600). */
  privateKey: string;
  /** "ssh-ed25519 AAAA... comment" (what goes into the .pub file and authorized_keys). */
  publicKeyLine: string;
  /** "SHA256:...", as `ssh-keygen -lf` prints it. */
  fingerprint: string;
}

/** The key-type row `ssh-keygen -t type -b bits` would use (ECDSA: 256 by default; RSA: any size, 3072 by default). */
export function keyTypeForGeneration(type: GeneratedKeyType, bits?: number): AnyKeyType {
  if (type === "ed25519") {
    if (bits !== undefined && bits !== 256) throw new KeyFormatError(`ed25519 keys have a fixed size; --bits ${bits} does not apply`);
    return ED25519;
  }
  if (type === "ecdsa") return ecdsaTypeForBits(bits ?? 256);
  if (type === "rsa") return RSA;
  throw new KeyFormatError(`unknown key type "${String(type)}": choose ed25519, ecdsa or rsa`);
}

/**
 * A new key pair in OpenSSH's file formats (`ssh-keygen -t type [-b bits]`, without the files).
 * RSA: 3072 bits by default, at least 2048; ECDSA: 256 (default), 384 or 521.
 */
export async function generateKey(type: GeneratedKeyType = "ed25519", bits?: number, options: GenerateKeyOptions = {}): Promise<GeneratedKey> {
  const row = keyTypeForGeneration(type, bits);
  const key = await PrivateKey.generate(row, options.comment ?? "", type === "rsa" ? bits : undefined);
  return {
    key,
    privateKey: await key.toOpenSSH({ passphrase: options.passphrase, rounds: options.rounds, cipher: options.cipher }),
    publicKeyLine: key.publicKeyLine(),
    fingerprint: key.fingerprint(),
  };
}

/** A new ed25519 key pair in OpenSSH's file formats (`ssh-keygen -t ed25519`, without the files). */
export function generateEd25519Key(options: GenerateKeyOptions = {}): Promise<GeneratedKey> {
  return generateKey("ed25519", undefined, options);
}
