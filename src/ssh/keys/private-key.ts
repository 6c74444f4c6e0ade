import { KeyFormatError } from "../errors.js";
import { fingerprintSha256 } from "./fingerprint.js";
import { equalBytes } from "../wire/bytes.js";
import { parseCertificate } from "./certificate.js";
import { CERT_SUFFIX, plainAlgorithm, type AnyKeyType } from "./key-types.js";
import { encodeOpenSSHPrivateKey, type PrivateKeyEncryption } from "./openssh-private-key-writer.js";
import { encodePublicBlob, formatPublicKeyLine } from "./public-key.js";
import { encodeSignatureBlob, type Signer } from "./signature.js";

/**
 * A private key of any type in the key-type table, in memory: a Signer for userauth (or host keys),
 * plus what key files and the CLI need. The secret lives in a private field, so logging or
 * JSON-encoding the object never shows it.
 */
export class PrivateKey implements Signer {
  readonly type: string;
  readonly publicBlob: Uint8Array;
  readonly algorithms: readonly string[];
  /** The key's row in the key-type table. */
  readonly keyType: AnyKeyType;
  /** The raw public key bytes (ed25519 key, ECDSA point, RSA modulus). */
  readonly publicKey: Uint8Array;
  readonly bits: number;
  readonly #key: unknown;

  /** `key` is the row's private key object (it is kept, not copied). */
  constructor(keyType: AnyKeyType, key: unknown, readonly comment = "") {
    this.keyType = keyType;
    this.#key = key;
    this.type = keyType.name;
    const pub = keyType.publicOf(key);
    this.publicBlob = encodePublicBlob(keyType, pub);
    this.publicKey = keyType.rawKey(pub);
    this.bits = keyType.bits(pub);
    this.algorithms = keyType.algorithms.map((a) => a.name);
  }

  /** A new key from the platform's CSPRNG. `bits`: RSA size (default 3072) or ECDSA curve (256, 384, 521). */
  static async generate(keyType: AnyKeyType, comment = "", bits?: number): Promise<PrivateKey> {
    return new PrivateKey(keyType, await keyType.generate(bits), comment);
  }

  async sign(data: Uint8Array, algorithm?: string): Promise<Uint8Array> {
    const name = algorithm === undefined ? this.algorithms[0]! : plainAlgorithm(algorithm);
    const row = this.keyType.algorithms.find((a) => a.name === name);
    if (!row) throw new KeyFormatError(`a ${this.type} key cannot sign with "${algorithm}" (it can: ${this.algorithms.join(", ")})`);
    return encodeSignatureBlob(row.name, await row.sign(this.#key, data));
  }

  /** Throws KeyFormatError when the private and public halves do not belong together. */
  check(): Promise<void> {
    return this.keyType.check(this.#key);
  }

  /** "type AAAA... comment", as in a .pub file and authorized_keys. */
  publicKeyLine(): string {
    return formatPublicKeyLine({ type: this.type, blob: this.publicBlob }, this.comment);
  }

  /** "SHA256:...", as `ssh-keygen -lf` prints it. */
  fingerprint(): string {
    return fingerprintSha256(this.publicBlob);
  }

  /** The key as an openssh-key-v1 file, encrypted when a passphrase is given. */
  toOpenSSH(encryption: PrivateKeyEncryption = {}): Promise<string> {
    return encodeOpenSSHPrivateKey({ keyType: this.keyType, key: this.#key, comment: this.comment }, encryption);
  }

  /** A Signer presenting `certificateBlob` (a certificate of this key) instead of the plain key. */
  withCertificate(certificateBlob: Uint8Array, comment = this.comment): Signer {
    return certifiedSigner(this, certificateBlob, comment);
  }

  /** Forget the secret (best effort; RSA's bigints cannot be overwritten). */
  destroy(): void {
    this.keyType.wipe(this.#key);
  }

  toJSON(): { type: string; publicKeyLine: string } {
    return { type: this.type, publicKeyLine: this.publicKeyLine() };
  }
}

/**
 * A Signer for a certificate whose key `signer` holds: publicBlob is the certificate, the algorithm
 * names carry the "-cert-v01@openssh.com" suffix, and signatures are the plain key's (as
 * PROTOCOL.certkeys has them). Throws KeyFormatError when the certificate is for another key.
 */
export function certifiedSigner(signer: Signer, certificateBlob: Uint8Array, comment = signer.comment): Signer {
  const cert = parseCertificate(certificateBlob);
  const type = cert.type;
  if (!equalBytes(cert.publicBlob, signer.publicBlob)) {
    throw new KeyFormatError(`the certificate (${type}, id "${cert.keyId}") certifies another key, not this ${signer.type} key`);
  }
  return {
    type,
    publicBlob: certificateBlob,
    comment,
    algorithms: signer.algorithms.map((a) => a + CERT_SUFFIX),
    sign: (data, algorithm) => signer.sign(data, algorithm === undefined ? undefined : plainAlgorithm(algorithm)),
  };
}
