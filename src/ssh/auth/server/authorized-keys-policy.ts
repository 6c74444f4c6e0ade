/**
 * sshd's authorized_keys check as an authorize callback: the files are read on every attempt (a key
 * enrolled a moment ago works without a restart), the key must be on a line that is not a
 * cert-authority line, `expiry-time` must be in the future and `from=` must match the client's
 * address. The grant carries the line's forced command and environment.
 *
 * cert-authority / principals lines are parsed (and skipped for plain keys); admitting user
 * certificates needs certificate verification, which arrives with the certificate key types.
 */
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
}

/** Look the key up in the sources; the first line that admits it wins, as in sshd. */
export async function authorizeFromAuthorizedKeys(attempt: PublicKeyAttempt, o: AuthorizedKeysPolicyOptions): Promise<AuthGrant | null> {
  const now = (o.now ?? Date.now)();
  for (const source of o.sources) {
    let text: string | null;
    try {
      text = await source.read();
    } catch (e) {
      o.logger.warn(`cannot read ${source.name}: ${(e as Error)?.message ?? e}`);
      continue;
    }
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
