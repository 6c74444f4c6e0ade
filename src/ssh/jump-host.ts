/** The `ssh -J` jump host syntax, apart from jump.ts so that parsing one loads no connection code. */
import type { JumpHop } from "./config/resolve.js";

/**
 * `[user@]host[:port]`, as `ssh -J` takes it; an IPv6 address in brackets (`[::1]:2222`); also
 * `ssh://[user@]host[:port]`.
 */
export function parseJumpHost(text: string, index = 0): JumpHop {
  let s = text.trim();
  if (s.startsWith("ssh://")) s = s.slice(6).replace(/\/$/, "");
  const bad = (why: string) => new TypeError(`jump host ${index + 1} "${text}": ${why} (expected [user@]host[:port])`);
  const at = s.lastIndexOf("@");
  const user = at >= 0 ? s.slice(0, at) : undefined;
  if (user === "") throw bad("empty user name");
  let rest = at >= 0 ? s.slice(at + 1) : s;
  let port: number | undefined;
  let host: string;
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0) throw bad("unclosed [");
    host = rest.slice(1, close);
    rest = rest.slice(close + 1);
    if (rest !== "") {
      if (!rest.startsWith(":")) throw bad("junk after ]");
      port = parsePort(rest.slice(1), bad);
    }
  } else {
    const colon = rest.lastIndexOf(":");
    if (colon >= 0 && rest.indexOf(":") === colon) {
      host = rest.slice(0, colon);
      port = parsePort(rest.slice(colon + 1), bad);
    } else host = rest; // no port, or a bare IPv6 address
  }
  if (host === "") throw bad("empty host");
  return { host, ...(user !== undefined ? { user } : {}), ...(port !== undefined ? { port } : {}) };
}

function parsePort(text: string, bad: (why: string) => Error): number {
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || n < 1 || n > 65535) throw bad(`bad port "${text}"`);
  return n;
}
