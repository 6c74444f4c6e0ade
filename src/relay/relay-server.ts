import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { connect as tcpConnect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { pipeWebSocketTcp } from "./pipe.js";

export interface RelayOptions {
  /** Where the relay listens, e.g. 127.0.0.1 and 8080 (0 = any free port). */
  listenHost: string;
  listenPort: number;
  /** The one TCP endpoint every WebSocket is connected to. Clients cannot choose another. */
  targetHost: string;
  targetPort: number;
  /** Exact Origin values allowed to connect; empty = any Origin (and none). */
  allowOrigins?: string[];
  /** Concurrent WebSocket connections; more are refused with 503. Default 32. */
  maxConnections?: number;
  /** Serve these HTTP routes (the browser demo) on the same port. */
  httpHandler?: (req: IncomingMessage, res: ServerResponse) => void;
  /** With httpHandler and no allowOrigins: allow only the relay's own http:// origin. */
  allowOwnOrigin?: boolean;
  /** TCP connect to the target gives up after this long (504). Default 10 s. */
  connectTimeoutMs?: number;
  /** One line per event (never payload bytes). */
  log?: (line: string) => void;
}

export interface Relay {
  readonly host: string;
  readonly port: number;
  /** ws:// URL of the relay. */
  readonly url: string;
  /** Origins that may connect (empty = any). */
  readonly allowedOrigins: readonly string[];
  activeConnections(): number;
  /** Stop listening and cut every connection. */
  close(): Promise<void>;
}

/** The subprotocol websockify and noVNC use for raw binary frames. */
export const BINARY_SUBPROTOCOL = "binary";

/**
 * A WebSocket-to-TCP relay for exactly one target. Browsers cannot open TCP sockets, so an SSH
 * client in a page speaks through this; the SSH session stays end-to-end encrypted and
 * authenticated, the relay only forwards ciphertext. There is no way for a client to name another
 * destination: the URL path and query are ignored.
 */
export async function startRelay(options: RelayOptions): Promise<Relay> {
  const maxConnections = options.maxConnections ?? 32;
  if (!Number.isInteger(maxConnections) || maxConnections < 1) {
    throw new RangeError(`maxConnections must be a positive integer, got ${maxConnections}`);
  }
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const log = options.log ?? (() => {});
  const target = `${options.targetHost}:${options.targetPort}`;
  const pairs = new Set<{ ws?: WebSocket; tcp: Socket }>();
  let reserved = 0;
  let allowed: string[] = [...(options.allowOrigins ?? [])];

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 16 * 1024 * 1024,
    perMessageDeflate: false, // ciphertext does not compress
    handleProtocols: (offered) => (offered.has(BINARY_SUBPROTOCOL) ? BINARY_SUBPROTOCOL : false),
  });

  const server = createServer((req, res) => {
    if (options.httpHandler) return options.httpHandler(req, res);
    res.writeHead(426, { "content-type": "text/plain; charset=utf-8", upgrade: "websocket" });
    res.end(`This is a WebSocket relay to ${target}; connect with a WebSocket client (subprotocol "binary").\n`);
  });

  server.on("upgrade", (req: IncomingMessage, client: Duplex, head: Buffer) => {
    const who = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    const origin = req.headers.origin;
    if (allowed.length > 0 && (origin === undefined || !allowed.includes(origin))) {
      log(`refused ${who}: Origin ${origin ?? "(none)"} is not allowed`);
      return refuse(client, 403, "Forbidden", "this Origin is not allowed by the relay's --allow-origin list");
    }
    // RFC 6455 §4.2.1: check the handshake before touching the target, so junk opens nothing.
    const key = req.headers["sec-websocket-key"];
    if (req.headers["sec-websocket-version"] !== "13" || typeof key !== "string" || !/^[A-Za-z0-9+/]{22}==$/.test(key)) {
      log(`refused ${who}: not a WebSocket version 13 handshake`);
      return refuse(client, 400, "Bad Request", "expected a WebSocket (version 13) handshake");
    }
    const offered = parseProtocols(req.headers["sec-websocket-protocol"]);
    if (offered.length > 0 && !offered.includes(BINARY_SUBPROTOCOL)) {
      log(`refused ${who}: subprotocols [${offered.join(", ")}] offered, only "binary" is supported`);
      return refuse(client, 400, "Bad Request", 'only the "binary" WebSocket subprotocol is supported');
    }
    if (pairs.size + reserved >= maxConnections) {
      log(`refused ${who}: ${maxConnections} connections already open`);
      return refuse(client, 503, "Service Unavailable", `connection limit (${maxConnections}) reached`);
    }
    reserved++;
    // Connect to the target before accepting, so a client learns at once when it is down.
    const tcp = tcpConnect({ host: options.targetHost, port: options.targetPort, noDelay: true });
    const timer = setTimeout(() => tcp.destroy(new Error(`no answer within ${connectTimeoutMs} ms`)), connectTimeoutMs);
    const abandon = () => tcp.destroy();
    client.once("close", abandon);
    tcp.once("error", (error) => {
      clearTimeout(timer);
      client.off("close", abandon);
      reserved--;
      log(`refused ${who}: cannot reach ${target}: ${error.message}`);
      const timedOut = error.message.startsWith("no answer");
      refuse(client, timedOut ? 504 : 502, timedOut ? "Gateway Timeout" : "Bad Gateway", `cannot reach the relay target`);
    });
    tcp.once("connect", () => {
      clearTimeout(timer);
      client.off("close", abandon);
      tcp.removeAllListeners("error");
      // Errors from here on are reported by the pipe; this keeps one before it exists from crashing.
      tcp.on("error", () => {});
      reserved--;
      if (client.destroyed) {
        tcp.destroy();
        return;
      }
      const pair: { ws?: WebSocket; tcp: Socket } = { tcp };
      pairs.add(pair);
      wss.handleUpgrade(req, client, head, (ws) => {
        pair.ws = ws;
        log(`open ${who} -> ${target} (${pairs.size} open)`);
        pipeWebSocketTcp(ws, tcp, {
          onClosed(reason, bytes) {
            pairs.delete(pair);
            log(`closed ${who}: ${reason}; ${bytes.toTarget} bytes to target, ${bytes.toClient} to client`);
          },
        });
      });
      // handleUpgrade answers bad handshakes itself (400) without calling back.
      client.once("close", () => {
        if (pair.ws === undefined) {
          pairs.delete(pair);
          tcp.destroy();
        }
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: options.listenHost, port: options.listenPort }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("relay: cannot read the listening address");
  const hostInUrl = address.family === "IPv6" ? `[${address.address}]` : address.address;
  if (allowed.length === 0 && options.allowOwnOrigin) {
    allowed = [`http://${hostInUrl}:${address.port}`];
    if (address.address === "127.0.0.1" || address.address === "::1") allowed.push(`http://localhost:${address.port}`);
  }

  return {
    host: address.address,
    port: address.port,
    url: `ws://${hostInUrl}:${address.port}/`,
    allowedOrigins: allowed,
    activeConnections: () => pairs.size,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const pair of pairs) {
        pair.ws?.terminate();
        pair.tcp.destroy();
      }
      server.closeAllConnections();
      wss.close();
      await closed;
    },
  };
}

function parseProtocols(header: string | undefined): string[] {
  if (header === undefined) return [];
  return header
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
}

function refuse(client: Duplex, status: number, statusText: string, message: string): void {
  if (client.destroyed) return;
  const body = `${message}\n`;
  client.end(
    `HTTP/1.1 ${status} ${statusText}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
