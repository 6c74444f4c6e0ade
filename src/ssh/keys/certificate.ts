import { KeyFormatError, ProtocolError } from "../errors.js";
import { fromUtf8 } from "../wire/bytes.js";
import { SshReader } from "../wire/reader.js";
import { SshWriter } from "../wire/writer.js";
import { CERT_SUFFIX, type AnyKeyType, findKeyType } from "./key-types.js";

/**
 * OpenSSH certificates (PROTOCOL.certkeys): a key of a plain type plus serial, type (user or host),
 * key id, principals, validity window, critical options and extensions, signed by a CA key over
 * everything before the signature field. Parsing only; verification is certificate-verify.ts.
 */

export const SSH_CERT_TYPE_USER = 1;
export const SSH_CERT_TYPE_HOST = 2;
/** valid_before of a certificate valid "forever". */
export const CERT_FOREVER = 0xffffffffffffffffn;

export interface Certificate {
  /** "ssh-ed25519-cert-v01@openssh.com", ... */
  type: string;
  /** The row of the certified key's plain type. */
  keyType: AnyKeyType;
  nonce: Uint8Array;
  /** The certified key, as the row's public key object. */
  publicKey: unknown;
  /** The certified key's plain public blob (what a known_hosts or authorized_keys line would hold). */
  publicBlob: Uint8Array;
  serial: bigint;
  certType: "user" | "host";
  keyId: string;
  /** Empty means any principal (PROTOCOL.certkeys); OpenSSH refuses such host certificates. */
  principals: string[];
  /** Seconds since the epoch: valid from `validAfter` (inclusive) to `validBefore` (exclusive). */
  validAfter: bigint;
  validBefore: bigint;
  criticalOptions: Map<string, Uint8Array>;
  extensions: Map<string, Uint8Array>;
  /** The CA's public key blob. */
  signatureKey: Uint8Array;
  /** The CA's signature blob. */
  signature: Uint8Array;
  /** The bytes the CA signed: the certificate blob up to the signature field. */
  signedData: Uint8Array;
  /** The whole certificate blob. */
  blob: Uint8Array;
}

function readOptions(data: Uint8Array, what: string): Map<string, Uint8Array> {
  const r = new SshReader(data);
  const out = new Map<string, Uint8Array>();
  let previous = "";
  while (r.remaining > 0) {
    const name = r.text(1024);
    const value = r.string(64 * 1024).slice();
    if (out.has(name)) throw new KeyFormatError(`certificate ${what} "${name}" appears twice`);
    if (name < previous) throw new KeyFormatError(`certificate ${what} are not in lexical order ("${name}" after "${previous}")`);
    previous = name;
    out.set(name, value);
  }
  return out;
}

/** Parse a certificate blob. Throws KeyFormatError for an unknown type or a malformed blob. */
export function parseCertificate(blob: Uint8Array): Certificate {
  try {
    const r = new SshReader(blob);
    const type = r.text(128);
    const keyType = type.endsWith(CERT_SUFFIX) ? findKeyType(type) : undefined;
    if (!keyType) throw new KeyFormatError(`"${type}" is not a certificate type we support`);
    const nonce = r.string(1024).slice();
    const publicKey = keyType.readPublic(r);
    const serial = r.uint64();
    const typeNumber = r.uint32();
    if (typeNumber !== SSH_CERT_TYPE_USER && typeNumber !== SSH_CERT_TYPE_HOST) {
      throw new KeyFormatError(`certificate type ${typeNumber} is neither user (1) nor host (2)`);
    }
    const keyId = r.text(4096);
    const principalsData = r.string(64 * 1024);
    const validAfter = r.uint64();
    const validBefore = r.uint64();
    const criticalOptions = readOptions(r.string(64 * 1024), "critical options");
    const extensions = readOptions(r.string(64 * 1024), "extensions");
    r.string(64 * 1024); // reserved
    const signatureKey = r.string(16 * 1024).slice();
    const signedData = blob.slice(0, r.offset);
    const signature = r.string(16 * 1024).slice();
    r.end("certificate");
    const principals: string[] = [];
    const pr = new SshReader(principalsData);
    while (pr.remaining > 0) principals.push(fromUtf8(pr.string(4096)));
    const pw = new SshWriter(256).string(keyType.name);
    keyType.writePublic(pw, publicKey);
    return {
      type,
      keyType,
      nonce,
      publicKey,
      publicBlob: pw.finish().slice(),
      serial,
      certType: typeNumber === SSH_CERT_TYPE_USER ? "user" : "host",
      keyId,
      principals,
      validAfter,
      validBefore,
      criticalOptions,
      extensions,
      signatureKey,
      signature,
      signedData,
      blob: blob.slice(),
    };
  } catch (e) {
    if (e instanceof ProtocolError) throw new KeyFormatError(`malformed certificate: ${e.message}`);
    throw e;
  }
}
