// Fake SSH servers for tests of hostile or broken peers: a TCP listener on 127.0.0.1 that behaves
// as the test says, so the client meets input no real server would send.
import { createServer, type Server, type Socket } from "node:net";
import { expect } from "vitest";
import { ProtocolError } from "../../src/ssh/errors.js";
import { withDeadline } from "./bounded.js";
import { connectError, fakeServerOptions } from "./connect.js";

export interface FakeServer {
  port: number;
  /** Resolves with Date.now() when a connection's socket has closed. */
  closed: Promise<number>;
  /** Destroys the open sockets and closes the listener. */
  stop(): Promise<void>;
}

/** Pieces a payload is written in, as a real peer streams it. */
const PIECE_BYTES = 16 * 1024;

/** A TCP server that accepts and then behaves as `onConnection` says (by default: says nothing). */
export async function fakeServer(onConnection: (s: Socket) => void = () => {}): Promise<FakeServer> {
  let resolveClosed!: (at: number) => void;
  const closed = new Promise<number>((r) => (resolveClosed = r));
  const sockets: Socket[] = [];
  const server: Server = createServer((s) => {
    sockets.push(s);
    s.on("error", () => {});
    s.on("close", () => resolveClosed(Date.now()));
    s.resume(); // read (and drop) what the client sends, so its FIN is seen
    onConnection(s);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as { port: number }).port,
    closed,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A fake server that writes `payload` (in pieces) once the client has sent its identification. */
export function payloadServer(payload: Buffer): Promise<FakeServer> {
  return fakeServer((s) =>
    s.once("data", () => {
      for (let o = 0; o < payload.length && !s.destroyed; o += PIECE_BYTES) s.write(payload.subarray(o, o + PIECE_BYTES));
    }),
  );
}

/** Connecting to a server that sends `payload` fails with a ProtocolError matching `pattern`, and the client closes its socket within 1 s. */
export async function expectProtocolErrorAndClose(payload: Buffer, pattern: RegExp): Promise<void> {
  const fake = await payloadServer(payload);
  try {
    const error = await connectError(fakeServerOptions(fake.port, { readyTimeoutMs: 5000 }));
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(pattern);
    await withDeadline(fake.closed, 1000, "the client to close its socket");
  } finally {
    await fake.stop();
  }
}
