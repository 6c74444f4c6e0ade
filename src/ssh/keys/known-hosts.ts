import { equalBytes, fromBase64, toBase64 } from "../wire/bytes.js";
import { SshReader } from "../wire/reader.js";
import {
  hashHostName,
  hostLookupName,
  matchHashedHost,
  matchPatternList,
  parseHashedHost,
  type HashedHost,
} from "./host-patterns.js";

/**
 * known_hosts as OpenSSH reads it (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT", hostfile.c): per line an
 * optional marker, host patterns (or one hashed name), key type, base64 key blob, comment.
 * Runtime-agnostic: callers hand in the text of each file with a name for messages.
 */

export interface KnownHostsEntry {
  /** File name (or other label) and 1-based line, for messages: `where` = "source:line". */
  source: string;
  line: number;
  where: string;
  /** "@revoked" keys are refused for the hosts they match; "@cert-authority" lines sign host certificates. */
  marker: "revoked" | "cert-authority" | null;
  /** The comma-separated host patterns, or null for a hashed entry. */
  patterns: string | null;
  hashed: HashedHost | null;
  keyType: string;
  blob: Uint8Array;
  comment: string;
}

export type HostKeyStatus = "match" | "mismatch" | "unknown" | "revoked";

export interface HostKeyCheckResult {
  status: HostKeyStatus;
  /** "source:line" of the matching entry, the conflicting one (mismatch), or the @revoked line. */
  where?: string;
}

/** Why a line was skipped (OpenSSH skips such lines too, and says so only at debug level). */
export type SkippedLine = (where: string, reason: string) => void;

function parseLine(text: string, source: string, line: number, onSkip?: SkippedLine): KnownHostsEntry | null {
  const where = `${source}:${line}`;
  const fields = text.trim().split(/[ \t]+/);
  if (fields[0] === "" || fields[0]!.startsWith("#")) return null;
  let marker: KnownHostsEntry["marker"] = null;
  if (fields[0]!.startsWith("@")) {
    const m = fields.shift()!;
    if (m === "@revoked") marker = "revoked";
    else if (m === "@cert-authority") marker = "cert-authority";
    else {
      onSkip?.(where, `unknown marker ${m}`);
      return null;
    }
  }
  const [hosts, keyType, b64, ...comment] = fields;
  if (hosts === undefined || keyType === undefined || b64 === undefined) {
    onSkip?.(where, "expected: [marker] hosts keytype base64-key [comment]");
    return null;
  }
  const blob = fromBase64(b64);
  if (!blob) {
    onSkip?.(where, "invalid base64 key");
    return null;
  }
  try {
    // Types we cannot use (RSA, ECDSA...) still count: a host with such a key is not "unknown" for that type.
    const inner = new SshReader(blob).text(64);
    if (inner !== keyType) throw new Error(`key blob is "${inner}" but the line says "${keyType}"`);
  } catch (e) {
    onSkip?.(where, (e as Error).message);
    return null;
  }
  let hashed: HashedHost | null = null;
  if (hosts.startsWith("|")) {
    hashed = parseHashedHost(hosts);
    if (!hashed) {
      onSkip?.(where, "malformed hashed host name");
      return null;
    }
  }
  return { source, line, where, marker, patterns: hashed ? null : hosts, hashed, keyType, blob, comment: comment.join(" ") };
}

/** Parse one known_hosts text; comments, blank and malformed lines are skipped. */
export function parseKnownHosts(text: string, source = "known_hosts", onSkip?: SkippedLine): KnownHostsEntry[] {
  const entries: KnownHostsEntry[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const entry = parseLine(lines[i]!, source, i + 1, onSkip);
    if (entry) entries.push(entry);
  }
  return entries;
}

/** Does this entry apply to the lookup name? A negated pattern match means it does not. */
export function entryMatchesHost(entry: KnownHostsEntry, lookupName: string): boolean {
  if (entry.hashed) return matchHashedHost(lookupName, entry.hashed);
  return matchPatternList(lookupName, entry.patterns!) === 1;
}

/**
 * Look up `key` for `host`:`port` the way OpenSSH's check_key_in_hostkeys does:
 * - "revoked": an @revoked line for this host holds this key (wins over everything);
 * - "match": a plain entry for this host holds this key;
 * - "mismatch": the host has entries of this key type, none with this key (the key changed);
 * - "unknown": no entry of this key type for the host (keys of other types do not count).
 * @cert-authority lines are ignored: we verify plain host keys, not certificates.
 */
export function checkHostKey(
  entries: readonly KnownHostsEntry[],
  host: string,
  port: number,
  key: { type: string; blob: Uint8Array },
): HostKeyCheckResult {
  const name = hostLookupName(host, port);
  const forHost = entries.filter((e) => e.marker !== "cert-authority" && entryMatchesHost(e, name));
  const revoked = forHost.find((e) => e.marker === "revoked" && equalBytes(e.blob, key.blob));
  if (revoked) return { status: "revoked", where: revoked.where };
  const plain = forHost.filter((e) => e.marker === null);
  const match = plain.find((e) => equalBytes(e.blob, key.blob));
  if (match) return { status: "match", where: match.where };
  const conflict = plain.find((e) => e.keyType === key.type);
  if (conflict) return { status: "mismatch", where: conflict.where };
  return { status: "unknown" };
}

/**
 * The known_hosts line that trusts `key` for `host`:`port` ("[host]:port" unless port 22), hashed
 * like `ssh-keygen -H` when asked. No comment, as ssh writes them.
 */
export function formatKnownHostsLine(
  host: string,
  port: number,
  key: { type: string; blob: Uint8Array },
  options: { hash?: boolean } = {},
): string {
  const name = hostLookupName(host, port);
  return `${options.hash ? hashHostName(name) : name} ${key.type} ${toBase64(key.blob)}`;
}

/**
 * The CA keys trusted to sign host certificates for `host`:`port`: the blobs of the matching
 * @cert-authority lines, minus CA keys that an @revoked line for the host names (hostfile.c).
 * Pass them as `caKeys` to verifyCertificate with `{ type: "host", principal: host }`.
 */
export function certificateAuthoritiesFor(entries: readonly KnownHostsEntry[], host: string, port: number): KnownHostsEntry[] {
  const name = hostLookupName(host, port);
  const forHost = entries.filter((e) => entryMatchesHost(e, name));
  const revoked = forHost.filter((e) => e.marker === "revoked");
  return forHost.filter((e) => e.marker === "cert-authority" && !revoked.some((r) => equalBytes(r.blob, e.blob)));
}
