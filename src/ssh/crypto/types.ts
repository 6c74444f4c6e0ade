/**
 * The primitive backends' contract. Implementations (webcrypto.ts, noble.ts) import only this file;
 * backend.ts imports them and chooses, so no module imports the one that imports it.
 */
export type CurveImplementation = "webcrypto" | "noble";

/** An ephemeral X25519 key pair (RFC 7748 §6.1). */
export interface X25519KeyPair {
  readonly publicKey: Uint8Array;
  /** The raw shared secret; throws when the peer's key is invalid or gives the all-zero secret. */
  agree(peerPublic: Uint8Array): Promise<Uint8Array>;
}

export interface Ed25519Signer {
  /** The public key derived from the seed (RFC 8032 §5.1.5), for checking a stored one. */
  readonly publicKey: Uint8Array;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

export interface CurveBackend {
  readonly name: CurveImplementation;
  x25519KeyPair(): Promise<X25519KeyPair>;
  /** A new key pair from the platform's CSPRNG: the 32-byte RFC 8032 seed and its public key. */
  ed25519Generate(): Promise<{ seed: Uint8Array; publicKey: Uint8Array }>;
  /** The public key of a 32-byte RFC 8032 seed. */
  ed25519PublicKey(seed: Uint8Array): Promise<Uint8Array>;
  /**
   * A signer bound to `seed`, with the public key the seed gives: one import serves the key file's
   * check and every signature (WebCrypto's import costs as much as the check itself).
   * `claimedPublicKey`, the key file's, only speeds the import; `publicKey` is always derived.
   */
  ed25519Signer(seed: Uint8Array, claimedPublicKey?: Uint8Array): Promise<Ed25519Signer>;
  /** False for a wrong signature or a key that is not a valid point; never throws for those. */
  ed25519Verify(publicKey: Uint8Array, signature: Uint8Array, data: Uint8Array): Promise<boolean>;
}
