// The WebSocket relay against real TCP peers: a plain echo server, and OpenSSH's sshd banner.
import { createHash, randomBytes } from "node:crypto";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startRelay, type Relay, type RelayOptions } from "../src/relay/relay-server.js";
import { startSshd } from "./helpers/servers.js";

interface TcpPeer {
  server: Server;
  port: number;
  /** Every accepted socket, in order. */
  accepted: Socket[];
  /** Resolves with the nth accepted socket's close (1-based). */
  closed: Promise<void>[];
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A TCP server on 127.0.0.1 that runs `onSocket` for each connection. */
async function tcpPeer(onSocket: (socket: Socket) => void): Promise<TcpPeer> {
  const peer: TcpPeer = { server: createServer(), port: 0, accepted: [], closed: [] };
  peer.server.on("connection", (socket) => {
    peer.accepted.push(socket);
    socket.on("error", () => {});
    onSocket(socket);
  });
  await new Promise<void>((resolve) => peer.server.listen(0, "127.0.0.1", resolve));
  peer.port = (peer.server.address() as { port: number }).port;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of peer.accepted) s.destroy();
        peer.server.close(() => resolve());
      }),
  );
  return peer;
}

const echoPeer = () => tcpPeer((socket) => socket.pipe(socket));

async function relayTo(port: number, extra: Partial<RelayOptions> = {}): Promise<Relay> {
  const relay = await startRelay({ listenHost: "127.0.0.1", listenPort: 0, targetHost: "127.0.0.1", targetPort: port, ...extra });
  cleanups.push(() => relay.close());
  return relay;
}

/** Open a ws client; resolves when open, rejects with the HTTP status if the upgrade is refused. */
function openClient(url: string, opts: { origin?: string; protocols?: string[] } = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, opts.protocols ?? ["binary"], opts.origin ? { origin: opts.origin } : {});
    cleanups.push(() => ws.terminate());
    // Keep what arrives with the handshake (same read as "open") for collect().
    const early: Buffer[] = [];
    const keep = (data: Buffer) => early.push(data);
    ws.on("message", keep);
    inbox.set(ws, { early, keep });
    ws.once("open", () => resolve(ws));
    ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once("error", reject);
  });
}

const inbox = new WeakMap<WebSocket, { early: Buffer[]; keep: (data: Buffer) => void }>();

function collect(ws: WebSocket, bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const kept = inbox.get(ws);
    const parts: Buffer[] = kept ? kept.early.splice(0) : [];
    if (kept) ws.off("message", kept.keep);
    inbox.delete(ws);
    let got = parts.reduce((n, p) => n + p.byteLength, 0);
    if (got >= bytes) return resolve(Buffer.concat(parts));
    const onMessage = (data: Buffer) => {
      parts.push(data);
      got += data.byteLength;
      if (got >= bytes) {
        ws.off("message", onMessage);
        resolve(Buffer.concat(parts));
      }
    };
    ws.on("message", onMessage);
    ws.once("close", (code) => reject(new Error(`closed (code ${code}) after ${got} of ${bytes} bytes`)));
  });
}

const closeCode = (ws: WebSocket) => new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
const socketClosed = (socket: Socket) =>
  new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once("close", () => resolve())));
const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

