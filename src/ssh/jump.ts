/**
 * ProxyJump (`ssh -J`): a chain of SSH connections, each carried in a direct-tcpip channel of the
 * one before (RFC 4254 §7.2), so it needs nothing but the first hop's stream and works in every
 * runtime (a browser reaches the first hop through a WebSocket relay). Every hop is a full SSH
 * connection with its own host key check and login; the last hop forwards to the target.
 * Also where ssh_config is applied, since ProxyJump usually comes from there.
 */
import { SSHError } from "./errors.js";
import type { ByteStream } from "./io/byte-stream.js";
import { silentLogger, type Logger } from "./logger.js";
import type { ConnectOptions, JumpHostOptions } from "./options.js";
import { applySshConfig } from "./client-config.js";
import type { ResolvedSshConfig } from "./config/resolve.js";
import { formatJumpHost, parseJumpHost } from "./jump-spec.js";
import { platform } from "./platform.js";

/**
 * What a hop needs to be: a connection that forwards and closes. Structural, so this file needs
 * nothing from client.ts (which loads it): no import circle.
 */
export interface HopClient {
  forwardOut(host: string, port: number): Promise<ByteStream>;
  close(): Promise<void>;
}

export interface PlannedConnection<C extends HopClient = HopClient> {
  client: C;
  /** The jump hosts, first hop first. */
  hops: C[];
  config?: ResolvedSshConfig;
  env: Record<string, string>;
}

type Connect<C extends HopClient> = (options: ConnectOptions) => Promise<C>;

/** What a hop takes from the caller's options unless it says otherwise: credentials and trust. */
const INHERITED = [
  "privateKey",
  "privateKeyPath",
  "passphrase",
  "signers",
  "agent",
  "knownHosts",
  "knownHostsPath",
  "hostKeyPolicy",
  "hashKnownHosts",
  "readyTimeoutMs",
  "timeouts",
  "keepaliveIntervalMs",
  "keepaliveCountMax",
  "logger",
] as const satisfies readonly (keyof ConnectOptions)[];

/**
 * Connect as `options` says, through its jump hosts (`jump`, or ssh_config's ProxyJump) when it has
 * any. `connect` makes one direct connection. On failure every hop already up is closed again, and
 * the error names the hop it came from: "jump host 2 (bastion2:22): ...".
 */
export async function connectPlanned<C extends HopClient>(options: ConnectOptions, connect: Connect<C>): Promise<PlannedConnection<C>> {
  const logger = options.logger ?? silentLogger;
  let target: ConnectOptions = { ...options };
  let specs: Array<string | JumpHostOptions> = options.jump ?? [];
  let config: ResolvedSshConfig | undefined;
  let env: Record<string, string> = {};
  let targetProxyCommand: string | undefined;
  if (options.sshConfig) {
    const applied = await applySshConfig(options, logger);
    target = applied.options;
    config = applied.config;
    env = applied.env;
    targetProxyCommand = applied.proxyCommand;
    if (applied.jump) specs = applied.jump.map(formatJumpHost);
  }
  if (target.username === undefined) {
    throw new TypeError("SSHClient.connect needs `username` (or `sshConfig`, which takes ssh_config's User or the local user name)");
  }
  delete target.jump;
  delete target.sshConfig;
  delete target.sshConfigReader;

  const inherited: Partial<ConnectOptions> = {};
  for (const k of INHERITED) if (options[k] !== undefined) (inherited as Record<string, unknown>)[k] = options[k];
  const hopOptions: ConnectOptions[] = [];
  // The first connection made (hop 1, or the target when there are none) may go through
  // ssh_config's ProxyCommand; later ones run inside the chain.
  let firstProxyCommand = specs.length === 0 ? targetProxyCommand : undefined;
  for (const [i, spec] of specs.entries()) {
    const hop = await hopConnectOptions(spec, i, inherited, options, target.username, logger);
    hopOptions.push(hop.options);
    if (i === 0) firstProxyCommand = hop.proxyCommand;
  }
  const proxied = firstProxyCommand !== undefined ? startProxyCommand(firstProxyCommand, logger) : undefined;

  const hops: C[] = [];
  try {
    for (const [i, o] of hopOptions.entries()) {
      const stream: ByteStream | undefined =
        i === 0 ? (options.stream ?? proxied) : await forward(hops[i - 1]!, i - 1, hopOptions[i - 1]!, o.host!, o.port ?? 22);
      const label = hopLabel(i, o);
      logger.debug(`connecting to ${label}`);
      hops.push(await named(label, connect({ ...o, ...(stream ? { stream } : {}) })));
    }
    let last: ByteStream | undefined = hops.length === 0 ? proxied : undefined;
    if (hops.length > 0) {
      const i = hops.length - 1;
      last = await forward(hops[i]!, i, hopOptions[i]!, target.host!, target.port ?? 22);
    }
    const client = await connect({ ...target, ...(last ? { stream: last } : {}) });
    return { client, hops, ...(config ? { config } : {}), env };
  } catch (e) {
    await closeHops(hops);
    // A command whose connection never came up (a refused login, an unknown host key) is stopped.
    await proxied?.close().catch(() => {});
    throw e;
  }
}

