// The Node TCP adapter (src/ssh/io/node-tcp.ts) against a local server: reads land in consecutive
// slices of shared slabs, never overlap, arrive intact and in order, and a reader that stops
// pulling pauses the socket without losing or reordering bytes.
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { connectNodeTcp } from "../src/ssh/io/node-tcp.js";

const SIZE = 16 * 1024 * 1024;
let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** A server that sends SIZE pseudo-random bytes to each client and closes; resolves to its port and the bytes' hash. */
async function sender(): Promise<{ port: number; sha256: string }> {
  const data = new Uint8Array(SIZE);
  for (let i = 0, x = 12345; i < SIZE; i++) data[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  server = createServer((socket) => socket.end(data));
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return { port, sha256: createHash("sha256").update(data).digest("hex") };
}

describe("Node TCP adapter", () => {
  it("delivers every byte in order, in non-overlapping slices of shared slabs", { timeout: 60_000 }, async () => {
    const { port, sha256 } = await sender();
    const stream = await connectNodeTcp("127.0.0.1", port);
    const reader = stream.readable.getReader();
    const hash = createHash("sha256");
    let total = 0;
    let adjacent = 0;
    let prev: Uint8Array | undefined;
    const ends = new Map<ArrayBufferLike, number>();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      hash.update(value);
      total += value.length;
      // A slab is filled front to back: each read starts where the last one in it ended.
      const end = ends.get(value.buffer) ?? 0;
      expect(value.byteOffset).toBeGreaterThanOrEqual(end);
      ends.set(value.buffer, value.byteOffset + value.length);
      if (prev && prev.buffer === value.buffer && prev.byteOffset + prev.length === value.byteOffset) adjacent++;
      prev = value;
    }
    await stream.close();
    expect(total).toBe(SIZE);
    expect(hash.digest("hex")).toBe(sha256);
    expect(adjacent).toBeGreaterThan(0);
    expect(ends.size).toBeLessThan(SIZE / (64 * 1024));
  });

  it("a reader that pauses gets everything once it reads again", { timeout: 60_000 }, async () => {
    const { port, sha256 } = await sender();
    const stream = await connectNodeTcp("127.0.0.1", port);
    const reader = stream.readable.getReader();
    const hash = createHash("sha256");
    let total = 0;
    let reads = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      hash.update(value);
      total += value.length;
      // Long enough stops that the queue fills and the socket is paused, then resumed by pull.
      if (++reads % 40 === 0) await new Promise((r) => setTimeout(r, 30));
    }
    await stream.close();
    expect(total).toBe(SIZE);
    expect(hash.digest("hex")).toBe(sha256);
  });

  it("writeNow: no promise while the socket has room, one shared drain wait while it is full, bytes in order", { timeout: 60_000 }, async () => {
    let release!: () => void;
    const reading = new Promise<void>((r) => (release = r));
    const received: Buffer[] = [];
    const done = new Promise<void>((resolve) => {
      server = createServer((socket) => {
        socket.pause();
        void reading.then(() => socket.resume());
        socket.on("data", (d: Buffer) => received.push(d));
        socket.on("end", () => resolve());
      });
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const stream = await connectNodeTcp("127.0.0.1", (server!.address() as { port: number }).port);
    const writeNow = (stream as unknown as { writeNow(c: Uint8Array): Promise<void> | undefined }).writeNow;
    expect(writeNow(new Uint8Array([0, 0, 0, 0]))).toBeUndefined();
    // A peer that does not read: the kernel buffers fill, then the socket's own buffer does.
    const waits = new Set<Promise<void>>();
    const chunk = 64 * 1024;
    let sent = 1;
    for (; sent < 2000 && waits.size === 0; sent++) {
      const c = new Uint8Array(chunk);
      new DataView(c.buffer).setUint32(0, sent);
      const w = writeNow(c);
      if (w) waits.add(w);
      if (sent % 16 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    expect(waits.size).toBe(1);
    for (let i = 0; i < 20; i++, sent++) {
      const c = new Uint8Array(chunk);
      new DataView(c.buffer).setUint32(0, sent);
      waits.add(writeNow(c)!);
    }
    // Every write made while full shares the one wait (no listener per write).
    expect(waits.size).toBe(1);
    release();
    await Promise.all(waits);
    await stream.writable.close();
    await done;
    const all = Buffer.concat(received);
    expect(all.length).toBe(4 + (sent - 1) * chunk);
    for (let i = 1; i < sent; i++) expect(all.readUInt32BE(4 + (i - 1) * chunk)).toBe(i);
    await stream.close();
  });
});
