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
});
