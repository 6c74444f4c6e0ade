import { KeyFormatError } from "../errors.js";
import type { SshReader } from "../wire/reader.js";
import type { SshWriter } from "../wire/writer.js";

/**
 * One row of the key-type table (key-types.ts): how a key type is encoded, checked, generated, and
 * which signature algorithms it has. A type's rows live in its own file (key-ed25519.ts, ...), which
 * imports only this one. `Pub` is the type's public key, `Priv` its private key (holding the public).
 */

export type HashName = "sha1" | "sha256" | "sha384" | "sha512";

export interface SignatureAlgorithm<Pub = unknown, Priv = unknown> {
  /** The name in a signature blob, e.g. "rsa-sha2-512". */
  readonly name: string;
  /** The digest the scheme signs with (ed25519 hashes internally with SHA-512). */
  readonly hash: HashName;
  /** SHA-1 ssh-rsa: used only where the caller names it explicitly. */
  readonly legacy?: boolean;
  /** The ssh-agent SIGN_REQUEST flag that asks for this algorithm (draft-miller-ssh-agent §4.5.1). */
  readonly agentFlag?: number;
  /** Verify the inner signature string of a signature blob; false when it does not verify. */
  verify(key: Pub, signature: Uint8Array, data: Uint8Array): Promise<boolean>;
  /** The inner signature string for a signature blob. */
  sign(key: Priv, data: Uint8Array): Promise<Uint8Array>;
}

export interface KeyType<Pub = unknown, Priv = unknown> {
  /** The key type name of public key blobs, e.g. "ssh-rsa". */
  readonly name: string;
  /** Its signature algorithms, preferred first (legacy ones last). */
  readonly algorithms: readonly SignatureAlgorithm<Pub, Priv>[];
  /** The public blob's fields after the name (also a certificate's key fields after the nonce). */
  readPublic(r: SshReader): Pub;
  writePublic(w: SshWriter, key: Pub): void;
  /** The key's raw bytes for display and comparison: ed25519 key, ECDSA point, RSA modulus. */
  rawKey(key: Pub): Uint8Array;
  bits(key: Pub): number;
  /** The openssh-key-v1 private section's fields after the name (PROTOCOL.key, sshkey.c). */
  readPrivate(r: SshReader): Priv;
  writePrivate(w: SshWriter, key: Priv): void;
  publicOf(key: Priv): Pub;
  /** Throws KeyFormatError("the private key file is corrupted: ...") when the halves disagree. */
  check(key: Priv): Promise<void>;
  /** A new key; `bits` only for types with a size choice. */
  generate(bits?: number): Promise<Priv>;
  /** Overwrite the secret parts (best effort: bigints cannot be wiped). */
  wipe(key: Priv): void;
}

/** The error for a private key whose parts do not belong together. */
export function corruptedKey(what: string): KeyFormatError {
  return new KeyFormatError(`the private key file is corrupted: ${what}; restore it from a backup or create a new key (ssh-keygen or mcp-ssh keygen)`);
}
