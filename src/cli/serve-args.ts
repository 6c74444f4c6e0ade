// `mcp-ssh serve` flags (issue 18; DESIGN.md "CLI additions"), parsed into settings with defaults.
import { parseArgs } from "node:util";
import type { LogLevel } from "../ssh/logger.js";
import { SERVER_DEFAULTS } from "../ssh/server.js";
import { formatMaxStartups, parseMaxStartups, type MaxStartups } from "../ssh/max-startups.js";

export const DEFAULT_HOST_KEY = "~/.config/mcp-ssh/ssh_host_ed25519_key";
export const DEFAULT_AUTHORIZED_KEYS = "~/.config/mcp-ssh/authorized_keys";

export const SERVE_USAGE = `usage: mcp-ssh serve [options] [-- COMMAND ARGS...]

Serves MCP servers over SSH: every session runs an MCP server as a child process, nothing else
(no shell, no pty, no forwarding). COMMAND is the default server, run for a shell request, for
exec of any command and for the "mcp" subsystem.

SSH server:
  --host HOST                 address to listen on (default 0.0.0.0)
  --port PORT                 SSH port (default 8022)
  --host-key PATH             host private key; repeatable (default ${DEFAULT_HOST_KEY},
                              created on first start, its fingerprint printed)
  --authorized-keys PATH      client keys, read on every login; OpenSSH's options apply
                              (default ${DEFAULT_AUTHORIZED_KEYS})
  --trusted-user-ca-keys PATH CA keys for user certificates (parsed; certificates are not yet accepted)
  --username NAME             the only login name accepted (default mcp)
MCP servers:
  --server NAME=COMMAND       a named server, chosen by "ssh -s NAME" or "exec NAME"; repeatable
  --servers-config PATH       {"mcpServers": {NAME: {command, args, env}}} (Claude Desktop's and
                              m2m-mcp-server-ssh-server's file); "default" or the first is the default
  --accept-env NAME           environment the client may set (wildcards allowed); repeatable.
                              Children otherwise get only PATH, HOME, LANG and SSH_CONNECTION
Key server (the client's --use-key-server), off unless a port is given:
  --key-server-port N         serve the host key and enroll client keys into --authorized-keys
  --token T | --token-file F | --open-registration   who may enroll (exactly one)
  --forced-command CMD        enrolled keys may run only CMD (a server name or a command)
  --tls-cert F --tls-key F    HTTPS; plain HTTP is for loopback (clients refuse it elsewhere)
  --rate-limit N              requests per minute per client address (default 30; 0 = off)
  --max-keys N                stop enrolling at N keys (default 1000; 0 = no cap)
SSH over WebSocket (browsers, no relay), off unless a port is given:
  --websocket-port N          accept SSH over WebSocket (binary frames) on --host:N
  --allow-origin ORIGIN       page Origins allowed to connect, e.g. https://app.example; repeatable
Limits (as sshd's):
  --max-startups N|S:R:F      unauthenticated connections at once, as sshd's MaxStartups: N is a hard
                              limit; S:R:F drops R% of new ones from S, rising to all at F
                              (default ${formatMaxStartups(SERVER_DEFAULTS.maxStartups)})
  --login-grace-time S        seconds to authenticate (default ${SERVER_DEFAULTS.loginGraceTimeMs / 1000})
  --max-auth-tries N          failed attempts before disconnect (default ${SERVER_DEFAULTS.maxAuthTries})
  --max-sessions N            sessions per connection (default ${SERVER_DEFAULTS.maxSessions})
  --max-connections N         connections at once (default ${SERVER_DEFAULTS.maxConnections})
Other:
  --log-level LEVEL           debug, info, warn, error or silent (default info); logs go to stderr
  -h, --help                  this help`;

export class ServeUsageError extends Error {}

export interface ServeSettings {
  host: string;
  port: number;
  hostKeys: string[];
  /** No --host-key given: the default key, created when missing. */
  defaultHostKey: boolean;
  authorizedKeys: string;
  trustedUserCaKeys?: string;
  username: string;
  servers: string[];
  serversConfig?: string;
  acceptEnv: string[];
  command: string[];
  keyServer?: {
    port: number;
    token?: string;
    tokenFile?: string;
    openRegistration: boolean;
    forcedCommand?: string;
    tls?: { cert: string; key: string };
    rateLimit?: number;
    maxKeys?: number;
  };
  websocketPort?: number;
  allowOrigins: string[];
  maxStartups: MaxStartups;
  loginGraceTimeMs: number;
  maxAuthTries: number;
  maxSessions: number;
  maxConnections: number;
  logLevel: LogLevel;
}

function whole(value: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new ServeUsageError(`${flag} must be a whole number from ${min} to ${max}, got "${value}"`);
  return Number(value);
}

function startups(value: string | undefined): MaxStartups {
  if (value === undefined) return SERVER_DEFAULTS.maxStartups;
  try {
    return parseMaxStartups(value);
  } catch (e) {
    throw new ServeUsageError(`--${(e as Error).message.replace(/^max(Startups|-startups)/, "max-startups")}`);
  }
}

