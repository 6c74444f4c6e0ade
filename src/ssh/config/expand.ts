import { sha1 } from "@noble/hashes/legacy.js";
import { bytesToHex } from "@noble/hashes/utils.js";

/**
 * `%x` token expansion as OpenSSH's percent_expand does it: `%%` is a literal percent, any token
 * not in `tokens` (or a lone trailing `%`) is an error. With `env`, `${NAME}` is replaced by the
 * environment variable first-class (percent_dollar_expand); a missing variable is an error.
 */
export function percentExpand(
  value: string,
  tokens: Record<string, string>,
  env?: (name: string) => string | undefined,
): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (env !== undefined && c === "$" && value[i + 1] === "{") {
      const end = value.indexOf("}", i + 2);
      if (end < 0) throw new Error(`"${value}": environment variable is missing its closing "}"`);
      const name = value.slice(i + 2, end);
      if (name === "") throw new Error(`"${value}": zero-length environment variable`);
      const v = env(name);
      if (v === undefined) throw new Error(`"${value}": environment variable \${${name}} has no value`);
      out += v;
      i = end;
      continue;
    }
    if (c !== "%") {
      out += c;
      continue;
    }
    const t = value[++i];
    if (t === "%") {
      out += "%";
      continue;
    }
    if (t === undefined) throw new Error(`"${value}": "%" at the end of the value`);
    const repl = tokens[t];
    if (repl === undefined) throw new Error(`"${value}": unknown token %${t} here`);
    out += repl;
  }
  return out;
}

/** True if `${NAME}` references in `value` are well formed and set (OpenSSH's parse-time check). */
export function checkDollarReferences(value: string, env: (name: string) => string | undefined): boolean {
  try {
    percentExpand(value.replace(/%/g, "%%"), {}, env);
    return true;
  } catch {
    return false;
  }
}

/**
 * `~` and `~/...` become the home directory; `~user/...` only for the local user (there is no
 * passwd database to ask in a browser). Anything else is returned as is.
 */
export function tildeExpand(path: string, homeDir: string, localUser: string): string {
  if (!path.startsWith("~")) return path;
  const slash = path.indexOf("/");
  const user = slash < 0 ? path.slice(1) : path.slice(1, slash);
  if (user !== "" && user !== localUser) {
    throw new Error(`"${path}": cannot expand ~${user} (only the local user's home is known)`);
  }
  const rest = slash < 0 ? "" : path.slice(slash + 1).replace(/^\/+/, "");
  return (homeDir.endsWith("/") ? homeDir : homeDir + "/") + rest;
}

/** %C: SHA-1 (hex) of local hostname, remote host, port and remote user, concatenated. */
export function connectionHash(localHost: string, host: string, port: string, user: string): string {
  return bytesToHex(sha1(new TextEncoder().encode(localHost + host + port + user)));
}
