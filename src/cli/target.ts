// The positional target of the proxy, as `ssh` takes it: `[user@]host[:port]` or
// `ssh://[user@]host[:port]` (an IPv6 address in brackets: `[::1]:2222`). DESIGN.md, "Two target
// forms": the positional form means what it means to ssh (ssh_config, port 22, the local user, the
// agent and ~/.ssh/id_*); the `--host` form keeps the reference's defaults.

export interface Target {
  host: string;
  user?: string;
  port?: number;
}

import { splitUserHostPort, type UserHostPortProblem } from "../ssh/jump-spec.js";

export class TargetSyntaxError extends Error {}

const PROBLEM: Record<UserHostPortProblem, string> = {
  "empty user name": "has an empty user name",
  "unclosed [": "has an unclosed [",
  "junk after ]": "has something after ]",
};

/** Parse `[user@]host[:port]` or `ssh://[user@]host[:port][/]`. */
export function parseTarget(text: string): Target {
  let s = text;
  const uri = s.toLowerCase().startsWith("ssh://");
  if (uri) s = s.slice("ssh://".length).replace(/\/$/, "");
  const bad = (why: string) =>
    new TargetSyntaxError(`the target "${text}" ${why} (expected [user@]host[:port] or ssh://[user@]host[:port])`);
  if (s.includes("/")) throw bad("has a path, which is not a target");
  const parts = splitUserHostPort(s);
  if (typeof parts === "string") throw bad(PROBLEM[parts]);
  const { host, user } = parts;
  const port = parts.port !== undefined ? portOf(parts.port, bad) : undefined;
  if (host === "") throw bad("has no host name");
  if (host.startsWith("-")) throw bad("starts with '-'");
  return { host, ...(user !== undefined ? { user } : {}), ...(port !== undefined ? { port } : {}) };
}

function portOf(text: string, bad: (why: string) => Error): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) throw bad(`has a bad port "${text}"`);
  return Number(text);
}
