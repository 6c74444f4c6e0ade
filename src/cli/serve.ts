// `mcp-ssh serve`: MCP servers over SSH with one command (issue 18). src/cli/main.ts dispatches here;
// every log line goes to stderr, sshd style.
import { untilStopped } from "../keyserver/cli.js";
import { readFile, stat } from "node:fs/promises";
import { createLogger, type Logger } from "../ssh/logger.js";
import { expandHome } from "../platform/node/home.js";
import { ensureKeyFile, checkKeyFilePermissions } from "../platform/node/key-files.js";
import { parsePrivateKey } from "../ssh/keys/openssh-private-key.js";
import { formatPublicKeyLine } from "../ssh/keys/public-key.js";
import { fingerprintSha256 } from "../ssh/keys/fingerprint.js";
import { parseAuthorizedKeys } from "../ssh/keys/authorized-keys.js";
import type { Signer } from "../ssh/keys/signature.js";
import { parseServeArgs, ServeUsageError, SERVE_USAGE, type ServeSettings } from "./serve-args.js";
import { parseServerFlag, parseServersConfig, type McpServerSpec } from "../mcp/server/servers-config.js";
import { serveMcp } from "../entries/server.js";

export interface ServeCliRuntime {
  /** Stop the server when this aborts (besides SIGINT/SIGTERM). */
  signal?: AbortSignal;
  writeLog?: (line: string) => void;
  /** Told where the servers listen once they do. */
  onListening?: (info: { port: number; keyServerUrl?: string; websocketPort?: number }) => void;
}

class StartError extends Error {}

async function loadHostKeys(settings: ServeSettings, logger: Logger): Promise<Signer[]> {
  const signers: Signer[] = [];
  for (const raw of settings.hostKeys) {
    const path = expandHome(raw);
    if (settings.defaultHostKey) {
      const made = await ensureKeyFile(path, { comment: "mcp-ssh host key", logger });
      if (made.created) logger.info(`created host key ${path} (${made.fingerprint}); clients will see this fingerprint`);
    }
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (e) {
      throw new StartError(`cannot read host key ${path}: ${(e as Error).message}`);
    }
    await checkKeyFilePermissions(path, logger);
    try {
      signers.push(await parsePrivateKey(text));
    } catch (e) {
      throw new StartError(`host key ${path}: ${(e as Error).message} (host keys must be unencrypted OpenSSH private keys, e.g. from mcp-ssh keygen)`);
    }
  }
  for (const s of signers) logger.info(`host key: ${s.type} ${fingerprintSha256(s.publicBlob)}`);
  return signers;
}

async function loadServers(settings: ServeSettings): Promise<{ defaultServer?: McpServerSpec; servers: Map<string, McpServerSpec> }> {
  const servers = new Map<string, McpServerSpec>();
  let defaultServer: McpServerSpec | undefined;
  if (settings.serversConfig) {
    const path = expandHome(settings.serversConfig);
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (e) {
      throw new StartError(`cannot read --servers-config ${path}: ${(e as Error).message}`);
    }
    const set = parseServersConfig(text, path);
    for (const [name, spec] of set.named) servers.set(name, spec);
    defaultServer = set.default;
  }
  for (const flag of settings.servers) {
    const [name, spec] = parseServerFlag(flag);
    servers.set(name, spec);
  }
  if (settings.command.length > 0) defaultServer = { command: settings.command[0]!, args: settings.command.slice(1), env: {} };
  return { defaultServer, servers };
}

