import { curves } from "../curves/backend.js";
import { fingerprintSha256 } from "./fingerprint.js";
import { encodeOpenSSHPrivateKey, type PrivateKeyEncryption } from "./openssh-private-key-writer.js";
import { encodeEd25519PublicBlob, formatPublicKeyLine } from "./public-key.js";
import { encodeSignatureBlob, type Signer } from "./signature.js";

/**
 * An ed25519 private key in memory: a Signer for userauth, plus what key files and the CLI need.
 * The seed lives in a private field, so logging or JSON-encoding the object never shows it.
 */
export class Ed25519PrivateKey implements Signer {
  readonly type = "ssh-ed25519";
  /** The raw 32-byte public key. */
  readonly publicKey: Uint8Array;
  readonly publicBlob: Uint8Array;
  readonly #seed: Uint8Array;
  #signer: Promise<(data: Uint8Array) => Promise<Uint8Array>> | null = null;

  /**
   * `seed` is the 32-byte RFC 8032 private key and `publicKey` its public half, as an OpenSSH key
   * file stores both; both are copied.
   */
  constructor(
    seed: Uint8Array,
    publicKey: Uint8Array,
    readonly comment = "",
  ) {
    if (seed.length !== 32) throw new RangeError(`an ed25519 seed is 32 bytes, got ${seed.length}`);
    if (publicKey.length !== 32) throw new RangeError(`an ed25519 public key is 32 bytes, got ${publicKey.length}`);
    this.#seed = seed.slice();
    this.publicKey = publicKey.slice();
    this.publicBlob = encodeEd25519PublicBlob(this.publicKey);
  }

  /** A new key from the platform's CSPRNG (crypto.getRandomValues). */
  static async generate(comment = ""): Promise<Ed25519PrivateKey> {
    const { seed, publicKey } = await (await curves()).ed25519Generate();
    try {
      return new Ed25519PrivateKey(seed, publicKey, comment);
    } finally {
      seed.fill(0);
    }
  }

  async sign(data: Uint8Array): Promise<Uint8Array> {
    this.#signer ??= curves().then((c) => c.ed25519Signer(this.#seed));
    return encodeSignatureBlob("ssh-ed25519", await (await this.#signer)(data));
  }

  /** "ssh-ed25519 AAAA... comment", as in a .pub file and authorized_keys. */
  publicKeyLine(): string {
    return formatPublicKeyLine({ type: this.type, blob: this.publicBlob }, this.comment);
  }

  /** "SHA256:...", as `ssh-keygen -lf` prints it. */
  fingerprint(): string {
    return fingerprintSha256(this.publicBlob);
  }

  /** The key as an openssh-key-v1 file, encrypted when a passphrase is given. */
  toOpenSSH(encryption: PrivateKeyEncryption = {}): Promise<string> {
    return encodeOpenSSHPrivateKey({ seed: this.#seed, publicKey: this.publicKey, comment: this.comment }, encryption);
  }

  toJSON(): { type: string; publicKeyLine: string } {
    return { type: this.type, publicKeyLine: this.publicKeyLine() };
  }
}
