// Helpers for the reach tests (issue 19): a TCP echo server, a deterministic byte source that is
// hashed as it is produced, and a hashing reader.
import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";

export interface EchoServer {
  port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/** Echoes every connection's bytes back with pipe()'s backpressure; ends its side after the peer's EOF. */
export function startEchoServer(): Promise<EchoServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    connections++;
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    socket.pipe(socket);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0 }, () => {
      const address = server.address();
      if (address === null || typeof address === "string") return reject(new Error("no port"));
      resolve({
        port: address.port,
        get connections() {
          return connections;
        },
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Blocks of pseudo-random bytes, each different (a counter in its first 4 bytes), hashed as made. */
export class ByteSource {
  private readonly base = randomBytes(64 * 1024);
  private readonly hash = createHash("sha256");
  private index = 0;
  produced = 0;

  next(): Uint8Array {
    const block = new Uint8Array(this.base);
    new DataView(block.buffer).setUint32(0, this.index++);
    this.hash.update(block);
    this.produced += block.length;
    return block;
  }

  digest(): string {
    return this.hash.digest("hex");
  }
}

export async function sha256Of(stream: ReadableStream<Uint8Array>): Promise<{ sha: string; bytes: number }> {
  const h = createHash("sha256");
  let bytes = 0;
  for await (const chunk of stream) {
    h.update(chunk);
    bytes += chunk.length;
  }
  return { sha: h.digest("hex"), bytes };
}

/** Polls `value` until it has not changed for `quietMs`; rejects after `timeoutMs`. */
export async function untilSteady(value: () => number, quietMs: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = value();
  let since = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    const now = value();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return now;
    if (Date.now() > deadline) throw new Error(`value still changing after ${timeoutMs} ms (now ${now})`);
  }
}
