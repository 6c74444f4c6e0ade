/**
 * OpenSSH's wildcard patterns (match.c semantics): `*` matches any run of characters, `?` exactly
 * one; everything else is literal and case-sensitive. A pattern list is comma-separated; a `!`
 * before an entry negates it, and a negated match decides the whole list (-1).
 */

// One glob matcher for the whole library: known_hosts uses the same match.c semantics.
import { matchPattern } from "../keys/host-patterns.js";

export { matchPattern };

/**
 * Matches `s` against a comma-separated list: -1 if a negated entry matches, 1 if a positive one
 * does, 0 otherwise. With `lowercasePatterns` the entries are lowercased first (hostnames).
 */
export function matchPatternList(s: string, list: string, lowercasePatterns = false): -1 | 0 | 1 {
  let positive = false;
  for (let entry of list.split(",")) {
    const negated = entry.startsWith("!");
    if (negated) entry = entry.slice(1);
    if (lowercasePatterns) entry = asciiLower(entry);
    if (matchPattern(s, entry)) {
      if (negated) return -1;
      positive = true;
    }
  }
  return positive ? 1 : 0;
}

/** A hostname list match as OpenSSH does it: the name and the patterns compared in lowercase. */
export function matchHostnameList(host: string, list: string): -1 | 0 | 1 {
  return matchPatternList(asciiLower(host), list, true);
}

/** C `tolower` on ASCII only, as OpenSSH's lowercase() does in the C locale. */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}
