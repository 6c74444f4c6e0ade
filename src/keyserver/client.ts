// The client side of `--use-key-server`: fetch the SSH server's host key from the key server and
// enroll our public keys. Unlike the reference, it never downgrades to plain HTTP silently (only
// for a loopback host or with allowHttp, and says so), sends the token only where it may, and
// writes no temporary known_hosts file: the caller pins the returned key in memory.
import { KeyFormatError } from "../ssh/errors.js";
import { fingerprintSha256 } from "../ssh/keys/fingerprint.js";
import { formatPublicKeyLine, parsePublicKeyLine } from "../ssh/keys/public-key.js";
import { createLogger, type Logger } from "../ssh/logger.js";
import { KeyServerError } from "./errors.js";
import { fetchRequester, type HttpRequester } from "./http-requester.js";
import { isLoopbackHost, plainHttpDecision, urlHost } from "./loopback.js";

export interface EnrollOptions {
  /** The SSH server's host; the key server is looked for on the same host. */
  host: string;
  /** Port of the plain-HTTP fallback (the reference's default is 8000). */
  keyServerPort: number;
  /** Base URL of the key server (https://... or, with the same rules as the fallback, http://...). */
  keyServerUrl?: string;
  /** Bearer token for /register. */
  token?: string;
  /** PEM CA certificate to trust (instead of the system's) for HTTPS; needs node:https. */
  caPath?: string;
  /** Allow plain HTTP to a host that is not loopback, accepting that a MITM could substitute the host key. */
  allowHttp?: boolean;
  /** Public key lines ("type base64 [comment]") to enroll. */
  clientPublicKeyLines: string[];
  /** Default: warnings and errors to stderr (console.error). */
  logger?: Logger;
  /** Per request; default 10 s. */
  timeoutMs?: number;
  /** Replace the HTTP layer (runtimes or tests); caPath is then ignored. */
  requester?: HttpRequester;
}

const MAX_RESPONSE_BYTES = 64 * 1024;
const DEFAULT_TIMEOUT_MS = 10_000;

function trimBase(url: string): string {
  return url.replace(/\/+$/, "");
}

function jsonOf(body: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body);
    return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The key server's {"error": "..."} message, made safe to print (printable ASCII, bounded). */
function serverError(body: string): string {
  const e = jsonOf(body)?.error;
  return typeof e === "string" ? `: ${e.replace(/[^\x20-\x7e]/g, "?").slice(0, 200)}` : "";
}

function downgradeRefusal(host: string, httpsFailures: string[]): KeyServerError {
  return new KeyServerError(
    `could not get the host key over HTTPS (${httpsFailures.join("; ")}), and will not fall back to plain HTTP for ${host}, ` +
      `which is not a loopback address: over plain HTTP anyone on the network path could hand out a fake host key ` +
      `(and read the enrollment token), and the SSH connection could then be intercepted. ` +
      `Serve the key server over HTTPS (mcp-ssh keyserver --tls-cert/--tls-key; pass --key-server-ca for a private CA, ` +
      `--key-server-url if it is not at https://${urlHost(host)}), or, if you accept the risk, pass --allow-http-key-server.`,
  );
}

