// From the proxy's settings to a connected SSHClient, per target form (DESIGN.md, "Two target forms"):
// - positional `[user@]host[:port]`: ssh_config (~/.ssh/config then /etc/ssh/ssh_config, or -F),
//   OpenSSH's defaults (port 22, the local user, the agent and ~/.ssh/id_*, ~/.ssh/known_hosts);
// - `--host`: the reference's defaults (port 8022, user mcp, the m2m key, ~/.ssh/known_hosts);
//   ssh_config only with -F, and then still below the flags and above those defaults.
// ProxyCommand is run by the library through the Node platform (src/platform/node.ts), for the
// target or the first jump host, as ssh runs it.
import { homedir } from "node:os";
import { resolve as resolvePath } from "node:path";
import type { SSHClient } from "../ssh/client.js";
import { SSHClient as Client } from "../ssh/client.js";
import { resolveSshConfig, type ResolvedSshConfig, type ResolveSshConfigOptions } from "../ssh/config/resolve.js";
import type { SshConfigReader } from "../ssh/config/reader.js";
import { ConfigurationError } from "../ssh/errors.js";
import { expandHome } from "../platform/node/home.js";
import type { Logger } from "../ssh/logger.js";
import type { ConnectOptions } from "../ssh/options.js";
import { connectOptionsFor, reportKex } from "../mcp/client/open-channel.js";
import { MCP_SSH_DEFAULTS, type SSHClientTransportOptions } from "../mcp/client/options.js";
import { nodeSshConfigReader } from "../platform/node/ssh-config-files.js";
import type { ProxySettings } from "./args.js";
import { M2M_KEY_NAME } from "./client-keys.js";

export interface ConnectedTarget {
  client: SSHClient;
  /** The transport options the proxy runs with (host/port/username as connected, for its log). */
  options: SSHClientTransportOptions;
  /** ssh_config's result, when one was read. */
  config?: ResolvedSshConfig;
}

/**
 * The ssh_config reader of the CLI. `~` is $HOME (os.homedir()), not the passwd entry that ssh
 * uses: the rest of the CLI (--client-key ~/..., the m2m key, known_hosts) already reads $HOME, and
 * a throwaway HOME must move all of it. They differ only when HOME is set to something else.
 */
export function cliSshConfigReader(overrides: Partial<SshConfigReader> = {}): SshConfigReader {
  return nodeSshConfigReader({ homeDir: homedir(), ...overrides });
}

/**
 * The reference form with -F: the file's own settings beat the reference's defaults, so those
 * defaults go after the file, as a final `Host *` block (ssh_config keeps the first value it
 * obtains). IdentityFile there also keeps OpenSSH's default identities (~/.ssh/id_*) out: the
 * reference form logs in with the m2m key unless the file or --client-key names others.
 */
const REFERENCE_DEFAULTS = [
  "",
  "# mcp-ssh: the --host form's defaults, after the file (first value wins)",
  "Host *",
  `  Port ${MCP_SSH_DEFAULTS.port}`,
  `  User ${MCP_SSH_DEFAULTS.username}`,
  `  IdentityFile ~/.ssh/${M2M_KEY_NAME}`,
  "",
].join("\n");

interface ConfigChoice {
  /** For SSHClient.connect. */
  spec: NonNullable<ConnectOptions["sshConfig"]>;
  reader: SshConfigReader;
  /** The same, for resolveSshConfig (known_hosts for the failure explanation; the key server's host). */
  resolve: Omit<ResolveSshConfigOptions, "reader" | "user" | "port">;
}

/** Which ssh_config the settings ask for, if any. */
export function sshConfigChoice(settings: ProxySettings): ConfigChoice | undefined {
  const given = settings.sshConfig;
  const none = given !== undefined && given.toLowerCase() === "none";
  if (settings.target === undefined) {
    if (given === undefined || none) return undefined;
    const path = resolvePath(expandHome(given));
    const base = cliSshConfigReader();
    const reader: SshConfigReader = {
      ...base,
      readFile: (p) => {
        const text = base.readFile(p);
        return p === path && text !== null ? text + REFERENCE_DEFAULTS : text;
      },
    };
    return { spec: { path }, reader, resolve: { files: [path] } };
  }
  const reader = cliSshConfigReader();
  // -F none: no file, OpenSSH's defaults (an empty config gives exactly those).
  if (none) return { spec: { text: "" }, reader, resolve: { text: "" } };
  if (given !== undefined) {
    const path = resolvePath(expandHome(given));
    return { spec: { path }, reader, resolve: { files: [path] } };
  }
  return { spec: true, reader, resolve: {} };
}

