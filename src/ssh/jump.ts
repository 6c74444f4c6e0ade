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
import type { JumpHop, ResolvedSshConfig } from "./config/resolve.js";
import { closeHops, type HopClient, type PlannedConnection } from "./jump-plan.js";
import { parseJumpHost } from "./jump-host.js";

export { parseJumpHost } from "./jump-host.js";

/** ssh_config's reader and resolver, imported only when the caller asks for ssh_config. */
const clientConfig = () => import("./client-config.js");

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
  if (options.sshConfig) {
    const applied = await (await clientConfig()).applySshConfig(options, logger);
    target = applied.options;
    config = applied.config;
    env = applied.env;
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
  for (const [i, spec] of specs.entries()) {
    hopOptions.push(await hopConnectOptions(spec, i, inherited, options, target.username, logger));
  }

  const hops: C[] = [];
  try {
    for (const [i, o] of hopOptions.entries()) {
      const stream: ByteStream | undefined = i === 0 ? options.stream : await forward(hops[i - 1]!, i - 1, hopOptions[i - 1]!, o.host!, o.port ?? 22);
      const label = hopLabel(i, o);
      logger.debug(`connecting to ${label}`);
      hops.push(await named(label, connect({ ...o, ...(stream ? { stream } : {}) })));
    }
    let last: ByteStream | undefined;
    if (hops.length > 0) {
      const i = hops.length - 1;
      last = await forward(hops[i]!, i, hopOptions[i]!, target.host!, target.port ?? 22);
    }
    const client = await connect({ ...target, ...(last ? { stream: last } : {}) });
    return { client, hops, ...(config ? { config } : {}), env };
  } catch (e) {
    await closeHops(hops);
    throw e;
  }
}

async function hopConnectOptions(
  spec: string | JumpHostOptions,
  i: number,
  inherited: Partial<ConnectOptions>,
  caller: ConnectOptions,
  targetUser: string,
  logger: Logger,
): Promise<ConnectOptions> {
  if (typeof spec === "object") {
    const o: ConnectOptions = { ...inherited, ...spec };
    o.username ??= targetUser;
    return o;
  }
  const hop = parseJumpHost(spec, i);
  const o: ConnectOptions = { ...inherited, host: hop.host, ...(hop.port !== undefined ? { port: hop.port } : {}), ...(hop.user !== undefined ? { username: hop.user } : {}) };
  if (caller.sshConfig) {
    // As `ssh -J` does: each hop is looked up in ssh_config by its own name. Its own ProxyJump is
    // not followed: the chain is this one.
    // Hops after the first run inside the chain, so a ProxyCommand of theirs does not apply.
    const chained = i > 0 ? { jump: [] } : {};
    const reader = caller.sshConfigReader ? { sshConfigReader: caller.sshConfigReader } : {};
    const { applySshConfig } = await clientConfig();
    const applied = await named(hopLabel(i, o), applySshConfig({ ...o, ...chained, ...reader, sshConfig: caller.sshConfig }, logger));
    delete applied.options.jump;
    return applied.options;
  }
  o.username ??= targetUser;
  return o;
}

/** A parsed hop back in `[user@]host[:port]` form (an IPv6 address bracketed). */
function formatJumpHost(hop: JumpHop): string {
  const host = hop.host.includes(":") ? `[${hop.host}]` : hop.host;
  return `${hop.user !== undefined ? `${hop.user}@` : ""}${host}${hop.port !== undefined ? `:${hop.port}` : ""}`;
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
