import { fromBase64, toBase64 } from "../wire/bytes.js";

/**
 * The "-----BEGIN X-----" text armor of key files (RFC 7468 style; OpenSSH's private key files use it
 * with 70-column base64 lines). Parsing is lenient about line endings and surrounding whitespace,
 * strict about the base64 itself.
 */

export interface Armored {
  label: string;
  /** RFC 1421 headers such as "Proc-Type: 4,ENCRYPTED" (legacy PEM encryption). */
  headers: Map<string, string>;
  /** The decoded body, or null when it is not valid base64. */
  body: Uint8Array | null;
}

const BEGIN = /-----BEGIN ([A-Z0-9 ]+)-----/;

/** The first armored block in `text`, or null when there is none or it has no matching END line. */
export function readArmor(text: string): Armored | null {
  const begin = BEGIN.exec(text);
  if (!begin) return null;
  const label = begin[1]!;
  const start = begin.index + begin[0].length;
  const end = text.indexOf(`-----END ${label}-----`, start);
  if (end < 0) return null;
  const headers = new Map<string, string>();
  const bodyLines: string[] = [];
  for (const raw of text.slice(start, end).split(/\r?\n|\r/)) {
    const line = raw.trim();
    const header = bodyLines.length === 0 ? /^([A-Za-z-]+):\s*(.*)$/.exec(line) : null;
    if (header) headers.set(header[1]!, header[2]!);
    else if (line !== "") bodyLines.push(line);
  }
  return { label, headers, body: fromBase64(bodyLines.join("")) };
}

/** Armor `bytes` the way ssh-keygen writes private keys: base64 in lines of `width`, "\n" endings. */
export function writeArmor(label: string, bytes: Uint8Array, width = 70): string {
  const b64 = toBase64(bytes);
  let out = `-----BEGIN ${label}-----\n`;
  for (let i = 0; i < b64.length; i += width) out += `${b64.slice(i, i + width)}\n`;
  return `${out}-----END ${label}-----\n`;
}
