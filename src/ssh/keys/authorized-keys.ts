/**
 * authorized_keys as sshd(8) reads it ("AUTHORIZED_KEYS FILE FORMAT"): one key per line,
 * `[options] keytype base64 [comment]`, `#` comments and blank lines ignored. Options are
 * comma-separated, names case-insensitive, values double-quoted with `\"` inside. A line with an
 * option we do not know is skipped, as sshd skips it ("bad options"), never half-applied.
 *
 * Keys are compared by blob, so a line of any key type parses (RSA, ECDSA, certificates' CA keys);
 * whether a type can be used is decided where the signature is verified.
 */
import { fromBase64 } from "../wire/bytes.js";
import { SshReader } from "../wire/reader.js";
import { matchPattern } from "./host-patterns.js";

export interface AuthorizedKeyOptions {
  /** `restrict`: every forwarding, pty and user-rc off unless re-enabled by a later option. */
  restrict: boolean;
  /** `command="..."`: the only command this key may run (a forced command). */
  command?: string;
  /** `from="pattern-list"`: the client address must match (wildcards, CIDR, `!` negation). */
  from?: string;
  /** `expiry-time="YYYYMMDD[HHMM[SS]][Z]"` as milliseconds since the epoch: refused at or after it. */
  expiresAt?: number;
  /** `cert-authority`: the key is a CA key; it admits user certificates it signed, not itself. */
  certAuthority: boolean;
  /** `principals="a,b"` (with cert-authority): names one of which a certificate must carry. */
  principals?: string[];
  /** `environment="NAME=value"` (repeatable). */
  environment: Array<[string, string]>;
  /** `permitopen` / `permitlisten` / `tunnel` values (parsed; we forward nothing anyway). */
  permitOpen: string[];
  permitListen: string[];
  tunnel?: string;
  /** Effective permissions after restrict and the no-* / positive options, in line order. */
  pty: boolean;
  portForwarding: boolean;
  agentForwarding: boolean;
  x11Forwarding: boolean;
  userRc: boolean;
  /** `no-touch-required` / `verify-required` (FIDO keys). */
  noTouchRequired: boolean;
  verifyRequired: boolean;
}

export interface AuthorizedKey {
  /** The key type named on the line. */
  type: string;
  blob: Uint8Array;
  comment: string;
  options: AuthorizedKeyOptions;
  /** 1-based line number, for log messages. */
  line: number;
}

export interface AuthorizedKeysParse {
  keys: AuthorizedKey[];
  /** Lines skipped, with why (logged by the server; a bad line never stops the good ones). */
  errors: Array<{ line: number; message: string }>;
}

export class AuthorizedKeysLineError extends Error {}

const KEY_TYPE = /^(ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9-]+|sk-[a-z0-9@.-]+|[a-z0-9-]+-cert-v01@openssh\.com|[a-z0-9.-]+@[a-z0-9.-]+)$/i;

function defaults(): AuthorizedKeyOptions {
  return {
    restrict: false,
    certAuthority: false,
    environment: [],
    permitOpen: [],
    permitListen: [],
    pty: true,
    portForwarding: true,
    agentForwarding: true,
    x11Forwarding: true,
    userRc: true,
    noTouchRequired: false,
    verifyRequired: false,
  };
}

/** Parse a whole authorized_keys file. */
export function parseAuthorizedKeys(text: string): AuthorizedKeysParse {
  const keys: AuthorizedKey[] = [];
  const errors: AuthorizedKeysParse["errors"] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, "").trim();
    if (raw === "" || raw.startsWith("#")) continue;
    try {
      keys.push({ ...parseAuthorizedKeyLine(raw), line: i + 1 });
    } catch (e) {
      errors.push({ line: i + 1, message: (e as Error).message });
    }
  }
  return { keys, errors };
}

