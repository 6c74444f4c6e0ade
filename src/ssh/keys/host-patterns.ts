import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { equalBytes, fromBase64, randomBytes, toBase64, utf8 } from "../wire/bytes.js";

/**
 * Host names and host patterns as known_hosts uses them (OpenSSH sshd(8) "SSH_KNOWN_HOSTS FILE
 * FORMAT", match.c, hostfile.c).
 */

/**
 * The name a host is looked up by: "host" for port 22, "[host]:port" otherwise, lower case
 * (OpenSSH lowercases host names before any lookup and stores them that way).
 */
export function hostLookupName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/** `*` matches any run of characters (also none), `?` exactly one; everything else itself. */
export function matchPattern(name: string, pattern: string): boolean {
  // Iterative glob with backtracking to the last `*`: linear-ish, no regex built from file input.
  let n = 0;
  let p = 0;
  let starP = -1;
  let starN = 0;
  while (n < name.length) {
    if (p < pattern.length && (pattern[p] === "?" || pattern[p] === name[n])) {
      n++;
      p++;
    } else if (p < pattern.length && pattern[p] === "*") {
      starP = p++;
      starN = n;
    } else if (starP >= 0) {
      p = starP + 1;
      n = ++starN;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === "*") p++;
  return p === pattern.length;
}

/**
 * A comma-separated pattern list (match_pattern_list): 1 when some pattern matches, -1 when a
 * negated pattern ("!pattern") matches, which overrides any positive match, 0 otherwise.
 */
export function matchPatternList(name: string, list: string): -1 | 0 | 1 {
  let positive = false;
  for (const raw of list.split(",")) {
    const negated = raw.startsWith("!");
    const pattern = (negated ? raw.slice(1) : raw).toLowerCase();
    if (pattern === "" || !matchPattern(name, pattern)) continue;
    if (negated) return -1;
    positive = true;
  }
  return positive ? 1 : 0;
}

/** A hashed host entry: "|1|" base64(salt) "|" base64(HMAC-SHA1(salt, name)) (HashKnownHosts). */
export interface HashedHost {
  salt: Uint8Array;
  hash: Uint8Array;
}

const HASH_MAGIC = "|1|";
const SHA1_BYTES = 20;

/** Parse "|1|salt|hash"; null when the field is not a well-formed hashed host. */
export function parseHashedHost(field: string): HashedHost | null {
  if (!field.startsWith(HASH_MAGIC)) return null;
  const [saltB64, hashB64, ...extra] = field.slice(HASH_MAGIC.length).split("|");
  if (saltB64 === undefined || hashB64 === undefined || extra.length > 0) return null;
  const salt = fromBase64(saltB64);
  const hash = fromBase64(hashB64);
  if (!salt || !hash || salt.length !== SHA1_BYTES || hash.length !== SHA1_BYTES) return null;
  return { salt, hash };
}

export function matchHashedHost(name: string, hashed: HashedHost): boolean {
  return equalBytes(hmac(sha1, hashed.salt, utf8(name)), hashed.hash);
}

/** Hash a lookup name as `ssh-keygen -H` does, with a fresh random salt unless one is given. */
export function hashHostName(name: string, salt: Uint8Array = randomBytes(SHA1_BYTES)): string {
  return `${HASH_MAGIC}${toBase64(salt)}|${toBase64(hmac(sha1, salt, utf8(name)))}`;
}