export async function enrollWithKeyServer(opts: EnrollOptions): Promise<{ hostKeyLine: string }> {
  const logger = opts.logger ?? createLogger("warn");
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const clientKeys = opts.clientPublicKeyLines.map((line, i) => {
    try {
      const key = parsePublicKeyLine(line.replace(/\r?\n$/, ""));
      // "type base64" only: the comment is not the server's business, and a server that stores the
      // line as sent (the reference's) would compare it, comment included, with the comment-less
      // key offered at login and refuse it. The key files keep their comment.
      return { line: formatPublicKeyLine(key), fingerprint: fingerprintSha256(key.blob) };
    } catch (e) {
      throw new KeyFormatError(`client public key ${i + 1} cannot be enrolled: ${(e as Error).message}`, { cause: e });
    }
  });
  const requester = opts.requester ?? (opts.caPath ? await (await import("./node-fetch.js")).nodeRequesterWithCa(opts.caPath) : fetchRequester);

  const getHostKey = async (base: string): Promise<{ ok: true; line: string } | { ok: false; why: string }> => {
    const url = `${base}/server_pub_key`;
    let res;
    try {
      res = await requester({ url, method: "GET", headers: { accept: "application/json" }, timeoutMs, maxResponseBytes: MAX_RESPONSE_BYTES });
    } catch (e) {
      return { ok: false, why: (e as Error).message };
    }
    if (res.status !== 200) return { ok: false, why: `GET ${url}: HTTP ${res.status}${serverError(res.body)}` };
    const served = jsonOf(res.body)?.server_pub_key;
    // Something else may answer on https://host (a web site that serves any path): not the key server.
    if (typeof served !== "string") return { ok: false, why: `GET ${url}: the answer has no "server_pub_key" string` };
    try {
      return { ok: true, line: formatPublicKeyLine(parsePublicKeyLine(served.replace(/\r?\n$/, ""))) };
    } catch (e) {
      throw new KeyServerError(`${url} served something that is not a usable host key: ${(e as Error).message}`, res.status, { cause: e });
    }
  };

  // Where the key server is: the given URL, else HTTPS on the host (the reference's https://host,
  // then our key-server port), else, only where allowed, plain HTTP on the key-server port.
  let base: string | undefined;
  let hostKeyLine: string | undefined;
  const failures: string[] = [];
  if (opts.keyServerUrl !== undefined) {
    const url = new URL(opts.keyServerUrl);
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      throw new KeyServerError(`key server URL must be https:// (or http:// where allowed), got ${url.protocol}`);
    }
    if (url.protocol === "http:") {
      const decision = plainHttpDecision(url.hostname, opts.allowHttp === true);
      if (!decision.allowed) throw downgradeRefusal(url.hostname, [`${opts.keyServerUrl} is plain HTTP`]);
      logger.warn(`using the key server over plain HTTP (${opts.keyServerUrl}; ${decision.reason === "loopback" ? "loopback address" : "--allow-http-key-server"})`);
    }
    base = trimBase(url.href);
    const got = await getHostKey(base);
    if (!got.ok) throw new KeyServerError(`could not get the host key from the key server: ${got.why}`);
    hostKeyLine = got.line;
  } else {
    // The order (README, "Key server"): https://HOST (the reference's), then the key-server port,
    // over HTTPS, and over plain HTTP only where allowed. On a loopback host plain HTTP is allowed
    // anyway, and a plain-HTTP key server (the reference's) would log a TLS handshake it cannot
    // parse as a 400 on every connect: there, http://HOST:PORT comes before https://HOST:PORT (a
    // plain request to an HTTPS server is dropped by its TLS layer without a log line).
    const host = urlHost(opts.host);
    const decision = plainHttpDecision(opts.host, opts.allowHttp === true);
    const http = `http://${host}:${opts.keyServerPort}`;
    const candidates = [`https://${host}`];
    const onPort = opts.keyServerPort !== 443 ? [`https://${host}:${opts.keyServerPort}`] : [];
    if (decision.allowed && decision.reason === "loopback") candidates.push(http, ...onPort);
    else candidates.push(...onPort);
    for (const candidate of candidates) {
      const got = await getHostKey(candidate);
      if (got.ok) {
        base = candidate;
        hostKeyLine = got.line;
        break;
      }
      failures.push(got.why);
      logger.debug(`key server at ${candidate}: ${got.why}`);
    }
    if (base === undefined && !candidates.includes(http)) {
      if (!decision.allowed) throw downgradeRefusal(opts.host, failures);
      const got = await getHostKey(http);
      if (!got.ok) throw new KeyServerError(`could not get the host key from the key server: ${[...failures, got.why].join("; ")}`);
      base = http;
      hostKeyLine = got.line;
    }
    if (base === undefined) throw new KeyServerError(`could not get the host key from the key server: ${failures.join("; ")}`);
    if (base === http) {
      logger.warn(
        `using the key server over plain HTTP ${http} ` +
          `(${decision.allowed && decision.reason === "loopback" ? "allowed because the host is a loopback address" : "allowed by --allow-http-key-server: a MITM could substitute the host key"})`,
      );
    }
  }
  logger.info(`host key from the key server ${base}: ${fingerprintSha256(parsePublicKeyLine(hostKeyLine!).blob)}`);

  if (opts.token !== undefined && base.startsWith("http:") && !isLoopbackHost(new URL(base).hostname)) {
    logger.warn("sending the enrollment token over plain HTTP; anyone on the network path can read it");
  }
  for (const { line, fingerprint } of clientKeys) {
    const url = `${base}/register`;
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
    if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
    const res = await requester({
      url,
      method: "POST",
      headers,
      body: JSON.stringify({ client_pub_key: line }),
      timeoutMs,
      maxResponseBytes: MAX_RESPONSE_BYTES,
    });
    if (res.status === 200) {
      logger.info(`enrolled ${fingerprint} with the key server`);
      continue;
    }
    const detail = serverError(res.body);
    if (res.status === 401) {
      throw new KeyServerError(
        `the key server refused the enrollment (HTTP 401${detail}): ${opts.token === undefined ? "it requires a token; pass --key-server-token or set MCP_SSH_KEY_SERVER_TOKEN" : "the token is wrong"}`,
        401,
      );
    }
    if (res.status === 429) throw new KeyServerError(`the key server is rate limiting us (HTTP 429${detail}); retry in a minute`, 429);
    throw new KeyServerError(`the key server refused the enrollment (HTTP ${res.status}${detail})`, res.status);
  }
  return { hostKeyLine: hostKeyLine! };
}
