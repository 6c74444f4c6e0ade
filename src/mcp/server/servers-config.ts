/**
 * The MCP servers `serve` runs: a default one (for shell, exec of any command and the `mcp`
 * subsystem) and named ones (`subsystem NAME` or `exec NAME`). They come from `-- COMMAND ARGS`,
 * `--server NAME=COMMAND` and the `{"mcpServers": {...}}` file of Claude Desktop and the Python
 * m2m-mcp-server-ssh-server.
 */
export interface McpServerSpec {
  command: string;
  args: string[];
  /** Set for this server's child on top of the base environment. */
  env: Record<string, string>;
  cwd?: string;
}

export interface McpServerSet {
  default?: McpServerSpec;
  named: Map<string, McpServerSpec>;
}

export class ServersConfigError extends Error {
  override name = "ServersConfigError";
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/**
 * Split a command line into words as a POSIX shell would for the simple cases: whitespace
 * separates, single quotes keep everything, double quotes keep all but `\"` and `\\`, a backslash
 * outside quotes escapes the next character. No expansion of any kind happens (no shell runs).
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new ServersConfigError(`unterminated ' in command: ${line}`);
      word += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      i++;
      for (; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === "\\" && (line[i + 1] === '"' || line[i + 1] === "\\")) i++;
        word += line[i];
      }
      if (i >= line.length) throw new ServersConfigError(`unterminated " in command: ${line}`);
      inWord = true;
    } else if (c === "\\" && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (c === " " || c === "\t" || c === "\n") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** `--server NAME=COMMAND`. */
export function parseServerFlag(text: string): [string, McpServerSpec] {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new ServersConfigError(`--server needs NAME=COMMAND, got "${text}"`);
  const name = text.slice(0, eq);
  if (!NAME.test(name)) throw new ServersConfigError(`server name "${name}" may hold only letters, digits, ".", "_", "@" and "-"`);
  const words = splitCommandLine(text.slice(eq + 1));
  if (words.length === 0) throw new ServersConfigError(`--server ${name}= needs a command`);
  return [name, { command: words[0]!, args: words.slice(1), env: {} }];
}

/**
 * The `{"mcpServers": {NAME: {command, args?, env?, cwd?}}}` file. The entry named "default", or
 * else the first, is the default server; every entry is also a named server.
 */
export function parseServersConfig(text: string, source = "servers config"): McpServerSet {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ServersConfigError(`${source} is not valid JSON: ${(e as Error).message}`);
  }
  const servers = (json as { mcpServers?: unknown })?.mcpServers;
  if (typeof servers !== "object" || servers === null || Array.isArray(servers)) {
    throw new ServersConfigError(`${source} must be {"mcpServers": {"NAME": {"command": ..., "args": [...]}}}`);
  }
  const named = new Map<string, McpServerSpec>();
  for (const [name, raw] of Object.entries(servers)) {
    const where = `${source}: mcpServers.${name}`;
    if (!NAME.test(name)) throw new ServersConfigError(`${where}: the name may hold only letters, digits, ".", "_", "@" and "-"`);
    const e = raw as { command?: unknown; args?: unknown; env?: unknown; cwd?: unknown };
    if (typeof e !== "object" || e === null || typeof e.command !== "string" || e.command === "") throw new ServersConfigError(`${where}.command must be a non-empty string`);
    if (e.args !== undefined && (!Array.isArray(e.args) || !e.args.every((a) => typeof a === "string"))) throw new ServersConfigError(`${where}.args must be an array of strings`);
    if (e.env !== undefined && (typeof e.env !== "object" || e.env === null || !Object.values(e.env).every((v) => typeof v === "string"))) {
      throw new ServersConfigError(`${where}.env must map names to strings`);
    }
    if (e.cwd !== undefined && typeof e.cwd !== "string") throw new ServersConfigError(`${where}.cwd must be a string`);
    named.set(name, { command: e.command, args: (e.args as string[] | undefined) ?? [], env: { ...((e.env as Record<string, string> | undefined) ?? {}) }, cwd: e.cwd as string | undefined });
  }
  if (named.size === 0) throw new ServersConfigError(`${source} lists no servers`);
  return { default: named.get("default") ?? named.values().next().value, named };
}
