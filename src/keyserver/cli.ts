// `mcp-ssh keyserver ...`: serve a host key and enroll client keys into an authorized_keys file.
// src/cli/main.ts dispatches here; every log line goes to stderr.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { createLogger, type Logger } from "../ssh/logger.js";
import { createKeyServerHandler, DEFAULT_MAX_KEYS, DEFAULT_RATE_LIMIT_PER_MINUTE } from "./handler.js";
import { serveKeyServer } from "./node-server.js";
import { isLoopbackHost } from "./loopback.js";

export const KEYSERVER_USAGE = `usage: mcp-ssh keyserver --server-pub-key PATH --authorized-keys PATH
                         (--token T | --token-file F | --open-registration)
                         [--host 127.0.0.1] [--port 8000] [--forced-command CMD]
                         [--tls-cert F --tls-key F] [--rate-limit N] [--max-keys N]

Serves the SSH server's host key (GET /server_pub_key) and adds client keys (POST /register) to
the authorized_keys file, each as "restrict[,command=...] <key>".

  --server-pub-key PATH   the SSH server's host public key, e.g. /etc/ssh/ssh_host_ed25519_key.pub
  --authorized-keys PATH  the authorized_keys file sshd reads for the MCP user
  --token T               bearer token clients must send to enroll (visible in ps; prefer --token-file)
  --token-file F          read the token from a file
  --open-registration     anyone who reaches the server may enroll a key
  --forced-command CMD    enrolled keys may run only CMD (e.g. the MCP server)
  --tls-cert F --tls-key F  serve HTTPS with this PEM certificate chain and key
  --rate-limit N          requests per minute per client address (IPv6: per /64; default ${DEFAULT_RATE_LIMIT_PER_MINUTE}; 0 = off)
  --max-keys N            refuse enrollment once authorized_keys holds N keys (default ${DEFAULT_MAX_KEYS}; 0 = no cap)
  --host H --port P       where to listen (default 127.0.0.1:8000)`;

export interface KeyServerCliRuntime {
  /** Stop the server when this aborts (besides SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Where log lines go; default stderr. */
  writeLog?: (line: string) => void;
  /** Told the URL once the server listens. */
  onListening?: (url: string) => void;
}

class UsageError extends Error {}

interface Settings {
  host: string;
  port: number;
  serverPubKey: string;
  authorizedKeys: string;
  forcedCommand?: string;
  token?: string;
  openRegistration: boolean;
  tls?: { cert: string; key: string };
  rateLimit: number;
  maxKeys: number;
}

function wholeNumber(value: string | undefined, flag: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > max) throw new UsageError(`${flag} must be a whole number from 0 to ${max}, got "${value}"`);
  return Number(value);
}

