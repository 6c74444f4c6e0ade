/**
 * serveMcp: an SSHServer whose sessions run MCP servers as child processes and nothing else.
 * The default server answers `shell`, `exec` of any command and `subsystem mcp` (as sshd's
 * ForceCommand would); named servers answer `subsystem NAME` and `exec NAME`; anything else is
 * refused with CHANNEL_FAILURE and a line on the channel's stderr.
 *
 * The child's stdin/stdout/stderr are the channel's data, extended data and EOF, piped with
 * backpressure both ways: a client that reads slowly leaves the channel window closed, the pipe
 * stops reading the child's stdout, and the child blocks on its full pipe. Its exit status or
 * signal goes back as exit-status / exit-signal; a closed channel or a lost connection ends it
 * (SIGTERM, then SIGKILL after a grace period).
 */
import { SSHServer, type SSHServerOptions, type ServerSessionContext } from "../../ssh/server.js";
import type { Logger } from "../../ssh/logger.js";
import { silentLogger } from "../../ssh/logger.js";
import { safePeerText } from "../../ssh/wire/peer-text.js";
import type { ChildExit, SpawnChild } from "./child.js";
import { splitCommandLine, type McpServerSpec } from "./servers-config.js";

export interface ServeMcpOptions extends Omit<SSHServerOptions, "onSession"> {
  host?: string;
  port?: number;
  /** Run for shell, exec of a command that names no server, and subsystem "mcp". */
  defaultServer?: McpServerSpec;
  /** Chosen by `subsystem NAME` or `exec NAME`. */
  servers?: ReadonlyMap<string, McpServerSpec> | Record<string, McpServerSpec>;
  /** How children are started (the Node entry passes the node:child_process adapter). */
  spawn: SpawnChild;
  /** PATH, HOME and LANG for the children (the serving process's own, by default in the Node entry). */
  baseEnv?: Record<string, string>;
  /** SIGTERM, then SIGKILL after this long. Default 5 s. */
  killGraceMs?: number;
}

export interface RunningMcpServer {
  server: SSHServer;
  host: string;
  port: number;
  /** Stop listening, disconnect clients and end their children. */
  close(): Promise<void>;
}

const DEFAULT_KILL_GRACE_MS = 5000;
/** After the child exited, how long its stdout/stderr may take to drain to the client. */
const DRAIN_AFTER_EXIT_MS = 30_000;

interface Chosen {
  name: string;
  spec: McpServerSpec;
}

export async function serveMcp(options: ServeMcpOptions): Promise<RunningMcpServer> {
  const server = createMcpServer(options);
  const where = await server.listen({ host: options.host ?? "0.0.0.0", port: options.port ?? 8022 });
  return { server, host: where.host, port: where.port, close: () => server.close() };
}

/** The SSHServer of serveMcp without listening (serve it with listen() or handleStream()). */
export function createMcpServer(options: ServeMcpOptions): SSHServer {
  const logger = options.logger ?? silentLogger;
  const named = options.servers instanceof Map ? new Map(options.servers) : new Map(Object.entries(options.servers ?? {}));
  if (!options.defaultServer && named.size === 0) throw new TypeError("serveMcp needs a default server (-- COMMAND ARGS) or at least one named server");
  const grace = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const choose = (ctx: ServerSessionContext): Chosen | string => {
    const { session, user } = ctx;
    const forced = user.grant.command;
    if (forced !== undefined) {
      // authorized_keys command="...": a server's name, or a command line of its own (as sshd runs it).
      const byName = named.get(forced);
      if (byName) return { name: forced, spec: byName };
      const words = splitCommandLine(forced);
      if (words.length === 0) return "the forced command of this key is empty";
      return { name: "forced-command", spec: { command: words[0]!, args: words.slice(1), env: {} } };
    }
    if (session.kind === "subsystem") {
      const name = session.subsystem ?? "";
      const s = named.get(name);
      if (s) return { name, spec: s };
      if (name === "mcp" && options.defaultServer) return { name: "default", spec: options.defaultServer };
      return `mcp-ssh serve: no MCP server named "${safePeerText(name)}" here (subsystems: ${subsystems(named, !!options.defaultServer)})`;
    }
    if (session.kind === "exec") {
      const s = named.get((session.command ?? "").trim());
      if (s) return { name: session.command!.trim(), spec: s };
    }
    if (options.defaultServer) return { name: "default", spec: options.defaultServer };
    return `mcp-ssh serve: no default MCP server; ask for one of: ${subsystems(named, false)} (ssh -s NAME)`;
  };
  return new SSHServer({
    ...options,
    onSession: (ctx) => {
      const chosen = choose(ctx);
      if (typeof chosen === "string") {
        ctx.logger.info(`session refused for ${safePeerText(ctx.user.username)} from ${ctx.peer.remoteAddress}: ${describeRequest(ctx)}`);
        return chosen;
      }
      runChild(ctx, chosen, options, grace);
      return true;
    },
  });
}