async function checkAuthorizedKeys(path: string, logger: Logger): Promise<void> {
  try {
    const text = await readFile(path, "utf8");
    const { keys, errors } = parseAuthorizedKeys(text);
    for (const e of errors) logger.warn(`${path} line ${e.line}: ${e.message} (line skipped)`);
    logger.info(`authorized keys: ${path} (${keys.length} key${keys.length === 1 ? "" : "s"} now; read again on every login)`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new StartError(`cannot read --authorized-keys ${path}: ${(e as Error).message}`);
    logger.warn(`${path} does not exist yet: no one can log in until keys are added there`);
  }
}

/** Run `serve` until SIGINT/SIGTERM; resolves with the exit code (2 usage, 1 start failure). */
export async function runServeCli(argv: string[], runtime: ServeCliRuntime = {}): Promise<number> {
  const write = runtime.writeLog ?? ((line: string) => void process.stderr.write(`${line}\n`));
  let settings: ServeSettings | "help";
  try {
    settings = parseServeArgs(argv);
  } catch (e) {
    if (!(e instanceof ServeUsageError)) throw e;
    write(`mcp-ssh serve: ${e.message} (see mcp-ssh serve --help)`);
    return 2;
  }
  if (settings === "help") {
    write(SERVE_USAGE);
    return 0;
  }
  const logger = createLogger(settings.logLevel, write);
  const closers: Array<() => Promise<void>> = [];
  try {
    const hostKeys = await loadHostKeys(settings, logger);
    const { defaultServer, servers } = await loadServers(settings);
    const authorizedKeys = expandHome(settings.authorizedKeys);
    await checkAuthorizedKeys(authorizedKeys, logger);
    if (settings.trustedUserCaKeys) {
      await stat(expandHome(settings.trustedUserCaKeys)).catch((e: Error) => {
        throw new StartError(`cannot read --trusted-user-ca-keys: ${e.message}`);
      });
    }
    const running = await serveMcp({
      host: settings.host,
      port: settings.port,
      hostKeys,
      username: settings.username,
      authorizedKeysFiles: [authorizedKeys],
      ...(settings.trustedUserCaKeys ? { trustedUserCaKeysFiles: [expandHome(settings.trustedUserCaKeys)] } : {}),
      defaultServer,
      servers,
      acceptEnv: settings.acceptEnv,
      maxStartups: settings.maxStartups,
      loginGraceTimeMs: settings.loginGraceTimeMs,
      maxAuthTries: settings.maxAuthTries,
      maxSessions: settings.maxSessions,
      maxConnections: settings.maxConnections,
      logger,
    });
    closers.push(() => running.close());
    const names = [...(defaultServer ? [`default: ${[defaultServer.command, ...defaultServer.args].join(" ")}`] : []), ...[...servers.keys()].map((n) => `"${n}"`)];
    logger.info(`serving MCP over SSH on ${running.host} port ${running.port} for user ${settings.username}; servers: ${names.join(", ")}`);
    let websocketPort: number | undefined;
    if (settings.websocketPort !== undefined) {
      const { listenWebSocket } = await import("../platform/node/websocket-listener.js");
      const { isLoopbackHost } = await import("../keyserver/loopback.js");
      if (settings.allowOrigins.length === 0 && !isLoopbackHost(settings.host)) {
        logger.warn("WebSocket listener beyond loopback with no --allow-origin: any web page can make its visitors' browsers connect");
      }
      const ws = await listenWebSocket({
        host: settings.host,
        port: settings.websocketPort,
        allowOrigins: settings.allowOrigins,
        onStream: (stream, peer) => running.server.handleStream(stream, peer),
        log: (line) => logger.info(line),
      });
      closers.push(() => ws.close());
      websocketPort = ws.port;
      logger.info(`SSH over WebSocket on ws://${settings.host}:${ws.port}${settings.allowOrigins.length ? ` (origins: ${settings.allowOrigins.join(", ")})` : ""}`);
    }
    let keyServerUrl: string | undefined;
    if (settings.keyServer) {
      keyServerUrl = await startKeyServer(settings, hostKeys[0]!, authorizedKeys, logger, closers);
    }
    runtime.onListening?.({ port: running.port, keyServerUrl, websocketPort });
    const why = await untilStopped(runtime.signal);
    logger.info(`stopping (${why})`);
    return 0;
  } catch (e) {
    logger.error(`serve: ${(e as Error).message}`);
    return 1;
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {});
  }
}

async function startKeyServer(settings: ServeSettings, hostKey: Signer, authorizedKeysPath: string, logger: Logger, closers: Array<() => Promise<void>>): Promise<string> {
  const ks = settings.keyServer!;
  const { createKeyServerHandler } = await import("../keyserver/handler.js");
  const { serveKeyServer } = await import("../keyserver/node-server.js");
  const { isLoopbackHost } = await import("../keyserver/loopback.js");
  let token = ks.token;
  if (ks.tokenFile !== undefined) {
    token = (await readFile(expandHome(ks.tokenFile), "utf8")).trim();
    if (token === "") throw new StartError(`token file ${ks.tokenFile} is empty`);
  } else if (token !== undefined) {
    logger.warn("--token is visible to other users in the process list; --token-file keeps it private");
  }
  if (token !== undefined && token.length < 16) logger.warn("the enrollment token is shorter than 16 characters; use a long random one");
  if (ks.openRegistration) logger.warn("open registration: anyone who can reach the key server can enroll a key and log in");
  const handler = createKeyServerHandler({
    serverPublicKeyLine: formatPublicKeyLine({ type: hostKey.type, blob: hostKey.publicBlob }),
    authorizedKeysPath,
    forcedCommand: ks.forcedCommand,
    token,
    openRegistration: ks.openRegistration,
    rateLimitPerMinute: ks.rateLimit,
    maxKeys: ks.maxKeys,
    logger,
  });
  const tls = ks.tls && { cert: await readFile(expandHome(ks.tls.cert), "utf8"), key: await readFile(expandHome(ks.tls.key), "utf8") };
  if (!tls && !isLoopbackHost(settings.host)) {
    logger.warn(`key server on plain HTTP at ${settings.host}: clients elsewhere refuse it unless they pass --allow-http-key-server; use --tls-cert/--tls-key`);
  }
  const server = await serveKeyServer(handler, { host: settings.host, port: ks.port, tls, logger });
  closers.push(() => server.close());
  logger.info(`key server listening on ${server.url}, enrolling keys into ${authorizedKeysPath}`);
  return server.url;
}
