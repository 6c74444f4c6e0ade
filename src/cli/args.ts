// The proxy's command line: the reference client's flags and defaults, plus ours (DESIGN.md, "CLI").
import { parseArgs } from "node:util";
import type { LogLevel } from "../ssh/logger.js";
import { MCP_SSH_DEFAULTS } from "../mcp/options.js";
import { DEFAULT_INIT_TIMEOUT_S } from "./init-watch.js";

/** The reference client's default key, created on first use when missing. */
export const DEFAULT_CLIENT_KEY = "~/.ssh/m2m_mcp_server_ssh_client";
export const DEFAULT_KNOWN_HOSTS = "~/.ssh/known_hosts";

export const PROXY_USAGE = `usage: mcp-ssh [options]            relay MCP between stdio and a remote MCP server over SSH
       mcp-ssh keygen [--type ed25519|ecdsa|rsa] [--bits N] [--file PATH] [--comment C] [--passphrase]
       mcp-ssh keyserver --server-pub-key PATH --authorized-keys PATH [...]   (mcp-ssh keyserver --help)
       mcp-ssh relay --listen HOST:PORT --target HOST:PORT [...]             (mcp-ssh relay --help)

Connection:
  --host HOST                 SSH server (default ${MCP_SSH_DEFAULTS.host})
  --port PORT                 SSH port (default ${MCP_SSH_DEFAULTS.port})
  --username USER             login name (default ${MCP_SSH_DEFAULTS.username})
  --client-key PATH           private key; repeat to try several in order
                              (default ${DEFAULT_CLIENT_KEY}, created if missing)
  --agent                     offer the keys of the ssh-agent ($SSH_AUTH_SOCK) too; alone, instead of
                              the default key
  --passphrase P              passphrase of encrypted keys (better: MCP_SSH_PASSPHRASE in the environment)
  --known-hosts PATH          known_hosts file (default ${DEFAULT_KNOWN_HOSTS})
  --disable-host-key-checking accept any host key (dangerous: the connection can be intercepted)
Remote MCP server:
  --command CMD               run CMD (exec request) instead of a shell request
  --subsystem NAME            start an sshd subsystem (e.g. mcp) instead of a shell request
  --env KEY=VALUE             environment for the remote server (repeatable; sshd must AcceptEnv it)
  --init-timeout SECONDS      how long the remote may take to answer the host's initialize before
                              mcp-ssh gives up with a hint and an error answer (default ${DEFAULT_INIT_TIMEOUT_S}; 0 = wait forever)
Key server (fetch the host key, enroll the client key):
  --use-key-server            use it before connecting; the host key it serves is pinned in memory
  --key-server-port PORT      plain-HTTP port, loopback only unless allowed (default ${MCP_SSH_DEFAULTS.keyServerPort})
  --key-server-url URL        key server base URL (default https://HOST, then https://HOST:PORT)
  --key-server-token T        registration token (better: MCP_SSH_KEY_SERVER_TOKEN in the environment)
  --key-server-ca PATH        PEM CA certificate for the key server's HTTPS
  --allow-http-key-server     allow plain HTTP to a key server that is not on loopback
Other:
  --log-level LEVEL           debug, info, warn, error or silent (default info); logs go to stderr
  -h, --help                  this help
  -V, --version               the version

stdout carries only MCP messages. Exit status: 0 when the MCP host closes stdin; the remote
server's exit status when it exits first; 255 when the connection, host key or login fails
(one line on stderr says why), and when the remote is not an MCP server (a login shell, or no
answer to initialize within --init-timeout: stderr says how to fix it and the host gets an error
answer); 2 for a usage error.`;

/** Everything the proxy needs, with defaults applied. */
export interface ProxySettings {
  host: string;
  port: number;
  username: string;
  /** Explicit --client-key paths; empty means the default key (unless --agent). */
  clientKeys: string[];
  /** Offer the ssh-agent's keys ($SSH_AUTH_SOCK). */
  agent: boolean;
  knownHosts: string;
  passphrase?: string;
  disableHostKeyChecking: boolean;
  useKeyServer: boolean;
  keyServerPort: number;
  keyServerUrl?: string;
  keyServerToken?: string;
  keyServerCa?: string;
  allowHttpKeyServer: boolean;
  env: Record<string, string>;
  command?: string;
  subsystem?: string;
  /** How long the remote may take to answer initialize, in ms; 0 = no limit. */
  initTimeoutMs: number;
  logLevel: LogLevel;
}

