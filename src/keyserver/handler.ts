// The key server as one Fetch-API function, `(Request) => Promise<Response>`, so Node (through
// node-server.ts), Deno.serve and Bun.serve can all serve it. Endpoints and JSON shapes are those
// of the Python reference (m2m-mcp-server-ssh-server): GET /server_pub_key, POST /register,
// GET /health; errors are {"error": "..."}.
import { sha256 } from "@noble/hashes/sha2.js";
import { KeyFormatError } from "../ssh/errors.js";
import { fingerprintSha256 } from "../ssh/keys/fingerprint.js";
import { formatPublicKeyLine, parsePublicKeyLine } from "../ssh/keys/public-key.js";
import { silentLogger, type Logger } from "../ssh/logger.js";
import { equalBytes, utf8 } from "../ssh/wire/bytes.js";
import { authorizedKeysFileStore, type AuthorizedKeysStore } from "./authorized-keys-file.js";
import { BodyTooLargeError, KeyServerError } from "./errors.js";
import { errorResponse, isJsonContentType, jsonResponse, readCapped } from "./http-body.js";
import { authorizedKeysEntry, parseClientKeyLine, quoteForcedCommand } from "./key-line.js";
import { RateLimiter, rateLimitBucket } from "./rate-limit.js";

export const DEFAULT_RATE_LIMIT_PER_MINUTE = 30;
export const DEFAULT_MAX_KEYS = 1000;
/** A public key line is at most a few hundred bytes; this leaves room for JSON and a comment. */
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024;

export interface KeyServerHandlerOptions {
  /** The SSH server's host public key line, e.g. the contents of /etc/ssh/ssh_host_ed25519_key.pub. */
  serverPublicKeyLine: string;
  /** The authorized_keys file that enrolled keys are added to (or give `store`). */
  authorizedKeysPath?: string;
  store?: AuthorizedKeysStore;
  /** Written as `command="..."` on every enrolled key, so the key can run only this. */
  forcedCommand?: string;
  /** Bearer token that /register requires. */
  token?: string;
  /** Let anyone who can reach the server enroll a key (no token). */
  openRegistration?: boolean;
  /**
   * Most keys the authorized_keys file may hold before enrollment is refused (HTTP 507); 0 = no
   * cap. Default 1000: with open registration, anyone who reaches the server could otherwise grow
   * the file that sshd reads on every login without bound.
   */
  maxKeys?: number;
  /** Requests per minute per client address; 0 = off. Default 30. /health is not counted. */
  rateLimitPerMinute?: number;
  /** Largest request body accepted; default 8 KiB. */
  maxBodyBytes?: number;
  logger?: Logger;
  /** Clock for the rate limiter (tests). */
  now?: () => number;
}

/** What the serving runtime knows about the connection; the address comes from the socket. */
export interface KeyServerRequestInfo {
  clientAddress?: string;
}

export type KeyServerHandler = (request: Request, info?: KeyServerRequestInfo) => Promise<Response>;

const ROUTES: Record<string, string[]> = {
  "/server_pub_key": ["GET", "HEAD"],
  "/register": ["POST"],
  "/health": ["GET", "HEAD"],
};

function checkOptions(opts: KeyServerHandlerOptions): void {
  if ((opts.store === undefined) === (opts.authorizedKeysPath === undefined)) {
    throw new KeyServerError("give exactly one of authorizedKeysPath and store");
  }
  if (opts.token !== undefined && opts.openRegistration) {
    throw new KeyServerError("give either a token or openRegistration, not both");
  }
  if (opts.token === undefined && !opts.openRegistration) {
    throw new KeyServerError(
      "enrollment needs a token (token / --token / --token-file); to let anyone who reaches the server enroll a key, pass openRegistration (--open-registration) explicitly",
    );
  }
  if (opts.token !== undefined && opts.token.length === 0) throw new KeyServerError("the token is empty");
  if (opts.forcedCommand !== undefined) quoteForcedCommand(opts.forcedCommand);
  const max = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(max) || max < 256) throw new KeyServerError(`maxBodyBytes must be an integer >= 256, got ${max}`);
  const keys = opts.maxKeys ?? DEFAULT_MAX_KEYS;
  if (!Number.isInteger(keys) || keys < 0) throw new KeyServerError(`maxKeys must be a whole number (0 = no cap), got ${keys}`);
}

/** Parse and re-serialize the host key, so only a valid key line (without its comment) is served. */
function hostKeyLine(text: string): string {
  const line = text.split("\n").find((l) => l.trim() !== "" && !l.trim().startsWith("#"));
  if (line === undefined) throw new KeyServerError("the server public key is empty");
  try {
    return formatPublicKeyLine(parsePublicKeyLine(line));
  } catch (e) {
    throw new KeyServerError(`the server public key is not usable: ${(e as Error).message}`, undefined, { cause: e });
  }
}

