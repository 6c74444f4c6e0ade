/**
 * OpenSSH's wildcard patterns (match.c semantics): `*` matches any run of characters, `?` exactly
 * one; everything else is literal and case-sensitive. A pattern list is comma-separated; a `!`
 * before an entry negates it, and a negated match decides the whole list (-1).
 */

/** True if `s` matches the single pattern (no commas, no negation). */
export function matchPattern(s: string, pattern: string): boolean {
  // Iterative glob match with one backtrack point, equivalent to the recursive original.
  let si = 0;
  let pi = 0;
  let starP = -1;
  let starS = 0;
  while (si < s.length) {
    const pc = pattern[pi];
    if (pc === "*") {
      starP = pi++;
      starS = si;
    } else if (pc !== undefined && (pc === "?" || pc === s[si])) {
      si++;
      pi++;
    } else if (starP >= 0) {
      pi = starP + 1;
      si = ++starS;
    } else {
      return false;
    }
  }
  while (pattern[pi] === "*") pi++;
  return pi === pattern.length;
}

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