export class UsageError extends Error {}

export type ParsedCommandLine = { action: "help" } | { action: "version" } | { action: "proxy"; settings: ProxySettings };

const LEVELS: Record<string, LogLevel> = {
  debug: "debug",
  info: "info",
  warn: "warn",
  warning: "warn",
  error: "error",
  critical: "error",
  silent: "silent",
};

export function parseLogLevel(text: string): LogLevel {
  const level = LEVELS[text.toLowerCase()];
  if (!level) throw new UsageError(`--log-level must be one of debug, info, warn, error, silent; got "${text}"`);
  return level;
}

export function parsePort(text: string, flag: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw new UsageError(`${flag} must be a port number from 1 to 65535, got "${text}"`);
  }
  return Number(text);
}

export function parseSeconds(text: string, flag: string): number {
  if (!/^\d+(\.\d+)?$/.test(text) || Number(text) > 86_400) {
    throw new UsageError(`${flag} takes a number of seconds from 0 to 86400 (0 = no limit), got "${text}"`);
  }
  return Math.round(Number(text) * 1000);
}

function parseEnv(items: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf("=");
    const name = eq < 0 ? item : item.slice(0, eq);
    if (eq < 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new UsageError(`--env takes KEY=VALUE with a variable name as KEY, got "${item}"`);
    }
    env[name] = item.slice(eq + 1);
  }
  return env;
}

/**
 * Parse the proxy's arguments. Secrets may come from the environment instead of the command line
 * (where any local user could read them in the process list).
 */
export function parseProxyArgs(argv: string[], environment: Record<string, string | undefined> = {}): ParsedCommandLine {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: "string" },
        port: { type: "string" },
        username: { type: "string" },
        "client-key": { type: "string", multiple: true },
        agent: { type: "boolean" },
        "known-hosts": { type: "string" },
        passphrase: { type: "string" },
        "disable-host-key-checking": { type: "boolean" },
        "use-key-server": { type: "boolean" },
        "key-server-port": { type: "string" },
        "key-server-url": { type: "string" },
        "key-server-token": { type: "string" },
        "key-server-ca": { type: "string" },
        "allow-http-key-server": { type: "boolean" },
        env: { type: "string", multiple: true },
        command: { type: "string" },
        subsystem: { type: "string" },
        "init-timeout": { type: "string" },
        "log-level": { type: "string" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "V" },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) return { action: "help" };
  if (values.version) return { action: "version" };
  if (values.command !== undefined && values.subsystem !== undefined) {
    throw new UsageError("--command and --subsystem cannot be used together");
  }
  if (values.host === "") throw new UsageError("--host must not be empty");
  return {
    action: "proxy",
    settings: {
      host: values.host ?? MCP_SSH_DEFAULTS.host,
      port: values.port === undefined ? MCP_SSH_DEFAULTS.port : parsePort(values.port, "--port"),
      username: values.username ?? MCP_SSH_DEFAULTS.username,
      clientKeys: values["client-key"] ?? [],
      agent: values.agent ?? false,
      knownHosts: values["known-hosts"] ?? DEFAULT_KNOWN_HOSTS,
      passphrase: values.passphrase ?? environment.MCP_SSH_PASSPHRASE,
      disableHostKeyChecking: values["disable-host-key-checking"] ?? false,
      useKeyServer: values["use-key-server"] ?? false,
      keyServerPort:
        values["key-server-port"] === undefined
          ? MCP_SSH_DEFAULTS.keyServerPort
          : parsePort(values["key-server-port"], "--key-server-port"),
      keyServerUrl: values["key-server-url"],
      keyServerToken: values["key-server-token"] ?? (environment.MCP_SSH_KEY_SERVER_TOKEN || undefined),
      keyServerCa: values["key-server-ca"],
      allowHttpKeyServer: values["allow-http-key-server"] ?? false,
      env: parseEnv(values.env ?? []),
      command: values.command,
      subsystem: values.subsystem,
      initTimeoutMs:
        values["init-timeout"] === undefined ? DEFAULT_INIT_TIMEOUT_S * 1000 : parseSeconds(values["init-timeout"], "--init-timeout"),
      logLevel: values["log-level"] === undefined ? "info" : parseLogLevel(values["log-level"]),
    },
  };
}
