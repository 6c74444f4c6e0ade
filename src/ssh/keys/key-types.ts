import { KeyFormatError } from "../errors.js";
import { ECDSA_P256, ECDSA_P384, ECDSA_P521 } from "./key-ecdsa.js";
import { ED25519 } from "./key-ed25519.js";
import { RSA } from "./key-rsa.js";
import type { KeyType, SignatureAlgorithm } from "./key-type.js";

/**
 * The key-type table: every key type we read, write, sign and verify with. Certificates
 * (PROTOCOL.certkeys) wrap a row: "<type>-cert-v01@openssh.com", whose signature algorithms are the
 * row's with the same suffix. Adding a key type = its file + one row here.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyKeyType = KeyType<any, any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySignatureAlgorithm = SignatureAlgorithm<any, any>;

export const KEY_TYPES: readonly AnyKeyType[] = [ED25519, ECDSA_P256, ECDSA_P384, ECDSA_P521, RSA];

export const CERT_SUFFIX = "-cert-v01@openssh.com";

const BY_NAME = new Map(KEY_TYPES.map((t) => [t.name, t]));

/** Plain key type names, in preference order. */
export const KEY_TYPE_NAMES: readonly string[] = KEY_TYPES.map((t) => t.name);
/** Certificate key type names, in preference order. */
export const CERT_TYPE_NAMES: readonly string[] = KEY_TYPES.map((t) => t.name + CERT_SUFFIX);

/**
 * Host key algorithms we support, in OpenSSH 10's default order (myproposal.h KEX_DEFAULT_PK_ALG,
 * without the sk- types): certificates first, then plain keys; SHA-1 ssh-rsa is not offered.
 */
export const HOST_KEY_ALGORITHMS: readonly string[] = [
  "ssh-ed25519-cert-v01@openssh.com",
  "ecdsa-sha2-nistp256-cert-v01@openssh.com",
  "ecdsa-sha2-nistp384-cert-v01@openssh.com",
  "ecdsa-sha2-nistp521-cert-v01@openssh.com",
  "rsa-sha2-512-cert-v01@openssh.com",
  "rsa-sha2-256-cert-v01@openssh.com",
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
];

/** Every signature algorithm name we can verify (legacy ssh-rsa and the cert forms included). */
export const SIGNATURE_ALGORITHMS: readonly string[] = [
  ...KEY_TYPES.flatMap((t) => t.algorithms.map((a) => a.name + CERT_SUFFIX)),
  ...KEY_TYPES.flatMap((t) => t.algorithms.map((a) => a.name)),
];

export function isCertificateType(name: string): boolean {
  return name.endsWith(CERT_SUFFIX) && BY_NAME.has(name.slice(0, -CERT_SUFFIX.length));
}

/** The row for a plain or certificate key type name, or undefined when we have none. */
export function findKeyType(name: string): AnyKeyType | undefined {
  return BY_NAME.get(name.endsWith(CERT_SUFFIX) ? name.slice(0, -CERT_SUFFIX.length) : name);
}

/** The row for `name` (plain or certificate), or a KeyFormatError naming what we support. */
export function keyTypeNamed(name: string): AnyKeyType {
  const row = findKeyType(name);
  if (!row) {
    throw new KeyFormatError(`unsupported key type "${name}": supported types are ${[...KEY_TYPE_NAMES, ...CERT_TYPE_NAMES].join(", ")}`);
  }
  return row;
}

/**
 * The key type a signature / host key / publickey algorithm name belongs to: "rsa-sha2-256" ->
 * "ssh-rsa", "rsa-sha2-512-cert-v01@openssh.com" -> "ssh-rsa-cert-v01@openssh.com",
 * "ssh-ed25519" -> "ssh-ed25519". Throws KeyFormatError for a name we do not know.
 */
export function keyTypeOfAlgorithm(algorithm: string): string {
  const cert = algorithm.endsWith(CERT_SUFFIX);
  const plain = cert ? algorithm.slice(0, -CERT_SUFFIX.length) : algorithm;
  for (const t of KEY_TYPES) {
    if (t.algorithms.some((a) => a.name === plain)) return cert ? t.name + CERT_SUFFIX : t.name;
  }
  throw new KeyFormatError(`unknown signature algorithm "${algorithm}"`);
}

/**
 * The algorithm names a key of type `keyType` can sign with, preferred first; for a certificate
 * type these are the "-cert-v01@openssh.com" names used in userauth and host key negotiation.
 */
export function algorithmsOfKeyType(keyType: string, options: { legacy?: boolean } = {}): string[] {
  const row = keyTypeNamed(keyType);
  const suffix = keyType.endsWith(CERT_SUFFIX) ? CERT_SUFFIX : "";
  return row.algorithms.filter((a) => options.legacy !== false || !a.legacy).map((a) => a.name + suffix);
}

/** The plain signature algorithm of `algorithm` (strips the certificate suffix). */
export function plainAlgorithm(algorithm: string): string {
  return algorithm.endsWith(CERT_SUFFIX) ? algorithm.slice(0, -CERT_SUFFIX.length) : algorithm;
}