/** ssh_config's ProxyCommand, run by the runtime as ssh runs it: `exec` makes the shell the command. */
function startProxyCommand(command: string, logger: Logger): ByteStream {
  // applySshConfig refused it already where the runtime has no processes.
  const run = platform.proxyCommand!;
  logger.debug(`ssh_config: ProxyCommand ${command}`);
  return run(`exec ${command}`, logger);
}

/** Close jump hosts last hop first (each hop's connection runs inside the one before). */
export async function closeHops(hops: readonly HopClient[]): Promise<void> {
  for (const hop of [...hops].reverse()) await hop.close().catch(() => {});
}

async function hopConnectOptions(
  spec: string | JumpHostOptions,
  i: number,
  inherited: Partial<ConnectOptions>,
  caller: ConnectOptions,
  targetUser: string,
  logger: Logger,
): Promise<{ options: ConnectOptions; proxyCommand?: string }> {
  if (typeof spec === "object") {
    const o: ConnectOptions = { ...inherited, ...spec };
    o.username ??= targetUser;
    return { options: o };
  }
  const hop = parseJumpHost(spec, i);
  const o: ConnectOptions = { ...inherited, host: hop.host, ...(hop.port !== undefined ? { port: hop.port } : {}), ...(hop.user !== undefined ? { username: hop.user } : {}) };
  if (caller.sshConfig) {
    // As `ssh -J` does: each hop is looked up in ssh_config by its own name. Its own ProxyJump is
    // not followed: the chain is this one.
    // Hops after the first run inside the chain, so a ProxyCommand of theirs does not apply.
    const chained = i > 0 ? { jump: [] } : {};
    const reader = caller.sshConfigReader ? { sshConfigReader: caller.sshConfigReader } : {};
    const applied = await named(hopLabel(i, o), applySshConfig({ ...o, ...chained, ...reader, sshConfig: caller.sshConfig }, logger));
    delete applied.options.jump;
    return { options: applied.options, ...(applied.proxyCommand !== undefined ? { proxyCommand: applied.proxyCommand } : {}) };
  }
  o.username ??= targetUser;
  return { options: o };
}

function hopLabel(i: number, o: ConnectOptions): string {
  return `jump host ${i + 1} (${o.host}:${o.port ?? 22})`;
}

/** Ask hop `i` to open a channel to host:port; a refusal names the hop that refused. */
function forward(hop: HopClient, i: number, o: ConnectOptions, host: string, port: number): Promise<ByteStream> {
  return named(hopLabel(i, o), hop.forwardOut(host, port));
}

/** The error of `p`, its message prefixed with which hop it came from (its class kept). */
async function named<T>(label: string, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof Error) {
      if (!e.message.startsWith("jump host ")) e.message = `${label}: ${e.message}`;
      throw e;
    }
    throw new SSHError(`${label}: ${String(e)}`, { cause: e });
  }
}