/** Parse one non-comment line. Throws AuthorizedKeysLineError saying what is wrong with it. */
export function parseAuthorizedKeyLine(line: string): Omit<AuthorizedKey, "line"> {
  let rest = line.trim();
  let options = defaults();
  const first = rest.split(/[ \t]/, 1)[0]!;
  if (!KEY_TYPE.test(first) || !looksLikeKey(rest)) {
    const { parsed, end } = parseOptions(rest);
    options = parsed;
    rest = rest.slice(end).trim();
  }
  const parts = rest.split(/[ \t]+/);
  if (parts.length < 2) throw new AuthorizedKeysLineError('expected "[options] keytype base64 [comment]"');
  const [type, b64, ...comment] = parts as [string, string, ...string[]];
  if (!KEY_TYPE.test(type)) throw new AuthorizedKeysLineError(`"${type}" is not a key type`);
  const blob = fromBase64(b64);
  if (!blob) throw new AuthorizedKeysLineError("the key's base64 is invalid");
  let inner: string;
  try {
    inner = new SshReader(blob).text(128);
  } catch {
    throw new AuthorizedKeysLineError("the key blob is truncated");
  }
  if (inner !== type) throw new AuthorizedKeysLineError(`the line says "${type}" but the key blob is "${inner}"`);
  if (options.principals && !options.certAuthority) throw new AuthorizedKeysLineError('principals="..." is only valid with cert-authority');
  return { type, blob, comment: comment.join(" "), options };
}

function looksLikeKey(text: string): boolean {
  const parts = text.split(/[ \t]+/);
  return parts.length >= 2 && fromBase64(parts[1]!) !== null;
}

/** The options field: up to the first unquoted space or tab. */
function parseOptions(text: string): { parsed: AuthorizedKeyOptions; end: number } {
  const o = defaults();
  let i = 0;
  for (;;) {
    const nameStart = i;
    while (i < text.length && /[A-Za-z0-9-]/.test(text[i]!)) i++;
    const name = text.slice(nameStart, i).toLowerCase();
    if (name === "") throw new AuthorizedKeysLineError(`bad options at column ${i + 1}`);
    let value: string | undefined;
    if (text[i] === "=") {
      if (text[i + 1] !== '"') throw new AuthorizedKeysLineError(`option ${name} needs a double-quoted value`);
      i += 2;
      let v = "";
      for (;;) {
        if (i >= text.length) throw new AuthorizedKeysLineError(`option ${name}: missing closing quote`);
        const c = text[i]!;
        if (c === "\\" && text[i + 1] === '"') {
          v += '"';
          i += 2;
        } else if (c === '"') {
          i++;
          break;
        } else {
          v += c;
          i++;
        }
      }
      value = v;
    }
    apply(o, name, value);
    if (text[i] === ",") {
      i++;
      continue;
    }
    if (i >= text.length || text[i] === " " || text[i] === "\t") return { parsed: o, end: i };
    throw new AuthorizedKeysLineError(`bad options at column ${i + 1}`);
  }
}

function need(name: string, value: string | undefined): string {
  if (value === undefined) throw new AuthorizedKeysLineError(`option ${name} needs a value`);
  return value;
}

function flag(name: string, value: string | undefined): void {
  if (value !== undefined) throw new AuthorizedKeysLineError(`option ${name} takes no value`);
}

