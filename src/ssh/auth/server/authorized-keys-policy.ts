/**
 * sshd's authorized_keys check as an authorize callback: the files are read on every attempt (a key
 * enrolled a moment ago works without a restart), the key must be on a line that is not a
 * cert-authority line, `expiry-time` must be in the future and `from=` must match the client's
 * address. The grant carries the line's forced command and environment.
 *
 * A user certificate (PROTOCOL.certkeys) is admitted by a `cert-authority` line naming its CA
 * (its principals must include the login name, or one of the line's `principals="..."`), or by
 * a CA key of the TrustedUserCAKeys files (principals must include the login name), as sshd
 * does; the certificate's own checks (user type, validity window, CA signature, known critical
 * options) come first, and its force-command and source-address are enforced.
 */
import { decodePublicBlob } from "../../keys/public-key.js";
import type { Certificate } from "../../keys/certificate.js";
import { CertificateError, verifyCertificate } from "../../keys/certificate-verify.js";
import { fromUtf8 } from "../../wire/bytes.js";
import type { Logger } from "../../logger.js";
import { equalBytes } from "../../wire/bytes.js";
import { matchFrom, parseAuthorizedKeys, type AuthorizedKey } from "../../keys/authorized-keys.js";
import type { AuthGrant, PublicKeyAttempt } from "./userauth.js";

export interface AuthorizedKeysSource {
  /** For log lines: the file path. */
  name: string;
  /** The file's text now; null when it does not exist (then it holds no keys). */
  read(): Promise<string | null>;
}

export interface AuthorizedKeysPolicyOptions {
  sources: AuthorizedKeysSource[];
  /** The client's address (for from=). */
  remoteAddress: string;
  logger: Logger;
  now?: () => number;
  /** TrustedUserCAKeys: files of CA public keys whose user certificates are admitted. */
  trustedCaSources?: AuthorizedKeysSource[];
}

/** Read a source, logging (not throwing) a failure; null when it is missing or unreadable. */
async function readSource(source: AuthorizedKeysSource, logger: Logger): Promise<string | null> {
  try {
    return await source.read();
  } catch (e) {
    logger.warn(`cannot read ${source.name}: ${(e as Error)?.message ?? e}`);
    return null;
  }
}

/** Look the key up in the sources; the first line that admits it wins, as in sshd. */
export async function authorizeFromAuthorizedKeys(attempt: PublicKeyAttempt, o: AuthorizedKeysPolicyOptions): Promise<AuthGrant | null> {
  const now = (o.now ?? Date.now)();
  const certificate = decodePublicBlob(attempt.blob).certificate;
  if (certificate) return authorizeCertificate(attempt, certificate, o, now);
  for (const source of o.sources) {
    const text = await readSource(source, o.logger);
    if (text === null) continue;
    const { keys, errors } = parseAuthorizedKeys(text);
    for (const e of errors) o.logger.warn(`${source.name} line ${e.line}: ${e.message} (line skipped)`);
    for (const key of keys) {
      if (key.options.certAuthority || !equalBytes(key.blob, attempt.blob)) continue;
      const refusal = refuse(key, o.remoteAddress, now);
      if (refusal) {
        o.logger.info(`${source.name} line ${key.line}: ${refusal}`);
        continue;
      }
      return {
        command: key.options.command,
        environment: key.options.environment,
        source: `${source.name} line ${key.line}`,
      };
    }
  }
  return null;
}

function refuse(key: AuthorizedKey, address: string, now: number): string | null {
  if (key.options.expiresAt !== undefined && now >= key.options.expiresAt) {
    return `key expired at ${new Date(key.options.expiresAt).toISOString()}`;
  }
  if (key.options.from !== undefined && !matchFrom(key.options.from, address)) {
    return `address ${address} does not match from="${key.options.from}"`;
  }
  return null;
}

/** A user certificate: find a CA that admits it, check the certificate, then the line's options. */
async function authorizeCertificate(attempt: PublicKeyAttempt, cert: Certificate, o: AuthorizedKeysPolicyOptions, now: number): Promise<AuthGrant | null> {
  const tryCa = async (caBlob: Uint8Array, principals: string[], where: string): Promise<Certificate | null> => {
    for (const principal of principals) {
      try {
        return await verifyCertificate(cert, { type: "user", caKeys: [caBlob], principal, now: now / 1000 });
      } catch (e) {
        if (!(e instanceof CertificateError)) throw e;
        o.logger.info(`${where}: certificate refused: ${e.message}`);
        // A principal mismatch may pass with the next listed name; any other failure is final.
        if (!/principal/.test(e.message)) return null;
      }
    }
    return null;
  };
  const withOptions = (checked: Certificate, source: string, key?: AuthorizedKey): AuthGrant | null => {
    const from = checked.criticalOptions.get("source-address");
    if (from) {
      // The option's value is a string holding the comma-separated address list (PROTOCOL.certkeys).
      const list = fromUtf8(from.subarray(4));
      if (!matchFrom(list, o.remoteAddress)) {
        o.logger.info(`${source}: address ${o.remoteAddress} not in the certificate's source-address ${list}`);
        return null;
      }
    }
    if (key) {
      const refusal = refuse(key, o.remoteAddress, now);
      if (refusal) {
        o.logger.info(`${source}: ${refusal}`);
        return null;
      }
    }
    const forced = checked.criticalOptions.get("force-command");
    return {
      command: forced ? fromUtf8(forced.subarray(4)) : key?.options.command,
      environment: key?.options.environment,
      source: `${source} (certificate "${checked.keyId}" serial ${checked.serial})`,
    };
  };
  for (const source of o.sources) {
    const text = await readSource(source, o.logger);
    if (text === null) continue;
    for (const key of parseAuthorizedKeys(text).keys) {
      if (!key.options.certAuthority || !equalBytes(key.blob, cert.signatureKey)) continue;
      const where = `${source.name} line ${key.line}`;
      const principals = key.options.principals ?? [attempt.username];
      const checked = await tryCa(key.blob, principals, where);
      if (checked) return withOptions(checked, where, key);
    }
  }
  for (const source of o.trustedCaSources ?? []) {
    const text = await readSource(source, o.logger);
    if (text === null) continue;
    for (const key of parseAuthorizedKeys(text).keys) {
      if (!equalBytes(key.blob, cert.signatureKey)) continue;
      const where = `${source.name} line ${key.line}`;
      const checked = await tryCa(key.blob, [attempt.username], where);
      if (checked) return withOptions(checked, where);
    }
  }
  o.logger.info(`certificate "${cert.keyId}" is signed by no trusted CA`);
  return null;
}
