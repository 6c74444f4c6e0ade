// The WebSocket ByteStream adapter (src/ssh/io/websocket.ts) against both relays: ours and
// Debian's websockify. Node 20 has no global WebSocket, so the `ws` package's class stands in,
// as it would for any runtime without one.
import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { ConnectionLostError } from "../src/ssh/errors.js";
import type { ByteStream } from "../src/ssh/io/byte-stream.js";
import { connectWebSocket, type WebSocketConstructor } from "../src/ssh/io/websocket.js";
import { startRelay } from "../src/relay/relay-server.js";
import { startSshd } from "./helpers/servers.js";
import { startWebsockify } from "./runtimes/websockify.js";

const WS = WebSocket as unknown as WebSocketConstructor;
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function tcpServer(onSocket: (socket: Socket) => void): Promise<{ port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    socket.on("error", () => {});
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), server.close(() => resolve()))));
  return { port: (server.address() as { port: number }).port, sockets };
}

type RelayKind = "mcp-ssh relay" | "websockify";

async function relayUrl(kind: RelayKind, targetPort: number): Promise<string> {
  if (kind === "mcp-ssh relay") {
    const relay = await startRelay({ listenHost: "127.0.0.1", listenPort: 0, targetHost: "127.0.0.1", targetPort });
    cleanups.push(() => relay.close());
    return relay.url;
  }
  const ws = await startWebsockify(targetPort);
  cleanups.push(() => ws.stop());
  return ws.url;
}

async function readAll(stream: ByteStream, bytes: number): Promise<Uint8Array> {
  const out = new Uint8Array(bytes);
  let got = 0;
  const reader = stream.readable.getReader();
  while (got < bytes) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended after ${got} of ${bytes} bytes`);
    out.set(value.subarray(0, bytes - got), got);
    got += value.byteLength;
  }
  reader.releaseLock();
  return out;
}

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

describe.each<RelayKind>(["mcp-ssh relay", "websockify"])("connectWebSocket through %s", (kind) => {
  it("round-trips 8 MiB through a TCP echo server, unchanged and in order", async () => {
    const echo = await tcpServer((s) => s.pipe(s));
    const stream = await connectWebSocket(await relayUrl(kind, echo.port), { WebSocket: WS });
    cleanups.push(() => stream.close());
    const payload = new Uint8Array(randomBytes(8 * 1024 * 1024));
    const back = readAll(stream, payload.byteLength);
    const writer = stream.writable.getWriter();
    for (let offset = 0; offset < payload.byteLength; offset += 32_768) await writer.write(payload.subarray(offset, offset + 32_768));
    expect(sha256(await back)).toBe(sha256(payload));
    writer.releaseLock();
  });

  it("reads an SSH server's version line", async () => {
    const sshd = await startSshd();
    cleanups.push(() => sshd.stop());
    const stream = await connectWebSocket(await relayUrl(kind, sshd.port), { WebSocket: WS });
    cleanups.push(() => stream.close());
    const banner = new TextDecoder().decode(await readAll(stream, 8));
    expect(banner).toBe("SSH-2.0-");
  });

  it("ends the readable when the target closes, and close() closes the target's socket", async () => {
    const peer = await tcpServer((s) => s.end("bye"));
    const stream = await connectWebSocket(await relayUrl(kind, peer.port), { WebSocket: WS });
    const reader = stream.readable.getReader();
    let text = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toBe("bye");
    await stream.close();

    const quiet = await tcpServer(() => {});
    const second = await connectWebSocket(await relayUrl(kind, quiet.port), { WebSocket: WS });
    while (quiet.sockets.length === 0) await new Promise((r) => setTimeout(r, 10));
    const closed = new Promise<void>((resolve) => quiet.sockets[0]?.once("close", () => resolve()));
    await second.close();
    await closed;
    expect(quiet.sockets[0]?.destroyed).toBe(true);
  });
});

describe("connectWebSocket errors", () => {
  it("rejects with ConnectionLostError naming the URL when the relay refuses the upgrade", async () => {
    const echo = await tcpServer((s) => s.pipe(s));
    const relay = await startRelay({
      listenHost: "127.0.0.1",
      listenPort: 0,
      targetHost: "127.0.0.1",
      targetPort: echo.port,
      allowOrigins: ["https://only.example"],
    });
    cleanups.push(() => relay.close());
    const attempt = connectWebSocket(relay.url, { WebSocket: WS });
    await expect(attempt).rejects.toBeInstanceOf(ConnectionLostError);
    await expect(attempt).rejects.toThrow(relay.url);
    expect(echo.sockets.length).toBe(0);
  });

  it("says what to do when the runtime has no WebSocket class", async () => {
    const saved = (globalThis as { WebSocket?: unknown }).WebSocket;
    delete (globalThis as { WebSocket?: unknown }).WebSocket;
    try {
      await expect(connectWebSocket("ws://127.0.0.1:1/")).rejects.toThrow(/pass opts.WebSocket/);
    } finally {
      if (saved !== undefined) (globalThis as { WebSocket?: unknown }).WebSocket = saved;
    }
  });
});

describe("connectWebSocket backpressure", () => {
  it("writes wait while the far end does not read, then all complete", { timeout: 120_000 }, async () => {
    const MiB = 1024 * 1024;
    const total = 64 * MiB;
    let got = 0;
    const hash = createHash("sha256");
    const peer = await tcpServer((socket) => {
      socket.on("data", (d: Buffer) => {
        got += d.byteLength;
        hash.update(d);
      });
      socket.pause();
    });
    const stream = await connectWebSocket(await relayUrl("mcp-ssh relay", peer.port), { WebSocket: WS });
    cleanups.push(() => stream.close());
    const payload = new Uint8Array(randomBytes(total));
    const writer = stream.writable.getWriter();
    let written = 0;
    const writing = (async () => {
      for (let offset = 0; offset < total; offset += MiB) {
        await writer.write(payload.subarray(offset, offset + MiB));
        written += MiB;
      }
    })();
    // Wait until the writer stops making progress (it must, long before 64 MiB).
    let last = -1;
    for (let quiet = 0, i = 0; quiet < 15 && i < 2_000; i++) {
      await new Promise((r) => setTimeout(r, 50));
      quiet = written === last ? quiet + 1 : 0;
      last = written;
    }
    expect(written).toBeLessThan(32 * MiB);
    while (peer.sockets.length === 0) await new Promise((r) => setTimeout(r, 10));
    peer.sockets[0]?.resume();
    await writing;
    while (got < total) await new Promise((r) => setTimeout(r, 20));
    expect(got).toBe(total);
    expect(hash.digest("hex")).toBe(sha256(payload));
  });
});
