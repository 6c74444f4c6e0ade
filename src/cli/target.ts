// The positional target of the proxy, as `ssh` takes it: `[user@]host[:port]` or
// `ssh://[user@]host[:port]` (an IPv6 address in brackets: `[::1]:2222`). DESIGN.md, "Two target
// forms": the positional form means what it means to ssh (ssh_config, port 22, the local user, the
// agent and ~/.ssh/id_*); the `--host` form keeps the reference's defaults.

export interface Target {
  host: string;
  user?: string;
  port?: number;
}

export class TargetSyntaxError extends Error {}

/** Parse `[user@]host[:port]` or `ssh://[user@]host[:port][/]`. */
export function parseTarget(text: string): Target {
  let s = text;
  const uri = s.toLowerCase().startsWith("ssh://");
  if (uri) s = s.slice("ssh://".length).replace(/\/$/, "");
  const bad = (why: string) =>
    new TargetSyntaxError(`the target "${text}" ${why} (expected [user@]host[:port] or ssh://[user@]host[:port])`);
  if (s.includes("/")) throw bad("has a path, which is not a target");
  const at = s.lastIndexOf("@");
  const user = at >= 0 ? s.slice(0, at) : undefined;
  if (user === "") throw bad("has an empty user name");
  let rest = at >= 0 ? s.slice(at + 1) : s;
  let host: string;
  let port: number | undefined;
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0) throw bad("has an unclosed [");
    host = rest.slice(1, close);
    rest = rest.slice(close + 1);
    if (rest !== "") {
      if (!rest.startsWith(":")) throw bad("has something after ]");
      port = portOf(rest.slice(1), bad);
    }
  } else {
    const colon = rest.indexOf(":");
    if (colon >= 0 && rest.lastIndexOf(":") === colon) {
      host = rest.slice(0, colon);
      port = portOf(rest.slice(colon + 1), bad);
    } else {
      // No port, or a bare IPv6 address (more than one colon).
      host = rest;
    }
  }
  if (host === "") throw bad("has no host name");
  if (host.startsWith("-")) throw bad("starts with '-'");
  return { host, ...(user !== undefined ? { user } : {}), ...(port !== undefined ? { port } : {}) };
}

function portOf(text: string, bad: (why: string) => Error): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) throw bad(`has a bad port "${text}"`);
  return Number(text);
}
