// Serve a Fetch-API key server handler on node:http or node:https. The request body reaches the
// handler as a Web stream that pulls from the socket only on demand (backpressure) and errors at
// the first byte past the cap, so no body is ever buffered whole; a request whose body was not
// read to the end gets `Connection: close`, so the rest of it is never read either.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { silentLogger, type Logger } from "../ssh/logger.js";
import { BodyTooLargeError } from "./errors.js";
import { DEFAULT_MAX_BODY_BYTES, type KeyServerHandler } from "./handler.js";
import { errorResponse } from "./http-body.js";
import { urlHost } from "./loopback.js";

export interface ServeKeyServerOptions {
  /** Default 127.0.0.1: reachable from this machine only unless asked otherwise. */
  host?: string;
  /** Default 8000; 0 picks a free port. */
  port?: number;
  /** PEM certificate chain and private key; given, the server speaks HTTPS only. */
  tls?: { cert: string; key: string };
  /** Cap on any request body, enforced while streaming; default 8 KiB. */
  maxBodyBytes?: number;
  logger?: Logger;
}

export interface RunningKeyServer {
  /** e.g. "http://127.0.0.1:8000" (IPv6 hosts in brackets). */
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

/** "::ffff:127.0.0.1" (an IPv4 client on a dual-stack socket) is 127.0.0.1 for rate limiting. */
export function normalizeAddress(address: string | undefined): string {
  if (address === undefined) return "unknown";
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}

function bodyStream(req: IncomingMessage, limit: number): ReadableStream<Uint8Array> {
  let total = 0;
  let finished = false;
  const stop = () => {
    finished = true;
    req.pause();
    req.removeAllListeners("data");
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        req.on("data", (chunk: Buffer) => {
          if (finished) return;
          total += chunk.length;
          if (total > limit) {
            stop();
            controller.error(new BodyTooLargeError(limit));
            return;
          }
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
          if ((controller.desiredSize ?? 0) <= 0) req.pause();
        });
        req.once("end", () => {
          if (finished) return;
          finished = true;
          controller.close();
        });
        req.once("error", (e) => {
          if (finished) return;
          finished = true;
          controller.error(e);
        });
        req.pause();
      },
      pull() {
        if (!finished) req.resume();
      },
      cancel() {
        stop();
      },
    },
    { highWaterMark: 1 },
  );
}

function toRequest(req: IncomingMessage, limit: number): Request {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  // A fixed origin: the Host header is the client's to choose and is not used for anything.
  const url = new URL(req.url ?? "/", "http://keyserver.invalid");
  return new Request(`http://keyserver.invalid${url.pathname}${url.search}`, {
    method,
    headers,
    body: hasBody ? bodyStream(req, limit) : null,
    // Node's fetch requires this for a streamed request body.
    duplex: "half",
  } as RequestInit);
}

async function send(res: ServerResponse, response: Response, keepAlive: boolean): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  if (!keepAlive) headers.connection = "close";
  const body = new Uint8Array(await response.arrayBuffer());
  headers["content-length"] = String(body.length);
  res.writeHead(response.status, headers);
  res.end(body);
}

export async function serveKeyServer(handler: KeyServerHandler, opts: ServeKeyServerOptions = {}): Promise<RunningKeyServer> {
  const host = opts.host ?? "127.0.0.1";
  const limit = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const logger = opts.logger ?? silentLogger;

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const clientAddress = normalizeAddress(req.socket.remoteAddress);
    const declared = Number(req.headers["content-length"] ?? "0");
    // Inside the chain, so a request the Fetch API refuses to model (a bad header) is a 500, not a crash.
    Promise.resolve()
      .then(() =>
        declared > limit
          ? errorResponse(413, `request body is over ${limit} bytes`)
          : handler(toRequest(req, limit), { clientAddress }),
      )
      .catch((e: unknown) => {
        logger.error(`handler failed for ${clientAddress}: ${(e as Error).message}`);
        return errorResponse(500, "internal error");
      })
      .then((response) => send(res, response, req.complete))
      .catch((e: unknown) => {
        logger.debug(`could not answer ${clientAddress}: ${(e as Error).message}`);
        res.destroy();
      });
  };

  const server: Server = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, listener) : createHttpServer(listener);
  // Slow clients must not hold connections open: whole request in 30 s, headers in 10 s.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port: opts.port ?? 8000 }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (e) => logger.error(`key server: ${e.message}`));
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `${opts.tls ? "https" : "http"}://${urlHost(host)}:${port}`,
    host,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