describe("mcp-ssh relay", () => {
  it("carries bytes unchanged both ways, 16 MiB each way, in binary frames with the binary subprotocol", async () => {
    const echo = await echoPeer();
    const relay = await relayTo(echo.port);
    const ws = await openClient(relay.url);
    expect(ws.protocol).toBe("binary");
    const payload = randomBytes(16 * 1024 * 1024);
    const received = collect(ws, payload.byteLength);
    for (let offset = 0; offset < payload.byteLength; offset += 100_000) ws.send(payload.subarray(offset, offset + 100_000));
    const back = await received;
    expect(back.byteLength).toBe(payload.byteLength);
    expect(sha256(back)).toBe(sha256(payload));
  });

  it("passes an SSH server's version line through from the configured target", async () => {
    const sshd = await startSshd();
    cleanups.push(() => sshd.stop());
    const relayLog: string[] = [];
    const relay = await relayTo(sshd.port, { log: (line) => relayLog.push(line) });
    const ws = await openClient(relay.url).catch((e: Error) => {
      throw new Error(`${e.message}; relay log: ${relayLog.join(" | ")}; sshd log tail: ${sshd.log().slice(-600)}`);
    });
    const banner = (await collect(ws, 8)).toString("latin1");
    expect(banner).toMatch(/^SSH-2\.0-OpenSSH_/);
  });

  it("cannot be made to connect anywhere but its target, whatever the URL says", async () => {
    const echo = await echoPeer();
    const other = await tcpPeer((socket) => socket.end("other"));
    const relay = await relayTo(echo.port);
    const base = `ws://127.0.0.1:${relay.port}`;
    const urls = [
      `${base}/127.0.0.1:${other.port}`,
      `${base}/?target=127.0.0.1:${other.port}`,
      `${base}/websockify?host=127.0.0.1&port=${other.port}&token=x`,
      `${base}/127.0.0.1/${other.port}`,
    ];
    for (const url of urls) {
      const ws = await openClient(url);
      const back = collect(ws, 5);
      ws.send(Buffer.from("probe"));
      expect((await back).toString()).toBe("probe");
      ws.close();
    }
    expect(echo.accepted.length).toBe(urls.length);
    expect(other.accepted.length).toBe(0);
  });

  it("enforces the Origin list: others and a missing Origin get 403", async () => {
    const echo = await echoPeer();
    const relay = await relayTo(echo.port, { allowOrigins: ["http://good.example:8080"] });
    await expect(openClient(relay.url, { origin: "http://evil.example" })).rejects.toThrow("HTTP 403");
    await expect(openClient(relay.url, { origin: "http://good.example" })).rejects.toThrow("HTTP 403");
    await expect(openClient(relay.url)).rejects.toThrow("HTTP 403");
    const ws = await openClient(relay.url, { origin: "http://good.example:8080" });
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect(echo.accepted.length).toBe(1);
  });

  it("refuses connections over the limit with 503 and accepts again once one closes", async () => {
    const echo = await echoPeer();
    const relay = await relayTo(echo.port, { maxConnections: 2 });
    const first = await openClient(relay.url);
    await openClient(relay.url);
    await expect(openClient(relay.url)).rejects.toThrow("HTTP 503");
    const gone = closeCode(first);
    first.close();
    await gone;
    await socketClosed(echo.accepted[0] as Socket);
    // The relay counts the pair as gone once both sides closed; poll briefly for that.
    for (let i = 0; i < 100 && relay.activeConnections() > 1; i++) await new Promise((r) => setTimeout(r, 20));
    const third = await openClient(relay.url);
    expect(third.readyState).toBe(WebSocket.OPEN);
  });

  it("closes the TCP side when the WebSocket closes, after delivering what was sent", async () => {
    const received: Buffer[] = [];
    const peer = await tcpPeer((socket) => socket.on("data", (d: Buffer) => received.push(d)));
    const relay = await relayTo(peer.port);
    const ws = await openClient(relay.url);
    ws.send(Buffer.from("last words"));
    ws.close(1000);
    while (peer.accepted.length === 0) await new Promise((r) => setTimeout(r, 10));
    await socketClosed(peer.accepted[0] as Socket);
    expect(Buffer.concat(received).toString()).toBe("last words");
  });

  it("closes the WebSocket with 1000 when the TCP side closes, after delivering what it sent", async () => {
    const peer = await tcpPeer((socket) => socket.end("goodbye"));
    const relay = await relayTo(peer.port);
    // Listen before "open": the target's bytes may arrive in the same read as the handshake.
    const ws = new WebSocket(relay.url, ["binary"]);
    cleanups.push(() => ws.terminate());
    const messages: Buffer[] = [];
    ws.on("message", (d: Buffer) => messages.push(d));
    expect(await closeCode(ws)).toBe(1000);
    expect(Buffer.concat(messages).toString()).toBe("goodbye");
  });

  it("closes both sides when the client sends a text frame (it must send binary)", async () => {
    const echo = await echoPeer();
    const relay = await relayTo(echo.port);
    const ws = await openClient(relay.url);
    const code = closeCode(ws);
    ws.send("not bytes");
    expect(await code).toBe(1003);
    await socketClosed(echo.accepted[0] as Socket);
  });

  it("refuses other subprotocols with 400 and a dead target with 502", async () => {
    const echo = await echoPeer();
    const relay = await relayTo(echo.port);
    await expect(openClient(relay.url, { protocols: ["base64"] })).rejects.toThrow("HTTP 400");
    expect(echo.accepted.length).toBe(0);
    const dead = await tcpPeer(() => {});
    const port = dead.port;
    await new Promise<void>((resolve) => dead.server.close(() => resolve()));
    const relayToDead = await relayTo(port);
    await expect(openClient(relayToDead.url)).rejects.toThrow("HTTP 502");
  });

  it("answers a broken WebSocket handshake with 400 without connecting to the target", async () => {
    const echo = await echoPeer();
    const relay = await relayTo(echo.port);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = createConnection({ host: "127.0.0.1", port: relay.port });
      let text = "";
      socket.on("data", (d: Buffer) => (text += d.toString("latin1")));
      socket.on("close", () => resolve(text));
      socket.on("error", reject);
      socket.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 8\r\n\r\n");
    });
    expect(reply.split("\r\n")[0]).toBe("HTTP/1.1 400 Bad Request");
    expect(echo.accepted.length).toBe(0);
  });

  it("answers plain HTTP with 426 and says what it is", async () => {
    const echo = await echoPeer();
    const relay = await relayTo(echo.port);
    const res = await fetch(`http://127.0.0.1:${relay.port}/`);
    expect(res.status).toBe(426);
    expect(await res.text()).toContain(`relay to 127.0.0.1:${echo.port}`);
    expect(echo.accepted.length).toBe(0);
  });
});
