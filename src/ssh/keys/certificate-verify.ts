import { SSHError } from "../errors.js";
import { equalBytes } from "../wire/bytes.js";
import { parseCertificate, type Certificate } from "./certificate.js";
import { fingerprintSha256 } from "./fingerprint.js";
import { RSA_MIN_BITS, RsaKeySizeError } from "./key-rsa.js";
import { decodePublicBlob } from "./public-key.js";
import { decodeSignatureBlob, verifySignature } from "./signature.js";
import { safePeerText } from "../wire/peer-text.js";

/** A certificate that fails a check; the message says which and what to do. */
export class CertificateError extends SSHError {
  override name: string = "CertificateError";
}

/** Critical options we know (PROTOCOL.certkeys); the caller enforces them (they are returned). */
export const KNOWN_CRITICAL_OPTIONS: readonly string[] = ["force-command", "source-address"];

export interface CertificateCheck {
  /** "user" for userauth, "host" for host keys. */
  type: "user" | "host";
  /** Trusted CA public key blobs (e.g. from @cert-authority lines or TrustedUserCAKeys). */
  caKeys?: readonly Uint8Array[];
  /** Or a callback deciding whether a CA key blob is trusted. */
  isTrustedCa?: (caBlob: Uint8Array) => boolean | Promise<boolean>;
  /** The user name or host name that must be among the principals. */
  principal?: string;
  /** Seconds since the epoch (or a Date); default now. */
  now?: number | Date;
  /** CA signature algorithms accepted; default all but SHA-1 "ssh-rsa" (OpenSSH's CASignatureAlgorithms). */
  caSignatureAlgorithms?: readonly string[];
}

/**
 * Check an OpenSSH certificate (a blob or a parsed Certificate) the way ssh and sshd do
 * (sshkey_cert_check_authority): the CA is trusted and is not itself a certificate, the CA's
 * signature covers everything before the signature field, the certificate type, the principal, the
 * validity window (valid_after inclusive, valid_before exclusive), and no unknown critical options.
 * Returns the parsed certificate; throws CertificateError naming the failed check.
 */
export async function verifyCertificate(input: Certificate | Uint8Array, check: CertificateCheck): Promise<Certificate> {
  const cert = input instanceof Uint8Array ? parseCertificate(input) : input;
  // The key id of a host certificate is the server's text: filtered before any message shows it.
  const id = safePeerText(cert.keyId);
  const ca = fingerprintSha256(cert.signatureKey);
  let caType: ReturnType<typeof decodePublicBlob>;
  try {
    caType = decodePublicBlob(cert.signatureKey);
  } catch (e) {
    // A CA key we would refuse anywhere (an RSA one under 2048 bits) cannot vouch for anything: the
    // certificate fails like one from an untrusted CA (a host's plain key is then checked, as
    // OpenSSH's check_host_key falls back), and the message names the CA, not the user's key.
    if (e instanceof RsaKeySizeError) {
      throw new CertificateError(`certificate "${id}" is signed by CA ssh-rsa ${ca}, an RSA key of ${e.bits} bits; mcp-ssh refuses RSA keys under ${RSA_MIN_BITS} bits (re-sign it with a CA key of ed25519 or RSA 3072)`);
    }
    throw e;
  }
  if (caType.certificate) throw new CertificateError(`certificate "${id}" is signed by a certificate, not a CA key`);
  const listed = check.caKeys?.some((k) => equalBytes(k, cert.signatureKey)) ?? false;
  const trusted = listed || (check.isTrustedCa ? await check.isTrustedCa(cert.signatureKey) : false);
  if (!trusted) {
    throw new CertificateError(`certificate "${id}" is signed by CA ${caType.type} ${ca}, which is not trusted here (add it as a trusted CA key if it should be)`);
  }
  const { algorithm } = decodeSignatureBlob(cert.signature);
  const allowed = check.caSignatureAlgorithms ?? caType.keyType.algorithms.filter((a) => !a.legacy).map((a) => a.name);
  if (!allowed.includes(algorithm)) {
    throw new CertificateError(`certificate "${id}" is signed with "${safePeerText(algorithm)}", which is not accepted for CA signatures (re-sign it: ssh-keygen -s CA -t rsa-sha2-512 ...)`);
  }
  let valid = false;
  try {
    valid = await verifySignature(cert.signatureKey, cert.signature, cert.signedData, [algorithm]);
  } catch (e) {
    throw new CertificateError(`certificate "${id}": the CA signature is malformed: ${(e as Error).message}`);
  }
  if (!valid) throw new CertificateError(`certificate "${id}": the CA signature does not verify (the certificate was altered or not signed by ${ca})`);
  if (cert.certType !== check.type) {
    throw new CertificateError(`certificate "${id}" is a ${cert.certType} certificate where a ${check.type} certificate is needed`);
  }
  const now = check.now === undefined ? Date.now() / 1000 : check.now instanceof Date ? check.now.getTime() / 1000 : check.now;
  const problem = certificateScopeProblem(cert, check.principal, BigInt(Math.floor(now)));
  if (problem !== null) throw new CertificateError(problem);
  for (const name of cert.criticalOptions.keys()) {
    if (check.type === "host" || !KNOWN_CRITICAL_OPTIONS.includes(name)) {
      throw new CertificateError(`certificate "${id}" has the critical option "${safePeerText(name)}", which we do not support, so it must be refused`);
    }
  }
  return cert;
}

/** A validity bound as text: ISO 8601 UTC, or "forever" for OpenSSH's open end. */
function certificateTime(seconds: bigint): string {
  if (seconds >= 253402300799n) return "forever";
  return new Date(Number(seconds) * 1000).toISOString();
}

/**
 * The principal and validity-window checks of sshkey_cert_check_authority (OpenSSH's sshkey.c),
 * which need no CA: what fails, or null. `principal` undefined skips the principal check. The key
 * id and principals may come from a peer (host certificates), so they are filtered for the terminal.
 */
export function certificateScopeProblem(cert: Certificate, principal: string | undefined, nowSeconds: bigint): string | null {
  const id = `certificate "${safePeerText(cert.keyId)}"`;
  if (principal !== undefined) {
    if (cert.principals.length === 0) return `${id} lists no principals, so it is not valid for "${safePeerText(principal)}"`;
    if (!cert.principals.includes(principal)) {
      return `${id}: principal "${safePeerText(principal)}" not in [${cert.principals.map((p) => safePeerText(p)).join(", ")}]`;
    }
  }
  if (nowSeconds < cert.validAfter) return `${id} is not valid before ${certificateTime(cert.validAfter)}`;
  if (nowSeconds >= cert.validBefore) return `${id} expired at ${certificateTime(cert.validBefore)}`;
  return null;
}
