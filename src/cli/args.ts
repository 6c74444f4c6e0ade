// The proxy's command line: the reference client's flags and defaults, plus ours (DESIGN.md, "CLI").
import { parseArgs } from "node:util";
import type { LogLevel } from "../ssh/logger.js";
import { MCP_SSH_DEFAULTS } from "../mcp/client/options.js";
import { DEFAULT_INIT_TIMEOUT_S } from "./init-watch.js";
import { parseTarget, TargetSyntaxError, type Target } from "./target.js";

/** The reference client's default key, created on first use when missing. */
export const DEFAULT_CLIENT_KEY = "~/.ssh/m2m_mcp_server_ssh_client";
export const DEFAULT_KNOWN_HOSTS = "~/.ssh/known_hosts";

export const PROXY_USAGE = `usage: mcp-ssh [options] [user@]host[:port]   relay MCP between stdio and a remote MCP server over SSH,
                                              reaching the host as ssh does (ssh_config, port 22, your user
                                              name, your agent and ~/.ssh/id_* keys); also ssh://user@host:port
       mcp-ssh [options] --host HOST           the same with the reference client's defaults (port 8022, user
                                              mcp, the m2m key; ssh_config only with -F)
       mcp-ssh keygen [--type ed25519|ecdsa|rsa] [--bits N] [--file PATH] [--comment C] [--passphrase]
       mcp-ssh keyserver --server-pub-key PATH --authorized-keys PATH [...]   (mcp-ssh keyserver --help)
       mcp-ssh relay --listen HOST:PORT --target HOST:PORT [...]             (mcp-ssh relay --help)

Connection:
  [user@]host[:port]          the target as ssh takes it (a Host alias of ssh_config, too)
  --host HOST                 SSH server, the reference's form (default ${MCP_SSH_DEFAULTS.host})
  -p, --port PORT             SSH port (default 22 for a positional target, else ${MCP_SSH_DEFAULTS.port})
  --username USER             login name (default: the local user for a positional target, else ${MCP_SSH_DEFAULTS.username})
  -F, --ssh-config PATH       read this ssh_config file instead of ~/.ssh/config and /etc/ssh/ssh_config;
                              "none" reads none. Flags beat ssh_config, which beats the defaults
  --jump [user@]host[:port]   go through this jump host (like ssh -J; repeat for a chain, first hop first)
  --client-key PATH           private key; repeat to try several in order
                              (default ${DEFAULT_CLIENT_KEY}, created if missing)
  --agent                     offer the keys of the ssh-agent ($SSH_AUTH_SOCK) too; alone, instead of
                              the default key
  --passphrase P              passphrase of encrypted keys (better: MCP_SSH_PASSPHRASE in the environment)
  MCP_SSH_PASSWORD            (environment only, never a flag) password for servers that take password
                              or keyboard-interactive logins; tried after the keys, as ssh does
  --known-hosts PATH          known_hosts file (default ${DEFAULT_KNOWN_HOSTS})
  --disable-host-key-checking accept any host key (dangerous: the connection can be intercepted)
Remote MCP server:
  --command CMD               run CMD (exec request) instead of a shell request
  --subsystem NAME            start an sshd subsystem (e.g. mcp) instead of a shell request
  --http-url URL              instead: bridge to an MCP server speaking Streamable HTTP at URL, as seen
                              from the SSH server (e.g. http://127.0.0.1:3000/mcp), through direct-tcpip
                              channels: no port opens on either machine
  --sse                       with --http-url: the server speaks the legacy HTTP+SSE transport
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
  /** Given (or the reference's default); undefined for a positional target without one (ssh_config, then 22). */
  port?: number;
  /** Given (or the reference's default); undefined for a positional target without one (ssh_config, then the local user). */
  username?: string;
  /**
   * Set when the target was given as a positional `[user@]host[:port]`: OpenSSH's meaning
   * (ssh_config read by default, ssh's defaults). Absent: the reference's `--host` form.
   */
  target?: Target;
  /** -F / --ssh-config as given ("none" reads no file). */
  sshConfig?: string;
  /** --jump hops, first hop first. */
  jump?: string[];
  /** --http-url: bridge to a remote Streamable HTTP (or, with `sse`, HTTP+SSE) MCP server. */
  httpUrl?: string;
  sse?: boolean;
  /** Explicit --client-key paths; empty means the default key (unless --agent). */
  clientKeys: string[];
  /** Offer the ssh-agent's keys ($SSH_AUTH_SOCK). */
  agent: boolean;
  /** --known-hosts, or the reference's default; undefined when ssh_config decides (positional target, or -F). */
  knownHosts?: string;
  passphrase?: string;
  /** MCP_SSH_PASSWORD: for password and keyboard-interactive logins (never a flag). */
  password?: string;
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

/**
 * Secrets the proxy takes from its environment. Once read they are removed from it, so that
 * neither ssh_config's SendEnv (`SendEnv MCP_*` would hand them to the server) nor a
 * ProxyCommand or other child process receives them.
 */
export const SECRET_ENVIRONMENT = ["MCP_SSH_PASSWORD", "MCP_SSH_PASSPHRASE", "MCP_SSH_KEY_SERVER_TOKEN"] as const;

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
  const key = text.toLowerCase();
  const level = Object.hasOwn(LEVELS, key) ? LEVELS[key] : undefined;
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
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        host: { type: "string" },
        port: { type: "string", short: "p" },
        "ssh-config": { type: "string", short: "F" },
        jump: { type: "string", multiple: true },
        "http-url": { type: "string" },
        sse: { type: "boolean" },
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
  if (values.username === "") throw new UsageError("--username must not be empty");
  if (positionals.length > 1) {
    throw new UsageError(`one target only, got ${positionals.length}: ${positionals.join(" ")} (flags go before or after it, each with its -- name)`);
  }
  let target: Target | undefined;
  if (positionals.length === 1) {
    try {
      target = parseTarget(positionals[0]!);
    } catch (e) {
      if (e instanceof TargetSyntaxError) throw new UsageError(e.message);
      throw e;
    }
  }
  const port = values.port === undefined ? undefined : parsePort(values.port, "--port");
  if (target) {
    // A flag may complete the positional target, not contradict it.
    if (values.host !== undefined && values.host !== target.host) {
      throw new UsageError(`--host ${values.host} and the target ${positionals[0]} name different hosts; give one of them`);
    }
    if (port !== undefined && target.port !== undefined && port !== target.port) {
      throw new UsageError(`--port ${port} and the target ${positionals[0]} name different ports; give one of them`);
    }
    if (values.username !== undefined && target.user !== undefined && values.username !== target.user) {
      throw new UsageError(`--username ${values.username} and the target ${positionals[0]} name different users; give one of them`);
    }
  }
  if (target && values["use-key-server"] && (values["client-key"] ?? []).length === 0) {
    // The positional form's default identities are the user's own keys: never sent to a key server unasked.
    throw new UsageError(
      "with a [user@]host target, --use-key-server enrolls only the keys named with --client-key (e.g. --client-key ~/.ssh/m2m_mcp_server_ssh_client)",
    );
  }
  if (values.sse && values["http-url"] === undefined) throw new UsageError("--sse goes with --http-url");
  if (values["http-url"] !== undefined) {
    let url: URL;
    try {
      url = new URL(values["http-url"]);
    } catch {
      throw new UsageError(`--http-url takes a URL such as http://127.0.0.1:3000/mcp, got "${values["http-url"]}"`);
    }
    if (url.protocol !== "http:") {
      throw new UsageError(`--http-url takes an http:// URL (the SSH connection already encrypts it), got "${values["http-url"]}"`);
    }
    if (values.command !== undefined || values.subsystem !== undefined) {
      throw new UsageError("--http-url starts no remote process: it cannot go with --command or --subsystem");
    }
  }
  if (values["ssh-config"] === "") throw new UsageError("--ssh-config (-F) takes a path or none");
  for (const hop of values.jump ?? []) {
    try {
      parseTarget(hop);
    } catch (e) {
      if (e instanceof TargetSyntaxError) throw new UsageError(`--jump: ${e.message}`);
      throw e;
    }
  }
  // ssh_config decides known_hosts (UserKnownHostsFile) when it is read and --known-hosts is not given.
  const configRead = target !== undefined || (values["ssh-config"] !== undefined && values["ssh-config"].toLowerCase() !== "none");
  return {
    action: "proxy",
    settings: {
      host: target?.host ?? values.host ?? MCP_SSH_DEFAULTS.host,
      port: target ? (port ?? target.port) : (port ?? (configRead ? undefined : MCP_SSH_DEFAULTS.port)),
      username: target ? (values.username ?? target.user) : (values.username ?? (configRead ? undefined : MCP_SSH_DEFAULTS.username)),
      ...(target ? { target } : {}),
      ...(values["ssh-config"] !== undefined ? { sshConfig: values["ssh-config"] } : {}),
      ...(values.jump !== undefined ? { jump: values.jump } : {}),
      ...(values["http-url"] !== undefined ? { httpUrl: values["http-url"] } : {}),
      ...(values.sse ? { sse: true } : {}),
      clientKeys: values["client-key"] ?? [],
      agent: values.agent ?? false,
      knownHosts: values["known-hosts"] ?? (configRead ? undefined : DEFAULT_KNOWN_HOSTS),
      passphrase: values.passphrase ?? environment.MCP_SSH_PASSPHRASE,
      // Environment only: a flag's value is in the process list, which every local user can read.
      // Empty counts as unset, as a host's config often carries the variable with no value.
      ...(environment.MCP_SSH_PASSWORD ? { password: environment.MCP_SSH_PASSWORD } : {}),
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
