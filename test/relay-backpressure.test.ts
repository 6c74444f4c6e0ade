// Backpressure through the relay, each way: while the receiving end does not read, the relay
// stops reading from the sender, so the sender's flushed byte count stalls far below what it
// tried to send (the relay's memory stays bounded); once the receiver reads, everything arrives.
import { createHash, randomBytes } from "node:crypto";
import { createServer, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startRelay } from "../src/relay/relay-server.js";

const MiB = 1024 * 1024;
const TOTAL = 64 * MiB;
/** Kernel buffers on loopback hold a few MiB each way; a relay that did not pause would take all 64. */
const STALL_BOUND = 32 * MiB;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** Poll `read` until it stops changing for `quietPolls` polls in a row; returns the settled value. */
async function settle(read: () => number, quietPolls = 15, pollMs = 50): Promise<number> {
  let last = -1;
  let quiet = 0;
  for (let i = 0; i < 2_000 && quiet < quietPolls; i++) {
    await new Promise((r) => setTimeout(r, pollMs));
    const now = read();
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
  return last;
}

async function setup(onSocket: (socket: Socket) => void) {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on("error", () => {});
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const relay = await startRelay({
    listenHost: "127.0.0.1",
    listenPort: 0,
    targetHost: "127.0.0.1",
    targetPort: (server.address() as { port: number }).port,
  });
  cleanups.push(() => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), server.close(() => resolve()))));
  cleanups.push(() => relay.close());
  return { relay, sockets };
}

const sha256 = (parts: Uint8Array[]) => parts.reduce((h, p) => h.update(p), createHash("sha256")).digest("hex");

describe("relay backpressure", () => {
  it("target -> client: a client that does not read stalls the target, then gets every byte", { timeout: 120_000 }, async () => {
    const payload = randomBytes(TOTAL);
    let flushed = 0;
    const { relay } = await setup((socket) => {
      for (let offset = 0; offset < TOTAL; offset += MiB) {
        const chunk = payload.subarray(offset, offset + MiB);
        socket.write(chunk, () => (flushed += chunk.byteLength));
      }
    });
    const received: Buffer[] = [];
    let got = 0;
    const ws = new WebSocket(relay.url, ["binary"]);
    cleanups.push(() => ws.terminate());
    ws.on("message", (d: Buffer) => {
      received.push(d);
      got += d.byteLength;
    });
    await new Promise<void>((resolve) => ws.once("open", () => resolve()));
    ws.pause(); // stop reading from the relay
    const stalledAt = await settle(() => flushed);
    expect(stalledAt).toBeLessThan(STALL_BOUND);
    const done = new Promise<void>((resolve) => {
      const check = () => (got >= TOTAL ? resolve() : setTimeout(check, 20));
      check();
    });
    ws.resume();
    await done;
    expect(got).toBe(TOTAL);
    expect(sha256(received)).toBe(sha256([payload]));
  });

  it("client -> target: a target that does not read stalls the client, then gets every byte", { timeout: 120_000 }, async () => {
    const payload = randomBytes(TOTAL);
    const received: Buffer[] = [];
    let got = 0;
    const { relay, sockets } = await setup((socket) => {
      socket.pause(); // do not read yet
      socket.on("data", (d: Buffer) => {
        received.push(d);
        got += d.byteLength;
      });
      socket.pause();
    });
    const ws = new WebSocket(relay.url, ["binary"]);
    cleanups.push(() => ws.terminate());
    await new Promise<void>((resolve) => ws.once("open", () => resolve()));
    let flushed = 0;
    for (let offset = 0; offset < TOTAL; offset += MiB) {
      const chunk = payload.subarray(offset, offset + MiB);
      ws.send(chunk, () => (flushed += chunk.byteLength));
    }
    const stalledAt = await settle(() => flushed);
    expect(stalledAt).toBeLessThan(STALL_BOUND);
    expect(sockets.length).toBe(1);
    const done = new Promise<void>((resolve) => {
      const check = () => (got >= TOTAL ? resolve() : setTimeout(check, 20));
      check();
    });
    sockets[0]?.resume();
    await done;
    expect(got).toBe(TOTAL);
    expect(sha256(received)).toBe(sha256([payload]));
  });
});