/** Constant-time token check: compare digests, so neither content nor length leaks through timing. */
function tokenMatcher(token: string | undefined): (header: string | null) => boolean {
  if (token === undefined) return () => true;
  const expected = sha256(utf8(token));
  return (header) => {
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? "");
    const given = sha256(utf8(m?.[1] ?? ""));
    return equalBytes(given, expected) && m !== null;
  };
}

export function createKeyServerHandler(opts: KeyServerHandlerOptions): KeyServerHandler {
  checkOptions(opts);
  const served = hostKeyLine(opts.serverPublicKeyLine);
  const store = opts.store ?? authorizedKeysFileStore(opts.authorizedKeysPath!);
  const logger = opts.logger ?? silentLogger;
  const limiter = new RateLimiter(opts.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE, opts.now);
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxKeys = opts.maxKeys ?? DEFAULT_MAX_KEYS;
  const tokenOk = tokenMatcher(opts.token);

  async function register(request: Request, client: string): Promise<Response> {
    // Authenticate before touching the body: unauthenticated bytes are never parsed.
    if (!tokenOk(request.headers.get("authorization"))) {
      logger.warn(`register from ${client}: missing or wrong token`);
      return errorResponse(401, "missing or wrong bearer token", { "www-authenticate": "Bearer" });
    }
    if (!isJsonContentType(request.headers.get("content-type"))) {
      return errorResponse(415, "Content-Type must be application/json");
    }
    const declared = Number(request.headers.get("content-length") ?? "0");
    if (declared > maxBody) return errorResponse(413, `request body is over ${maxBody} bytes`);
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(await readCapped(request.body, maxBody));
    } catch (e) {
      if (e instanceof BodyTooLargeError) return errorResponse(413, `request body is over ${maxBody} bytes`);
      return errorResponse(400, "request body is not valid UTF-8 or could not be read");
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return errorResponse(400, "request body is not valid JSON");
    }
    const field = typeof body === "object" && body !== null ? (body as Record<string, unknown>).client_pub_key : undefined;
    if (field === undefined) return errorResponse(400, 'missing field "client_pub_key"');
    if (typeof field !== "string") return errorResponse(400, '"client_pub_key" must be a string');
    let entry: string;
    let parsed: ReturnType<typeof parseClientKeyLine>;
    try {
      parsed = parseClientKeyLine(field);
      entry = authorizedKeysEntry(parsed, opts.forcedCommand);
    } catch (e) {
      if (!(e instanceof KeyFormatError)) throw e;
      logger.warn(`register from ${client}: rejected key: ${e.message}`);
      return errorResponse(400, `invalid client_pub_key: ${e.message}`);
    }
    const fingerprint = fingerprintSha256(parsed.key.blob);
    let outcome: "added" | "duplicate" | "full";
    try {
      outcome = await store.addKey(parsed.key, entry, maxKeys);
    } catch (e) {
      logger.error(`register from ${client}: could not write authorized_keys: ${(e as Error).message}`);
      return errorResponse(500, "could not store the key");
    }
    if (outcome === "full") {
      logger.warn(`register from ${client}: ${parsed.key.type} ${fingerprint} refused: authorized_keys holds the maximum of ${maxKeys} keys`);
      return errorResponse(507, `the key server holds its maximum of ${maxKeys} keys; ask its administrator to remove unused ones or raise the limit`);
    }
    logger.info(`register from ${client}: ${parsed.key.type} ${fingerprint} ${outcome === "added" ? "enrolled" : "already enrolled"}`);
    return jsonResponse(200, { status: "success" });
  }

  return async (request, info) => {
    const client = info?.clientAddress ?? "unknown";
    try {
      const path = new URL(request.url).pathname;
      const methods = ROUTES[path];
      if (methods === undefined) return errorResponse(404, "not found");
      const bucket = rateLimitBucket(client);
      if (path !== "/health" && !limiter.allow(bucket)) {
        logger.warn(`rate limit: ${bucket === client ? client : `${client} (${bucket})`} is over ${opts.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE} requests per minute`);
        return errorResponse(429, "too many requests; retry later", { "retry-after": "60" });
      }
      if (!methods.includes(request.method)) {
        return errorResponse(405, `method ${request.method} not allowed`, { allow: methods.join(", ") });
      }
      if (path === "/health") return jsonResponse(200, { status: "healthy" });
      if (path === "/server_pub_key") return jsonResponse(200, { server_pub_key: served });
      return await register(request, client);
    } catch (e) {
      logger.error(`request from ${client} failed: ${(e as Error).message}`);
      return errorResponse(500, "internal error");
    }
  };
}
