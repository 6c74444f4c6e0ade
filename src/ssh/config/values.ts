import { asciiLower } from "./patterns.js";
import type { Jump, JumpHop, StrictHostKeyChecking } from "./types.js";

/**
 * ssh_config(5) argument values, parsed as OpenSSH's readconf.c and misc.c parse them: the
 * yes/no-style word tables of readconf.c's multistate parsing, a2port, convtime, scan_scaled
 * (RekeyLimit), parse_jump (ProxyJump, with ssh:// URIs as parse_ssh_uri reads them), and the
 * form `ssh -G` prints a ProxyJump back in.
 */

// readconf.c's multistate tables: the words a yes/no-style keyword accepts (looked up lowercased).
export const FLAGS: Record<string, boolean> = { true: true, false: false, yes: true, no: false };
export const STRICT: Record<string, StrictHostKeyChecking> = {
  true: "yes",
  false: "no",
  yes: "yes",
  no: "no",
  ask: "ask",
  off: "no",
  "accept-new": "accept-new",
};
export const CANONICALIZE: Record<string, "no" | "yes" | "always"> = {
  true: "yes",
  false: "no",
  yes: "yes",
  no: "no",
  always: "always",
};
export const ADD_KEYS: Record<string, string> = { true: "yes", false: "no", yes: "yes", no: "no", ask: "ask", confirm: "confirm" };

/**
 * `word` (lowercased) in one of the tables above, or undefined. Only the table's own words: a
 * plain object also answers "constructor", "__proto__" or "toString" from Object.prototype, which
 * ssh refuses as it refuses any other word it does not know.
 */
export function lookupWord<T>(table: Record<string, T>, word: string | undefined): T | undefined {
  if (word === undefined) return undefined;
  const key = asciiLower(word);
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** a2port: 0..65535, or the "ssh" service name. Returns -1 when invalid. */
export function parsePort(s: string): number {
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    return n <= 65535 ? n : -1;
  }
  return s === "ssh" ? 22 : -1;
}

/** convtime: "90", "90s", "1h30m", ... in seconds; -1 when invalid. */
export function convtime(s: string): number {
  if (s === "") return -1;
  const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  let total = 0;
  const re = /(\d+)([sSmMhHdDwW]?)/y;
  let i = 0;
  while (i < s.length) {
    re.lastIndex = i;
    const m = re.exec(s);
    if (m === null) return -1;
    total += Number(m[1]) * units[(m[2] || "s").toLowerCase()]!;
    if (total > 0x7fffffff) return -1;
    i = re.lastIndex;
  }
  return total;
}

/** scan_scaled: a number with an optional fraction and B/K/M/G/T/P/E suffix (powers of 1024). */
export function scanScaled(s: string): number | null {
  const m = /^(\d+)(?:\.(\d*))?([bBkKmMgGtTpPeE]?)$/.exec(s);
  if (m === null) return null;
  const scale = 1024 ** "bkmgtpe".indexOf((m[3] || "b").toLowerCase());
  const fraction = m[2] ?? "";
  if (fraction !== "" && scale === 1) return null;
  const whole = Number(m[1]) * scale;
  return fraction === "" ? whole : whole + Math.floor((Number(fraction) * scale) / 10 ** fraction.length);
}

/** parse_jump: "none" or [user@]host[:port] / ssh:// URIs, comma-separated. Null when invalid. */
export function parseJump(s: string): Jump | "none" | null {
  if (asciiLower(s) === "none") return "none";
  // OpenSSH drops a comment, then (its rtrim blanks every whitespace character) in effect cuts
  // at the first whitespace after the first character.
  let clean = s.includes("#") ? s.slice(0, s.indexOf("#")) : s;
  const ws = clean.slice(1).search(/\s/);
  if (ws >= 0) clean = clean.slice(0, ws + 1);
  const hops: JumpHop[] = [];
  for (const part of clean.split(",")) {
    const hop = parseHop(part);
    if (hop === null) return null;
    hops.push(hop);
  }
  const last = hops[hops.length - 1]!;
  const comma = clean.lastIndexOf(",");
  const jump: Jump = { host: last.host, hops };
  if (last.user !== undefined) jump.user = last.user;
  if (last.port !== undefined) jump.port = last.port;
  if (comma >= 0) jump.extra = clean.slice(0, comma);
  return jump;
}

/** One hop: ssh://[user@]host[:port] or [user@]host[:port], with [brackets] for IPv6. */
export function parseHop(spec: string): JumpHop | null {
  let rest = spec;
  let user: string | undefined;
  if (rest.startsWith("ssh://")) {
    rest = rest.slice(6);
    const at = rest.indexOf("@");
    if (at >= 0) {
      let u = rest.slice(0, at);
      if (u.includes(";")) u = u.slice(0, u.indexOf(";"));
      if (u === "") return null;
      try {
        user = decodeURIComponent(u.replace(/\+/g, " "));
      } catch {
        return null;
      }
      rest = rest.slice(at + 1);
    }
    if (rest.endsWith("/")) rest = rest.slice(0, -1);
    if (rest.includes("/")) return null; // a path is not allowed
  } else {
    const at = rest.lastIndexOf("@");
    if (at >= 0) {
      user = rest.slice(0, at);
      if (user === "") return null;
      rest = rest.slice(at + 1);
    }
  }
  let host: string;
  let portText: string | undefined;
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0) return null;
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after !== "") {
      if (!after.startsWith(":")) return null;
      portText = after.slice(1);
    }
  } else {
    const colon = rest.search(/[:/]/);
    if (colon >= 0 && rest[colon] === "/") return null;
    host = colon < 0 ? rest : rest.slice(0, colon);
    if (colon >= 0) portText = rest.slice(colon + 1);
  }
  if (host === "") return null;
  const hop: JumpHop = { host };
  if (user !== undefined) hop.user = user;
  if (portText !== undefined && portText !== "") {
    const port = parsePort(portText);
    if (port <= 0) return null;
    hop.port = port;
  }
  return hop;
}

/** Looks like an address (IPv4 digits and dots, IPv6 with ":", a scope with "%"): resolveSshConfig keeps its case. */
export function isAddressLike(name: string): boolean {
  return name.includes("%") || name.includes(":") || /^[0-9.]*$/.test(name);
}

/** ssh -G's proxyjump line: the earlier hops as written, then [user@]host[:port] (numeric hosts bracketed). */
export function formatJump(j: Jump): string {
  const numeric = j.host.includes(":") || /^[0-9.]*$/.test(j.host);
  const host = numeric ? `[${j.host}]` : j.host;
  return (
    (j.extra !== undefined ? j.extra + "," : "") +
    (j.user !== undefined ? j.user + "@" : "") +
    host +
    (j.port !== undefined ? ":" + j.port : "")
  );
}