async function readSettings(argv: string[], logger: Logger): Promise<Settings> {
  const { values } = parseArgs({
    args: argv[0] === "keyserver" ? argv.slice(1) : argv,
    strict: true,
    allowPositionals: false,
    options: {
      host: { type: "string" },
      port: { type: "string" },
      "server-pub-key": { type: "string" },
      "authorized-keys": { type: "string" },
      "forced-command": { type: "string" },
      token: { type: "string" },
      "token-file": { type: "string" },
      "open-registration": { type: "boolean" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      "rate-limit": { type: "string" },
      "max-keys": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) throw new UsageError("");
  if (!values["server-pub-key"]) throw new UsageError("--server-pub-key PATH is required");
  if (!values["authorized-keys"]) throw new UsageError("--authorized-keys PATH is required");
  const modes = [values.token !== undefined, values["token-file"] !== undefined, values["open-registration"] === true];
  if (modes.filter(Boolean).length !== 1) {
    throw new UsageError("give exactly one of --token, --token-file and --open-registration (enrollment needs a token unless registration is open)");
  }
  if ((values["tls-cert"] === undefined) !== (values["tls-key"] === undefined)) {
    throw new UsageError("--tls-cert and --tls-key go together");
  }
  let token = values.token;
  if (values["token-file"] !== undefined) {
    token = (await readFile(values["token-file"], "utf8")).trim();
    if (token === "") throw new UsageError(`token file ${values["token-file"]} is empty`);
  } else if (token !== undefined) {
    logger.warn("--token is visible to other users in the process list; --token-file keeps it private");
  }
  if (token !== undefined && token.length < 16) logger.warn("the enrollment token is shorter than 16 characters; use a long random one");
  return {
    host: values.host ?? "127.0.0.1",
    port: wholeNumber(values.port, "--port", 8000, 65535),
    serverPubKey: values["server-pub-key"],
    authorizedKeys: values["authorized-keys"],
    forcedCommand: values["forced-command"],
    token,
    openRegistration: values["open-registration"] === true,
    tls: values["tls-cert"] !== undefined ? { cert: values["tls-cert"], key: values["tls-key"]! } : undefined,
    rateLimit: wholeNumber(values["rate-limit"], "--rate-limit", DEFAULT_RATE_LIMIT_PER_MINUTE, 1_000_000),
    maxKeys: wholeNumber(values["max-keys"], "--max-keys", DEFAULT_MAX_KEYS, 10_000_000),
  };
}

/** Wait for SIGINT, SIGTERM or the runtime's abort signal (serve uses it too). */
export function untilStopped(signal: AbortSignal | undefined): Promise<string> {
  return new Promise((resolve) => {
    const done = (why: string) => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      signal?.removeEventListener("abort", onAbort);
      resolve(why);
    };
    const onInt = () => done("SIGINT");
    const onTerm = () => done("SIGTERM");
    const onAbort = () => done("stop requested");
    process.once("SIGINT", onInt);
    process.once("SIGTERM", onTerm);
    if (signal?.aborted) done("stop requested");
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Run the key server until SIGINT/SIGTERM; resolves with the process exit code. */
export async function runKeyServerCli(argv: string[], runtime: KeyServerCliRuntime = {}): Promise<number> {
  const write = runtime.writeLog ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const logger = createLogger("info", write);
  let settings: Settings;
  try {
    settings = await readSettings(argv, logger);
  } catch (e) {
    const message = (e as Error).message;
    if (e instanceof UsageError && message === "") {
      write(KEYSERVER_USAGE);
      return 0;
    }
    logger.error(`keyserver: ${message}`);
    write(KEYSERVER_USAGE);
    return 2;
  }
  try {
    const handler = createKeyServerHandler({
      serverPublicKeyLine: await readFile(settings.serverPubKey, "utf8"),
      authorizedKeysPath: settings.authorizedKeys,
      forcedCommand: settings.forcedCommand,
      token: settings.token,
      openRegistration: settings.openRegistration,
      rateLimitPerMinute: settings.rateLimit,
      maxKeys: settings.maxKeys,
      logger,
    });
    if (settings.openRegistration) {
      logger.warn("open registration: anyone who can reach this server can enroll a key and log in to the SSH server");
    }
    const tls = settings.tls && { cert: await readFile(settings.tls.cert, "utf8"), key: await readFile(settings.tls.key, "utf8") };
    if (!tls && !isLoopbackHost(settings.host)) {
      logger.warn(`serving plain HTTP on ${settings.host}: clients elsewhere will refuse it unless they pass --allow-http-key-server; use --tls-cert/--tls-key`);
    }
    const server = await serveKeyServer(handler, { host: settings.host, port: settings.port, tls, logger });
    logger.info(`key server listening on ${server.url}, enrolling keys into ${settings.authorizedKeys}`);
    runtime.onListening?.(server.url);
    const why = await untilStopped(runtime.signal);
    logger.info(`key server stopping (${why})`);
    await server.close();
    return 0;
  } catch (e) {
    logger.error(`keyserver: ${(e as Error).message}`);
    return 1;
  }
}
