import { createServer, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { webSocketToByteStream, type WebSocketLike } from "../../ssh/io/websocket.js";
import type { ByteStream } from "../../ssh/io/byte-stream.js";

/** The subprotocol `mcp-ssh relay`, websockify and our browser client use for raw binary frames. */
const BINARY_SUBPROTOCOL = "binary";

export interface WebSocketListenerOptions {
  host: string;
  port: number;
  /** Exact Origin values allowed; empty = any Origin (and none). */
  allowOrigins: string[];
  onStream(stream: ByteStream, peer: { remoteAddress: string; remotePort: number; localAddress: string; localPort: number }): void;
  log(line: string): void;
}

/**
 * SSH over WebSocket for browsers, without a relay: each WebSocket (binary frames) is handed to the
 * SSH server as a ByteStream. A page's Origin must be on the allow-list when one is given, as
 * `mcp-ssh relay --allow-origin` requires.
 */
export function listenWebSocket(o: WebSocketListenerOptions): Promise<{ port: number; close(): Promise<void> }> {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 1024 * 1024,
    perMessageDeflate: false, // ciphertext does not compress
    handleProtocols: (offered) => (offered.has(BINARY_SUBPROTOCOL) ? BINARY_SUBPROTOCOL : false),
  });
  const sockets = new Set<WebSocket>();
  const server = createServer((_req, res) => {
    res.writeHead(426, { "content-type": "text/plain; charset=utf-8", upgrade: "websocket" });
    res.end("This is an SSH server over WebSocket (subprotocol \"binary\").\n");
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const origin = req.headers.origin;
    const who = `${req.socket.remoteAddress ?? "?"} port ${req.socket.remotePort ?? 0}`;
    if (o.allowOrigins.length > 0 && (origin === undefined || !o.allowOrigins.includes(origin))) {
      o.log(`refused WebSocket from ${who}: Origin ${JSON.stringify(origin ?? "(none)")} is not allowed`);
      socket.end("HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.binaryType = "arraybuffer";
      sockets.add(ws);
      ws.once("close", () => sockets.delete(ws));
      o.onStream(webSocketToByteStream(ws as unknown as WebSocketLike), {
        remoteAddress: (req.socket.remoteAddress ?? "").replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, ""),
        remotePort: req.socket.remotePort ?? 0,
        localAddress: (req.socket.localAddress ?? "").replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, ""),
        localPort: req.socket.localPort ?? 0,
      });
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => {
      server.off("error", reject);
      const address = server.address();
      resolve({
        port: typeof address === "object" && address ? address.port : o.port,
        close: () =>
          new Promise<void>((done) => {
            for (const ws of sockets) ws.terminate();
            wss.close();
            server.close(() => done());
          }),
      });
    });
  });
}