/** The transport options for these settings (before ssh_config, which SSHClient.connect applies). */
export function transportOptionsFor(settings: ProxySettings, clientKeys: string[]): SSHClientTransportOptions {
  return {
    host: settings.host,
    ...(settings.port !== undefined ? { port: settings.port } : {}),
    ...(settings.username !== undefined ? { username: settings.username } : {}),
    clientKeys,
    ...(settings.knownHosts !== undefined ? { knownHosts: settings.knownHosts } : {}),
    passphrase: settings.passphrase,
    disableHostKeyChecking: settings.disableHostKeyChecking,
    useKeyServer: settings.useKeyServer,
    keyServerPort: settings.keyServerPort,
    keyServerUrl: settings.keyServerUrl,
    keyServerToken: settings.keyServerToken,
    keyServerCa: settings.keyServerCa,
    allowHttpKeyServer: settings.allowHttpKeyServer,
    env: settings.env,
    command: settings.command,
    subsystem: settings.subsystem,
    // Keepalive comes from SSHClientTransport's defaults: a dead path ends the proxy (255).
  };
}

/** Connect as the settings say. Failures are the library's typed errors. */
export async function connectTarget(
  settings: ProxySettings,
  clientKeys: string[],
  logger: Logger,
  /** Filled in for the explanation of a failure: the known_hosts file the host key is checked against. */
  context: { knownHosts?: string } = {},
): Promise<ConnectedTarget> {
  const options = transportOptionsFor(settings, clientKeys);
  const choice = sshConfigChoice(settings);
  const extra: Partial<ConnectOptions> = {};
  if (settings.agent) extra.agent = true;
  if (settings.password !== undefined) extra.password = settings.password;
  if (settings.jump !== undefined) extra.jump = settings.jump;
  let config: ResolvedSshConfig | undefined;
  if (choice) {
    extra.sshConfig = choice.spec;
    extra.sshConfigReader = choice.reader;
    try {
      config = resolveSshConfig(settings.host, {
        reader: choice.reader,
        ...choice.resolve,
        ...(settings.username !== undefined ? { user: settings.username } : {}),
        ...(settings.port !== undefined ? { port: settings.port } : {}),
      });
    } catch (e) {
      throw new ConfigurationError(`ssh_config for "${settings.host}": ${(e as Error).message}`, { cause: e });
    }
    if (settings.knownHosts === undefined && config.userKnownHostsFile[0] !== undefined) context.knownHosts = config.userKnownHostsFile[0];
  }
  options.connect = extra;
  // The key server (--use-key-server) is looked for on the real host name, not on a config alias.
  const keyServerHost = settings.useKeyServer && config !== undefined ? config.hostName : settings.host;
  const connectOptions = await connectOptionsFor({ ...options, host: keyServerHost }, logger);
  // SSHClient.connect resolves the name as typed (a Host alias) through ssh_config itself.
  connectOptions.host = settings.host;
  // connectOptionsFor fills in the reference's port and user; with ssh_config those come from it.
  if (settings.port === undefined) delete connectOptions.port;
  if (settings.username === undefined) delete connectOptions.username;
  const client = await Client.connect(connectOptions);
  reportKex(client, logger);
  const resolved = client.sshConfig ?? config;
  return {
    client,
    config: resolved,
    options: {
      ...options,
      stream: undefined,
      host: resolved?.hostName ?? settings.host,
      port: resolved?.port ?? settings.port,
      username: resolved?.user ?? settings.username,
      // ssh_config's SendEnv/SetEnv under --env (a flag beats the config).
      env: { ...client.configEnv, ...settings.env },
      client,
    },
  };
}
