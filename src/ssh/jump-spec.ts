/**
 * The light half of ProxyJump: the `[user@]host[:port]` hop syntax and whether a connection needs
 * jump.ts at all. client.ts and the public API import only this; jump.ts (the chain, and ssh_config
 * with it) is loaded with `import()` when a connection has jump hosts or an ssh_config, so a
 * browser that connects directly never downloads it.
 */
import type { ConnectOptions } from "./options.js";
import type { JumpHop } from "./config/resolve.js";

/** Does `options` need jump.ts (ssh_config, jump hosts), or can it connect directly? */
export function needsPlanning(options: ConnectOptions): boolean {
  return Boolean(options.sshConfig) || (options.jump !== undefined && options.jump.length > 0) || options.username === undefined;
}

/** A parsed hop back in `[user@]host[:port]` form (an IPv6 address bracketed). */
export function formatJumpHost(hop: JumpHop): string {
  const host = hop.host.includes(":") ? `[${hop.host}]` : hop.host;
  return `${hop.user !== undefined ? `${hop.user}@` : ""}${host}${hop.port !== undefined ? `:${hop.port}` : ""}`;
}

/**
 * `[user@]host[:port]`, as `ssh -J` takes it; an IPv6 address in brackets (`[::1]:2222`); also
 * `ssh://[user@]host[:port]`.
 */
export function parseJumpHost(text: string, index = 0): JumpHop {
  let s = text.trim();
  if (s.startsWith("ssh://")) s = s.slice(6).replace(/\/$/, "");
  const bad = (why: string) => new TypeError(`jump host ${index + 1} "${text}": ${why} (expected [user@]host[:port])`);
  const parts = splitUserHostPort(s);
  if (typeof parts === "string") throw bad(parts);
  const port = parts.port !== undefined ? parsePort(parts.port, bad) : undefined;
  if (parts.host === "") throw bad("empty host");
  return { host: parts.host, ...(parts.user !== undefined ? { user: parts.user } : {}), ...(port !== undefined ? { port } : {}) };
}

/** What is wrong with a `[user@]host[:port]` text (the callers put it in their own words). */
export type UserHostPortProblem = "empty user name" | "unclosed [" | "junk after ]";

/**
 * `[user@]host[:port]` split as ssh splits it: the user up to the last "@", an IPv6 address in
 * brackets (`[::1]:2222`), a port only after a single colon (a bare IPv6 address has several).
 * The port comes back as text and the host may be empty: each caller checks them its own way.
 */
export function splitUserHostPort(s: string): { user?: string; host: string; port?: string } | UserHostPortProblem {
  const at = s.lastIndexOf("@");
  const user = at >= 0 ? s.slice(0, at) : undefined;
  if (user === "") return "empty user name";
  let rest = at >= 0 ? s.slice(at + 1) : s;
  let host = rest;
  let port: string | undefined;
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0) return "unclosed [";
    host = rest.slice(1, close);
    rest = rest.slice(close + 1);
    if (rest !== "") {
      if (!rest.startsWith(":")) return "junk after ]";
      port = rest.slice(1);
    }
  } else {
    const colon = rest.indexOf(":");
    if (colon >= 0 && rest.lastIndexOf(":") === colon) {
      host = rest.slice(0, colon);
      port = rest.slice(colon + 1);
    }
  }
  return { host, ...(user !== undefined ? { user } : {}), ...(port !== undefined ? { port } : {}) };
}

function parsePort(text: string, bad: (why: string) => Error): number {
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || n < 1 || n > 65535) throw bad(`bad port "${text}"`);
  return n;
}