export function parseServeArgs(argv: string[]): ServeSettings | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        host: { type: "string" },
        port: { type: "string" },
        "host-key": { type: "string", multiple: true },
        "authorized-keys": { type: "string" },
        "trusted-user-ca-keys": { type: "string" },
        username: { type: "string" },
        server: { type: "string", multiple: true },
        "servers-config": { type: "string" },
        "accept-env": { type: "string", multiple: true },
        "key-server-port": { type: "string" },
        token: { type: "string" },
        "token-file": { type: "string" },
        "open-registration": { type: "boolean" },
        "forced-command": { type: "string" },
        "tls-cert": { type: "string" },
        "tls-key": { type: "string" },
        "rate-limit": { type: "string" },
        "max-keys": { type: "string" },
        "websocket-port": { type: "string" },
        "allow-origin": { type: "string", multiple: true },
        "max-startups": { type: "string" },
        "login-grace-time": { type: "string" },
        "max-auth-tries": { type: "string" },
        "max-sessions": { type: "string" },
        "max-connections": { type: "string" },
        "log-level": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    throw new ServeUsageError((e as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (v.help) return "help";
  // Only what follows "--" is the command: a stray word before it is a mistake, not a server.
  const dash = argv.indexOf("--");
  const command = dash >= 0 ? argv.slice(dash + 1) : [];
  if (positionals.length !== command.length) throw new ServeUsageError(`unexpected argument "${positionals[0]}" (put the MCP server command after --)`);
  if (command.length === 0 && !v.server?.length && !v["servers-config"]) {
    throw new ServeUsageError("no MCP server to run: give -- COMMAND ARGS, --server NAME=COMMAND or --servers-config PATH");
  }
  if (v["allow-origin"]?.length && v["websocket-port"] === undefined) throw new ServeUsageError("--allow-origin belongs to the WebSocket listener: add --websocket-port N");
  for (const origin of v["allow-origin"] ?? []) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) throw new ServeUsageError(`--allow-origin wants an origin like https://app.example (no path), got "${origin}"`);
  }
  const logLevel = (v["log-level"] ?? "info") as LogLevel;
  if (!["debug", "info", "warn", "error", "silent"].includes(logLevel)) throw new ServeUsageError(`--log-level must be debug, info, warn, error or silent, got "${logLevel}"`);
  const keyServerFlags = ["token", "token-file", "open-registration", "forced-command", "tls-cert", "tls-key", "rate-limit", "max-keys"] as const;
  let keyServer: ServeSettings["keyServer"];
  if (v["key-server-port"] !== undefined) {
    const modes = [v.token !== undefined, v["token-file"] !== undefined, v["open-registration"] === true];
    if (modes.filter(Boolean).length !== 1) {
      throw new ServeUsageError("with --key-server-port give exactly one of --token, --token-file and --open-registration (enrollment needs a token unless registration is open)");
    }
    if ((v["tls-cert"] === undefined) !== (v["tls-key"] === undefined)) throw new ServeUsageError("--tls-cert and --tls-key go together");
    keyServer = {
      port: whole(v["key-server-port"], "--key-server-port", 0, 0, 65535),
      token: v.token,
      tokenFile: v["token-file"],
      openRegistration: v["open-registration"] === true,
      forcedCommand: v["forced-command"],
      tls: v["tls-cert"] !== undefined ? { cert: v["tls-cert"], key: v["tls-key"]! } : undefined,
      rateLimit: v["rate-limit"] === undefined ? undefined : whole(v["rate-limit"], "--rate-limit", 30, 0, 1_000_000),
      maxKeys: v["max-keys"] === undefined ? undefined : whole(v["max-keys"], "--max-keys", 1000, 0, 10_000_000),
    };
  } else {
    const stray = keyServerFlags.find((f) => v[f] !== undefined);
    if (stray) throw new ServeUsageError(`--${stray} belongs to the key server: add --key-server-port N`);
  }
  return {
    host: v.host ?? "0.0.0.0",
    port: whole(v.port, "--port", 8022, 0, 65535),
    hostKeys: v["host-key"] ?? [DEFAULT_HOST_KEY],
    defaultHostKey: !v["host-key"]?.length,
    authorizedKeys: v["authorized-keys"] ?? DEFAULT_AUTHORIZED_KEYS,
    trustedUserCaKeys: v["trusted-user-ca-keys"],
    username: v.username ?? "mcp",
    servers: v.server ?? [],
    serversConfig: v["servers-config"],
    acceptEnv: v["accept-env"] ?? [],
    command,
    keyServer,
    websocketPort: v["websocket-port"] === undefined ? undefined : whole(v["websocket-port"], "--websocket-port", 0, 0, 65535),
    allowOrigins: v["allow-origin"] ?? [],
    maxStartups: startups(v["max-startups"]),
    loginGraceTimeMs: whole(v["login-grace-time"], "--login-grace-time", SERVER_DEFAULTS.loginGraceTimeMs / 1000, 1, 86_400) * 1000,
    maxAuthTries: whole(v["max-auth-tries"], "--max-auth-tries", SERVER_DEFAULTS.maxAuthTries, 1, 1000),
    maxSessions: whole(v["max-sessions"], "--max-sessions", SERVER_DEFAULTS.maxSessions, 1, 10_000),
    maxConnections: whole(v["max-connections"], "--max-connections", SERVER_DEFAULTS.maxConnections, 1, 1_000_000),
    logLevel,
  };
}
