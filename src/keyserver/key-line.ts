// Turning an untrusted client key line into exactly one authorized_keys line that sshd reads as we
// mean it. The rules of that file come from sshd(8) "AUTHORIZED_KEYS FILE FORMAT" and OpenSSH's
// auth-options.c: options, then key type, base64 blob, comment; one entry per "\n"-ended line.
import { KeyFormatError } from "../ssh/errors.js";
import { formatPublicKeyLine, parsePublicKeyLine, SUPPORTED_KEY_TYPES, type PublicKey } from "../ssh/keys/public-key.js";

/** Longest comment we keep; ssh-keygen's default "user@host" is far shorter. */
export const MAX_COMMENT_LENGTH = 100;
/** No supported public key line comes near this; it bounds the work spent on a hostile one. */
const MAX_KEY_LINE_LENGTH = 8192;

export interface ClientKey {
  key: PublicKey;
  /** Printable ASCII, at most MAX_COMMENT_LENGTH characters; may be empty. */
  comment: string;
}

/**
 * Keep a comment only as printable ASCII, single-spaced and bounded, so that what we write can
 * never be read as anything but a comment, nor smuggle terminal escapes into an admin's `cat`.
 */
export function sanitizeComment(comment: string): string {
  return comment
    .replace(/[^\x20-\x7e]/g, "")
    .replace(/ +/g, " ")
    .trim()
    .slice(0, MAX_COMMENT_LENGTH)
    .trim();
}

/**
 * Validate one public key line as a client sends it ("type base64 [comment]", as in a .pub file;
 * one trailing newline allowed). Rejects options, a second line, control characters, unsupported
 * types and blobs that are truncated, padded or disagree with the named type.
 */
export function parseClientKeyLine(text: string): ClientKey {
  if (text.length > MAX_KEY_LINE_LENGTH) {
    throw new KeyFormatError(`public key line is longer than ${MAX_KEY_LINE_LENGTH} characters`);
  }
  // A .pub file read whole ends with one newline; anything after it would be a second entry.
  const line = text.replace(/\r?\n$/, "");
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(line)) {
    throw new KeyFormatError("public key line contains a line break or control characters; send exactly one key");
  }
  const first = line.trim().split(/[ \t]+/)[0] ?? "";
  if (!(SUPPORTED_KEY_TYPES as readonly string[]).includes(first)) {
    if (/[=",]/.test(first) || /^(restrict|no-|cert-authority|permit)/i.test(first)) {
      throw new KeyFormatError(
        `public key line starts with options ("${first.slice(0, 40)}"); send only "type base64 [comment]" (the key server adds its own options)`,
      );
    }
    throw new KeyFormatError(
      `unsupported key type "${first.slice(0, 40)}": supported types are ${SUPPORTED_KEY_TYPES.join(", ")}`,
    );
  }
  const parsed = parsePublicKeyLine(line);
  return { key: { type: parsed.type, blob: parsed.blob }, comment: sanitizeComment(parsed.comment) };
}

/**
 * The quoted value of a `command="..."` option. sshd's opt_dequote() turns `\"` into `"` and
 * copies every other byte, a backslash included, unchanged; so quotes are escaped, backslashes
 * are not (escaping them would double them), and a command ending in a backslash cannot be
 * written (its backslash would escape the closing quote).
 */
export function quoteForcedCommand(command: string): string {
  if (command.length === 0) throw new KeyFormatError("forced command is empty");
  if (/[\x00-\x1f\x7f]/.test(command)) {
    throw new KeyFormatError("forced command contains a line break or control characters; authorized_keys entries are one line");
  }
  if (command.endsWith("\\")) {
    throw new KeyFormatError("forced command ends with a backslash, which sshd would read as escaping the closing quote");
  }
  return `"${command.replace(/"/g, '\\"')}"`;
}

/**
 * One authorized_keys line: `restrict` (no forwarding, pty, X11, agent or ~/.ssh/rc, and every
 * future restriction sshd adds), an optional forced command, then the key re-serialized from its
 * decoded blob and the sanitized comment.
 */
export function authorizedKeysEntry(client: ClientKey, forcedCommand?: string): string {
  const options = forcedCommand === undefined ? "restrict" : `restrict,command=${quoteForcedCommand(forcedCommand)}`;
  return `${options} ${formatPublicKeyLine(client.key, client.comment || undefined)}`;
}