function apply(o: AuthorizedKeyOptions, name: string, value: string | undefined): void {
  const toggles: Record<string, [keyof AuthorizedKeyOptions, boolean]> = {
    "no-pty": ["pty", false],
    pty: ["pty", true],
    "no-port-forwarding": ["portForwarding", false],
    "port-forwarding": ["portForwarding", true],
    "no-agent-forwarding": ["agentForwarding", false],
    "agent-forwarding": ["agentForwarding", true],
    "no-x11-forwarding": ["x11Forwarding", false],
    "x11-forwarding": ["x11Forwarding", true],
    "no-user-rc": ["userRc", false],
    "user-rc": ["userRc", true],
    "no-touch-required": ["noTouchRequired", true],
    "verify-required": ["verifyRequired", true],
  };
  // Own keys only: "constructor" or "__proto__" must reach the unknown-option refusal below.
  const t = Object.hasOwn(toggles, name) ? toggles[name] : undefined;
  if (t) {
    flag(name, value);
    (o as unknown as Record<string, boolean>)[t[0]] = t[1];
    return;
  }
  switch (name) {
    case "restrict":
      flag(name, value);
      o.restrict = true;
      o.pty = o.portForwarding = o.agentForwarding = o.x11Forwarding = o.userRc = false;
      return;
    case "cert-authority":
      flag(name, value);
      o.certAuthority = true;
      return;
    case "command":
      if (o.command !== undefined) throw new AuthorizedKeysLineError("command given twice");
      o.command = need(name, value);
      return;
    case "from":
      o.from = need(name, value);
      return;
    case "principals": {
      const list = need(name, value).split(",").map((s) => s.trim()).filter(Boolean);
      if (list.length === 0) throw new AuthorizedKeysLineError("principals is empty");
      o.principals = list;
      return;
    }
    case "expiry-time":
      o.expiresAt = parseExpiryTime(need(name, value));
      return;
    case "environment": {
      const v = need(name, value);
      const eq = v.indexOf("=");
      if (eq <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(v.slice(0, eq))) throw new AuthorizedKeysLineError(`environment="${v}" must be NAME=value`);
      o.environment.push([v.slice(0, eq), v.slice(eq + 1)]);
      return;
    }
    case "permitopen":
      o.permitOpen.push(need(name, value));
      return;
    case "permitlisten":
      o.permitListen.push(need(name, value));
      return;
    case "tunnel":
      o.tunnel = need(name, value);
      return;
    default:
      throw new AuthorizedKeysLineError(`unknown option "${name}"`);
  }
}

/** sshd's parse_absolute_time: YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS, local time unless it ends in Z. */
export function parseExpiryTime(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?(Z|z)?$/.exec(text);
  if (!m) throw new AuthorizedKeysLineError(`expiry-time "${text}" must be YYYYMMDD[HHMM[SS]][Z]`);
  const [, y, mo, d, h = "0", mi = "0", s = "0", z] = m;
  const parts = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const;
  const ms = z ? Date.UTC(...parts) : new Date(...parts).getTime();
  const check = new Date(ms);
  const month = z ? check.getUTCMonth() : check.getMonth();
  if (Number.isNaN(ms) || month !== parts[1]) throw new AuthorizedKeysLineError(`expiry-time "${text}" is not a valid date`);
  return ms;
}

/**
 * sshd's from="..." check (match_host_and_ip): each pattern is matched against the client's
 * address (wildcards or CIDR) and, when known, its host name (wildcards); a matching `!pattern`
 * refuses outright. True when some positive pattern matched and no negated one did.
 */
export function matchFrom(list: string, address: string, hostName?: string): boolean {
  let positive = false;
  for (const raw of list.split(",")) {
    const p = raw.trim();
    if (p === "") continue;
    const negated = p.startsWith("!");
    const pattern = (negated ? p.slice(1) : p).toLowerCase();
    const hit = pattern.includes("/")
      ? matchCidr(address, pattern)
      : matchPattern(address.toLowerCase(), pattern) || (hostName !== undefined && matchPattern(hostName.toLowerCase(), pattern));
    if (!hit) continue;
    if (negated) return false;
    positive = true;
  }
  return positive;
}

function matchCidr(address: string, cidr: string): boolean {
  const [net, bitsText] = cidr.split("/") as [string, string];
  const a = addressBytes(address);
  const n = addressBytes(net);
  const bits = Number(bitsText);
  if (!a || !n || a.length !== n.length || !/^\d+$/.test(bitsText) || bits > a.length * 8) return false;
  for (let i = 0; i < bits; i++) {
    const mask = 0x80 >> (i % 8);
    if ((a[i >> 3]! & mask) !== (n[i >> 3]! & mask)) return false;
  }
  return true;
}

/** IPv4 (4 bytes), IPv6 (16 bytes) or null; IPv4-mapped IPv6 is read as IPv4. */
function addressBytes(text: string): number[] | null {
  const t = text.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(t);
  if (v4) {
    const b = v4.slice(1).map(Number);
    return b.every((x) => x <= 255) ? b : null;
  }
  if (!t.includes(":")) return null;
  const halves = t.split("::");
  if (halves.length > 2) return null;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return null;
  const all = [...head, ...Array<string>(fill).fill("0"), ...tail];
  const out: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
    const v = parseInt(g, 16);
    out.push(v >> 8, v & 0xff);
  }
  return out;
}
