import { KeyFormatError, ProtocolError } from "../errors.js";
import { fromBase64, toBase64 } from "../wire/bytes.js";
import { SshReader } from "../wire/reader.js";
import { SshWriter } from "../wire/writer.js";
import { parseCertificate, type Certificate } from "./certificate.js";
import { ED25519 } from "./key-ed25519.js";
import { CERT_TYPE_NAMES, KEY_TYPE_NAMES, keyTypeNamed, type AnyKeyType } from "./key-types.js";

/**
 * The key types the key server enrolls (src/keyserver/key-line.ts): still ed25519 only, until it
 * opts in to more. Every type we read, sign and verify with is in KEY_TYPE_NAMES (key-types.ts).
 */
export const SUPPORTED_KEY_TYPES: readonly string[] = ["ssh-ed25519"];

export { KEY_TYPE_NAMES };

export interface PublicKey {
  /** Key type name as on the wire, e.g. "ssh-ed25519". */
  readonly type: string;
  /** The public key blob (RFC 4253 §6.6). */
  readonly blob: Uint8Array;
}

/** What decodePublicBlob finds in a blob. */
export interface DecodedPublicKey {
  /** The blob's type name: a plain type or a "-cert-v01@openssh.com" type. */
  type: string;
  /** The key's raw bytes: the ed25519 key, the ECDSA point, the RSA modulus (of the certified key for a certificate). */
  key: Uint8Array;
  /** Key size in bits. */
  bits: number;
  /** The row of the (certified) key's plain type. */
  keyType: AnyKeyType;
  /** The row's public key object. */
  publicKey: unknown;
  /** Set when the blob is a certificate. */
  certificate: Certificate | null;
}

/** ssh-ed25519 public key blob (RFC 8709 §4): string "ssh-ed25519", string key(32). */
export function encodeEd25519PublicBlob(publicKey: Uint8Array): Uint8Array {
  return encodePublicBlob(ED25519, { publicKey });
}

/** The public key blob of a row's public key object: string name, then the type's fields. */
export function encodePublicBlob(keyType: AnyKeyType, publicKey: unknown): Uint8Array {
  const w = new SshWriter(128).string(keyType.name);
  keyType.writePublic(w, publicKey);
  return w.finish().slice();
}

/**
 * Decode and validate a public key or certificate blob of a supported type. Throws KeyFormatError
 * for unknown types or malformed blobs (trailing bytes included).
 */
export function decodePublicBlob(blob: Uint8Array): DecodedPublicKey {
  try {
    const r = new SshReader(blob);
    const type = r.text(128);
    const keyType = keyTypeNamed(type);
    if (type !== keyType.name) {
      const certificate = parseCertificate(blob);
      return { type, key: keyType.rawKey(certificate.publicKey), bits: keyType.bits(certificate.publicKey), keyType, publicKey: certificate.publicKey, certificate };
    }
    const publicKey = keyType.readPublic(r);
    r.end(`${type} public key`);
    return { type, key: keyType.rawKey(publicKey), bits: keyType.bits(publicKey), keyType, publicKey, certificate: null };
  } catch (e) {
    if (e instanceof ProtocolError) throw new KeyFormatError(`malformed public key blob: ${e.message}`);
    throw e;
  }
}

/** "type base64 [comment]" as in authorized_keys and *.pub files. */
export function formatPublicKeyLine(key: PublicKey, comment?: string): string {
  return `${key.type} ${toBase64(key.blob)}${comment ? ` ${comment}` : ""}`;
}

/**
 * Parse one OpenSSH public key line ("type base64 [comment]", no options): a plain key or a
 * certificate (*-cert.pub). The blob is decoded and validated, and its inner type must match the
 * line's. Throws KeyFormatError with the reason.
 */
export function parsePublicKeyLine(line: string): PublicKey & { comment: string } {
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(line)) throw new KeyFormatError("public key line contains control characters or a line break");
  const parts = line.trim().split(/[ \t]+/);
  if (parts.length < 2) throw new KeyFormatError('public key line must be "type base64 [comment]"');
  const [type, b64, ...rest] = parts as [string, string, ...string[]];
  const blob = fromBase64(b64);
  if (!blob) throw new KeyFormatError("public key line has invalid base64");
  const decoded = decodePublicBlob(blob);
  if (decoded.type !== type) throw new KeyFormatError(`public key line says "${type}" but its blob is "${decoded.type}"`);
  return { type, blob, comment: rest.join(" ") };
}

export { CERT_TYPE_NAMES };
