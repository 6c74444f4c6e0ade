// Helpers for the reach tests (issue 19): a TCP echo server, a deterministic byte source that is
// hashed as it is produced, and a hashing reader.
import { createHash, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";

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

/**
 * Write a small TCP pipe for ssh_config's ProxyCommand into `dir` and return its path:
 * `node PATH HOST PORT [MARKER]` connects to HOST:PORT, relays stdin/stdout, says
 * "proxy-command: connecting to HOST:PORT" on stderr and, with MARKER, appends
 * "PID HOST:PORT" to that file (so a test sees it ran, and can see it stopped).
 */
export function writeProxyPipe(dir: string): string {
  const path = join(dir, "proxy-pipe.mjs");
  writeFileSync(
    path,
    `import { connect } from "node:net";
import { appendFileSync } from "node:fs";
const [host, port, marker] = process.argv.slice(2);
process.stderr.write("proxy-command: connecting to " + host + ":" + port + "\\n");
if (marker) appendFileSync(marker, process.pid + " " + host + ":" + port + "\\n");
const s = connect(Number(port), host);
process.stdin.pipe(s);
s.pipe(process.stdout);
s.on("error", (e) => { process.stderr.write(String(e) + "\\n"); process.exit(1); });
s.on("close", () => process.exit(0));
`,
  );
  return path;
}

/**
 * What `client.forwardOut(host, port)` rejects with (an Error saying so when it succeeds instead),
 * the client closed either way: for the tests of sshd's PermitOpen on a jump host.
 */
export async function forwardOutError(
  client: { forwardOut(host: string, port: number): Promise<unknown>; close(): Promise<void> },
  host: string,
  port: number,
): Promise<unknown> {
  try {
    return await client.forwardOut(host, port).then(
      () => new Error("forwardOut succeeded"),
      (e: unknown) => e,
    );
  } finally {
    await client.close();
  }
}
