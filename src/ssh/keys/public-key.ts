import { KeyFormatError } from "../errors.js";
import { fromBase64, toBase64 } from "../wire/bytes.js";
import { SshReader } from "../wire/reader.js";
import { SshWriter } from "../wire/writer.js";

/** Key types we can use (and accept from peers) today. */
export const SUPPORTED_KEY_TYPES = ["ssh-ed25519"] as const;

export interface PublicKey {
  /** Key type name as on the wire, e.g. "ssh-ed25519". */
  readonly type: string;
  /** The public key blob (RFC 4253 §6.6). */
  readonly blob: Uint8Array;
}

/** ssh-ed25519 public key blob (RFC 8709 §4): string "ssh-ed25519", string key(32). */
export function encodeEd25519PublicBlob(publicKey: Uint8Array): Uint8Array {
  return new SshWriter(51).string("ssh-ed25519").string(publicKey).finish().slice();
}

/**
 * Decode and validate a public key blob of a supported type; returns the raw key.
 * Throws KeyFormatError for unknown types or malformed blobs (trailing bytes included).
 */
export function decodePublicBlob(blob: Uint8Array): { type: string; key: Uint8Array } {
  let type: string;
  let key: Uint8Array;
  try {
    const r = new SshReader(blob);
    type = r.text(64);
    if (type !== "ssh-ed25519") {
      throw new KeyFormatError(`unsupported key type "${type}": supported types are ${SUPPORTED_KEY_TYPES.join(", ")}`);
    }
    key = r.string(64);
    r.end("ssh-ed25519 public key");
  } catch (e) {
    if (e instanceof KeyFormatError) throw e;
    throw new KeyFormatError(`malformed public key blob: ${(e as Error).message}`);
  }
  if (key.length !== 32) throw new KeyFormatError(`ssh-ed25519 public key must be 32 bytes, got ${key.length}`);
  return { type, key };
}

/** "type base64 [comment]" as in authorized_keys and *.pub files. */
export function formatPublicKeyLine(key: PublicKey, comment?: string): string {
  return `${key.type} ${toBase64(key.blob)}${comment ? ` ${comment}` : ""}`;
}

/**
 * Parse one OpenSSH public key line ("type base64 [comment]", no options). The blob is decoded and
 * validated, and its inner type must match the line's. Throws KeyFormatError with the reason.
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
