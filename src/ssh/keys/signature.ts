import { curves } from "../curves/backend.js";
import { ProtocolError } from "../errors.js";
import { SshReader } from "../wire/reader.js";
import { SshWriter } from "../wire/writer.js";
import { decodePublicBlob } from "./public-key.js";

/** Signature blob (RFC 4253 §6.6): string algorithm, string signature. */
export function encodeSignatureBlob(algorithm: string, signature: Uint8Array): Uint8Array {
  return new SshWriter(83).string(algorithm).string(signature).finish().slice();
}

/**
 * Verify `signatureBlob` over `data` with the key in `publicBlob`. The signature algorithm must be
 * the one the key type implies (no cross-algorithm confusion). Throws ProtocolError on a malformed
 * blob; returns false for a well-formed but wrong signature.
 */
export async function verifySignature(publicBlob: Uint8Array, signatureBlob: Uint8Array, data: Uint8Array): Promise<boolean> {
  const { type, key } = decodePublicBlob(publicBlob);
  const r = new SshReader(signatureBlob);
  const alg = r.text(64);
  const sig = r.string(1024);
  r.end("signature");
  if (alg !== type) throw new ProtocolError(`signature algorithm "${alg}" does not match key type "${type}"`);
  if (sig.length !== 64) throw new ProtocolError(`ssh-ed25519 signature must be 64 bytes, got ${sig.length}`);
  return (await curves()).ed25519Verify(key, sig, data);
}

/** Something that can sign for one public key: an in-memory key or an ssh-agent identity. */
export interface Signer {
  readonly type: string;
  readonly publicBlob: Uint8Array;
  readonly comment: string;
  /** Returns a signature blob (string algorithm, string signature). */
  sign(data: Uint8Array): Promise<Uint8Array>;
}
