import { ProtocolError } from "../errors.js";
import { SshReader } from "../wire/reader.js";
import { SshWriter } from "../wire/writer.js";
import { CERT_SUFFIX } from "./key-types.js";
import { decodePublicBlob } from "./public-key.js";

/** Signature blob (RFC 4253 §6.6): string algorithm, string signature. */
export function encodeSignatureBlob(algorithm: string, signature: Uint8Array): Uint8Array {
  return new SshWriter(signature.length + algorithm.length + 8).string(algorithm).string(signature).finish().slice();
}

/** The algorithm name and inner signature of a signature blob; ProtocolError when malformed. */
export function decodeSignatureBlob(signatureBlob: Uint8Array): { algorithm: string; signature: Uint8Array } {
  const r = new SshReader(signatureBlob);
  const algorithm = r.text(128);
  const signature = r.string(16 * 1024);
  r.end("signature");
  return { algorithm, signature };
}

/**
 * Verify `signatureBlob` over `data` with the key in `publicBlob` (a plain key or a certificate,
 * whose certified key then signs; the CA is not checked here: see verifyCertificate). The algorithm
 * is the one named in the signature blob and must be one of the key type's (RFC 8332: for ssh-rsa
 * keys rsa-sha2-512 or rsa-sha2-256; SHA-1 "ssh-rsa" only when `allowedAlgorithms` names it). When
 * `allowedAlgorithms` is given (e.g. the negotiated host key algorithm), the signature's algorithm
 * must be in it (plain or "-cert-v01@openssh.com" form). Throws ProtocolError on a malformed blob
 * or an algorithm mismatch, KeyFormatError on an unusable key; returns false for a wrong signature.
 */
export async function verifySignature(
  publicBlob: Uint8Array,
  signatureBlob: Uint8Array,
  data: Uint8Array,
  allowedAlgorithms?: readonly string[],
): Promise<boolean> {
  const key = decodePublicBlob(publicBlob);
  const { algorithm, signature } = decodeSignatureBlob(signatureBlob);
  const row = key.keyType.algorithms.find((a) => a.name === algorithm);
  if (!row) {
    const expected = key.keyType.algorithms.map((a) => a.name).join(", ");
    throw new ProtocolError(`signature algorithm "${algorithm}" does not match key type "${key.type}" (expected one of ${expected})`);
  }
  const allowed = (name: string) => !!allowedAlgorithms && (allowedAlgorithms.includes(name) || allowedAlgorithms.includes(name + CERT_SUFFIX));
  if (row.legacy && !allowed(algorithm)) {
    throw new ProtocolError(`signature algorithm "${algorithm}" (SHA-1) was not agreed; it is accepted only where explicitly enabled`);
  }
  if (allowedAlgorithms && !allowed(algorithm)) {
    throw new ProtocolError(`signature algorithm "${algorithm}" is not the agreed one (${allowedAlgorithms.join(", ")})`);
  }
  return row.verify(key.publicKey, signature, data);
}

/** Something that can sign for one public key: an in-memory key or an ssh-agent identity. */
export interface Signer {
  /** The key type of `publicBlob` ("ssh-rsa", "ssh-ed25519-cert-v01@openssh.com", ...). */
  readonly type: string;
  /** The public key blob, or the certificate blob for a certificate signer. */
  readonly publicBlob: Uint8Array;
  readonly comment: string;
  /**
   * The algorithm names this key can sign with, preferred first, as they appear in userauth and
   * host key negotiation ("rsa-sha2-512", ...; "rsa-sha2-512-cert-v01@openssh.com", ... for a
   * certificate).
   */
  readonly algorithms: readonly string[];
  /**
   * Returns a signature blob (string algorithm, string signature). `algorithm` is one of
   * `algorithms` (the certificate form is accepted and signs with its plain algorithm, which is
   * what the blob names); absent = the first of `algorithms`.
   */
  sign(data: Uint8Array, algorithm?: string): Promise<Uint8Array>;
}