function subsystems(named: Map<string, McpServerSpec>, withDefault: boolean): string {
  const names = [...(withDefault ? ["mcp"] : []), ...named.keys()];
  return names.length ? names.join(", ") : "none";
}

function describeRequest(ctx: ServerSessionContext): string {
  const s = ctx.session;
  if (s.kind === "subsystem") return `subsystem "${safePeerText(s.subsystem ?? "")}"`;
  if (s.kind === "exec") return `exec "${safePeerText((s.command ?? "").slice(0, 100))}"`;
  return "shell";
}

function runChild(ctx: ServerSessionContext, chosen: Chosen, options: ServeMcpOptions, graceMs: number): void {
  const { session, peer, user } = ctx;
  const logger: Logger = ctx.logger;
  const env: Record<string, string> = {
    ...(options.baseEnv ?? {}),
    ...session.env,
    ...chosen.spec.env,
    SSH_CONNECTION: `${peer.remoteAddress} ${peer.remotePort} ${peer.localAddress} ${peer.localPort}`,
  };
  const label = `session ${session.channelId} of ${safePeerText(user.username)} from ${peer.remoteAddress} port ${peer.remotePort}`;
  const child = options.spawn({ command: chosen.spec.command, args: chosen.spec.args, env, cwd: chosen.spec.cwd });
  logger.info(`${label}: ${describeRequest(ctx)} runs server "${chosen.name}" (pid ${child.pid ?? "?"})`);

  // Client -> child stdin (client EOF closes it); child stdout -> channel data (its end is our EOF);
  // child stderr -> extended data. pipeTo waits on each write, which is the backpressure.
  const quiet = () => {};
  void session.stdin.pipeTo(child.stdin).catch(quiet);
  const out = child.stdout.pipeTo(session.stdout).catch(quiet);
  const err = child.stderr.pipeTo(session.stderr, { preventClose: true }).catch(quiet);

  let exited = false;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  void session.closed.then(() => {
    if (exited) return;
    logger.info(`${label}: channel closed; stopping server "${chosen.name}" (SIGTERM)`);
    child.kill("SIGTERM");
    killTimer = setTimeout(() => {
      if (exited) return;
      logger.warn(`${label}: server "${chosen.name}" ignored SIGTERM for ${graceMs} ms; SIGKILL`);
      child.kill("SIGKILL");
    }, graceMs);
    (killTimer as { unref?: () => void }).unref?.();
  });

  void child.exited.then(async (status: ChildExit) => {
    exited = true;
    clearTimeout(killTimer);
    if (status.spawnError) {
      await session.say(`mcp-ssh serve: cannot start server "${chosen.name}": ${status.spawnError}`);
    }
    // Whatever the child wrote before it exited still goes to the client (bounded in time: a
    // grandchild holding the pipes open must not keep the channel forever).
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.all([out, err]), new Promise((r) => (timer = setTimeout(r, DRAIN_AFTER_EXIT_MS)))]);
    clearTimeout(timer);
    const how = status.signal ? `signal ${status.signal}` : `exit status ${status.code ?? 255}`;
    logger.info(`${label}: server "${chosen.name}" ended with ${how}`);
    await session.exit({ code: status.code ?? (status.spawnError ? 127 : null), signal: status.signal });
  });
}
