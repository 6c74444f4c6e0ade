import { createServer, type Socket } from "node:net";
import { socketToByteStream } from "../../ssh/io/node-tcp.js";
import type { IncomingConnection, Listener, TcpListen } from "../../ssh/io/listener.js";

/** Strip the IPv4-mapped prefix Node reports on dual-stack sockets ("::ffff:127.0.0.1"). */
function plainAddress(a: string | undefined): string {
  return (a ?? "").replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
}

/**
 * A node:net TCP listener whose connections are ByteStreams with backpressure both ways and Nagle
 * off (SSH handshakes are request/response).
 */
export const listenNodeTcp: TcpListen = (opts, onConnection) =>
  new Promise<Listener>((resolve, reject) => {
    const server = createServer({ noDelay: true, pauseOnConnect: false }, (socket: Socket) => {
      socket.setNoDelay(true);
      // An error on a socket nobody reads yet must not crash the process.
      socket.on("error", () => {});
      const c: IncomingConnection = {
        stream: socketToByteStream(socket),
        remoteAddress: plainAddress(socket.remoteAddress),
        remotePort: socket.remotePort ?? 0,
        localAddress: plainAddress(socket.localAddress),
        localPort: socket.localPort ?? 0,
      };
      onConnection(c);
    });
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      server.on("error", () => {});
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : opts.port;
      resolve({
        host: opts.host,
        port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
