// Issue 18: hostile clients against serve. Truncation at every byte of the client's cleartext
// handshake, random bytes and oversized packet lengths before auth, 200 connections that never
// authenticate (max-startups raised above 200), and the default max-startups dropping the
// unauthenticated connections past 10 while an authenticated session goes on. Each says its numbers.
import { connect as netConnect, createServer, type Socket } from "node:net";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../src/platform/node.js";
import { SSHClient } from "../src/ssh/client.js";
import { SSHClientTransport } from "../src/mcp/index.js";
import { recordingClient, textOf } from "../fixtures/mcp/fixture-client.js";
import { makeClientKey, type ClientKey } from "./helpers/servers.js";
import { startServe, type ServeHarness } from "./helpers/serve.js";

let key: ClientKey;
beforeAll(async () => {
  key = await makeClientKey();
});

/** Open a TCP connection, optionally write bytes; resolves once connected. */
function rawConnection(port: number, bytes?: Uint8Array): Promise<{ socket: Socket; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: "127.0.0.1", port });
    let received = 0;
    socket.on("data", (d) => (received += d.length));
    socket.on("error", () => {});
    const closed = new Promise<number>((r) => socket.once("close", () => r(received)));
    socket.once("connect", () => {
      if (bytes) socket.write(bytes);
      resolve({ socket, closed });
    });
    socket.once("error", reject);
  });
}

async function mcpCall(serve: ServeHarness): Promise<string> {
  const transport = new SSHClientTransport({ host: serve.host, port: serve.port, username: "mcp", clientKeys: [key.path], knownHostsText: `${serve.knownHostsLine}\n` });
  const { client } = recordingClient();
  await client.connect(transport);
  const answer = textOf(await client.callTool({ name: "add", arguments: { a: 2, b: 40 } }));
  await client.close();
  return answer;
}

async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What our client sends before it hears from the server: its identification and KEXINIT, in the clear. */
async function clientFirstFlight(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  const recorder = createServer((s) => {
    s.on("data", (d) => chunks.push(d));
    setTimeout(() => s.destroy(), 500);
  });
  await new Promise<void>((r) => recorder.listen(0, "127.0.0.1", r));
  const port = (recorder.address() as { port: number }).port;
  await SSHClient.connect({ host: "127.0.0.1", port, username: "mcp", privateKey: key.privateKey, readyTimeoutMs: 5000 }).catch(() => {});
  recorder.close();
  return new Uint8Array(Buffer.concat(chunks));
}

describe("hostile clients before authentication", () => {
  let serve: ServeHarness;
  beforeAll(async () => {
    serve = await startServe({ authorizedKeys: [key.publicKeyLine], maxStartups: 400, maxConnections: 1000, loginGraceTimeMs: 20_000 });
  });
  afterAll(() => serve?.stop());

  it("truncation at every byte offset of the client's cleartext handshake: each connection ends, the server stays up", async () => {
    const flight = await clientFirstFlight();
    expect(flight.length).toBeGreaterThan(100);
    for (let cut = 0; cut <= flight.length; cut += 8) {
      const batch = [];
      for (let k = cut; k < Math.min(cut + 8, flight.length + 1); k++) {
        batch.push(
          rawConnection(serve.port, flight.subarray(0, k)).then(({ socket }) => {
            socket.end();
          }),
        );
      }
      await Promise.all(batch);
    }
    await until("every truncated connection to be released", () => serve.running.server.stats.connections === 0);
    console.log(`truncated handshakes: ${flight.length + 1} offsets (0..${flight.length} bytes), all released; server still answers`);
    expect(await mcpCall(serve)).toBe("42");
  });

  it("random bytes after the identification, and an oversized packet length: disconnected, logged, server up", async () => {
    const id = new TextEncoder().encode("SSH-2.0-hostile\r\n");
    const random = await rawConnection(serve.port, new Uint8Array([...id, ...randomBytes(64 * 1024)]));
    const oversized = await rawConnection(serve.port, new Uint8Array([...id, 0x7f, 0xff, 0xff, 0xff, ...randomBytes(64)]));
    const [a, b] = await Promise.all([random.closed, oversized.closed]);
    console.log(`random bytes: closed after ${a} bytes from the server; oversized length: closed after ${b} bytes`);
    expect(serve.log()).toMatch(/packet length \d+ exceeds the limit/);
    expect(await mcpCall(serve)).toBe("42");
  });

  it("200 connections that never authenticate (max-startups 400): the server stays up, serves a good client at once, RSS bounded", async () => {
    globalThis.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const id = new TextEncoder().encode("SSH-2.0-idle\r\n");
    const idle = await Promise.all(Array.from({ length: 200 }, () => rawConnection(serve.port, id)));
    await until("200 unauthenticated connections", () => serve.running.server.stats.unauthenticated >= 200);
    const rssWith = process.memoryUsage().rss;
    const started = Date.now();
    expect(await mcpCall(serve)).toBe("42");
    const goodMs = Date.now() - started;
    const perConnection = (rssWith - rssBefore) / 200;
    console.log(
      `200 idle unauthenticated connections: RSS ${(rssBefore / 2 ** 20).toFixed(1)} MiB -> ${(rssWith / 2 ** 20).toFixed(1)} MiB ` +
        `(${(perConnection / 1024).toFixed(1)} KiB each, test process incl. server); a good client's connect + initialize + call took ${goodMs} ms`,
    );
    expect(rssWith - rssBefore).toBeLessThan(200 * 1024 * 1024);
    for (const c of idle) c.socket.destroy();
    await until("idle connections released", () => serve.running.server.stats.connections === 0);
  });
});

describe("default limits", () => {
  let serve: ServeHarness;
  beforeAll(async () => {
    serve = await startServe({ authorizedKeys: [key.publicKeyLine], loginGraceTimeMs: 60_000, maxStartups: 10 });
  });
  afterAll(() => serve?.stop());

  it("past max-startups 10 (sshd's hard form) new unauthenticated connections are dropped, while an authenticated session goes on", async () => {
    const transport = new SSHClientTransport({ host: serve.host, port: serve.port, username: "mcp", clientKeys: [key.path], knownHostsText: `${serve.knownHostsLine}\n` });
    const { client } = recordingClient();
    await client.connect(transport);
    const id = new TextEncoder().encode("SSH-2.0-idle\r\n");
    const idle = [];
    for (let i = 0; i < 15; i++) idle.push(await rawConnection(serve.port, id));
    await until("10 unauthenticated", () => serve.running.server.stats.unauthenticated === 10);
    // The five past the limit are closed at once, before the server sends a byte.
    const dropped = await Promise.all(idle.slice(10).map((c) => Promise.race([c.closed, new Promise<number>((r) => setTimeout(() => r(-1), 10_000))])));
    expect(dropped).toEqual([0, 0, 0, 0, 0]);
    expect(serve.log().match(/past max-startups 10 \(10 unauthenticated\)/g)?.length).toBe(5);
    // The authenticated session is not touched.
    expect(textOf(await client.callTool({ name: "add", arguments: { a: 1, b: 2 } }))).toBe("3");
    // A new client is dropped too while the ten hold their places (as sshd does)...
    await expect(SSHClient.connect({ host: serve.host, port: serve.port, username: "mcp", privateKey: key.privateKey, knownHosts: `${serve.knownHostsLine}\n`, readyTimeoutMs: 10_000 })).rejects.toThrow();
    // ...and served once they are gone.
    for (const c of idle) c.socket.destroy();
    await until("idle connections released", () => serve.running.server.stats.unauthenticated === 0);
    expect(await mcpCall(serve)).toBe("42");
    console.log(`max-startups 10: 15 idle connections -> 10 held, 5 dropped at once (0 bytes sent); the authenticated session answered throughout`);
    await client.close();
  });

  it("the default max-startups is sshd's 10:30:100: past 10 waiting logins, new ones are dropped at random, not all", async () => {
    const early = await startServe({ authorizedKeys: [key.publicKeyLine], loginGraceTimeMs: 60_000 });
    const id = new TextEncoder().encode("SSH-2.0-idle\r\n");
    const idle = [];
    try {
      // One at a time, each counted before the next, so each drop is decided on a known count.
      for (let i = 0; i < 40; i++) {
        const before = early.running.server.stats.unauthenticated;
        const c = await rawConnection(early.port, id);
        idle.push(c);
        const outcome = await Promise.race([
          c.closed.then(() => "dropped" as const),
          until("counted", () => early.running.server.stats.unauthenticated === before + 1).then(() => "held" as const),
        ]);
        expect(outcome === "held" || before >= 10, `connection ${i + 1} dropped below start (10)`).toBe(true);
      }
      const held = early.running.server.stats.unauthenticated;
      const dropped = early.log().match(/past max-startups 10:30:100 \(\d+ unauthenticated\)/g)?.length ?? 0;
      // From 10 on each new one is refused with probability 30% rising toward 100% at 100: with 30
      // tries, all held or all dropped each has a chance under 1e-4.
      expect(held + dropped).toBe(40);
      expect(held).toBeGreaterThan(10);
      expect(dropped).toBeGreaterThan(0);
      console.log(`max-startups 10:30:100: 40 idle connections -> ${held} held, ${dropped} dropped`);
    } finally {
      for (const c of idle) c.socket.destroy();
      await early.stop();
    }
  });

  it("login grace time: a connection that does not authenticate in time is closed and logged", async () => {
    const quick = await startServe({ authorizedKeys: [key.publicKeyLine], loginGraceTimeMs: 1000 });
    try {
      const c = await rawConnection(quick.port, new TextEncoder().encode("SSH-2.0-slow\r\n"));
      const started = Date.now();
      await c.closed;
      console.log(`login grace 1 s: closed after ${Date.now() - started} ms`);
      await until("the log line", () => /Timeout before authentication for 127\.0\.0\.1/.test(quick.log()), 5000);
    } finally {
      await quick.stop();
    }
  });
});

describe("hostile clients after authentication", () => {
  it("window overrun and an oversized CHANNEL_DATA: disconnected with a protocol error; the server goes on", async () => {
    const serve = await startServe({ authorizedKeys: [key.publicKeyLine], servers: { sink: { command: "/bin/sleep", args: ["1000"], env: {} } } });
    try {
      const raw = async (size: number, count: number) => {
        const client = await SSHClient.connect({ host: serve.host, port: serve.port, username: "mcp", privateKey: key.privateKey, knownHosts: `${serve.knownHostsLine}\n` });
        const ch = (await client.subsystem("sink")) as unknown as { remoteId: number };
        // Past our Channel's flow control: CHANNEL_DATA straight to the transport, ignoring the server's window.
        const transport = (client as unknown as { transport: { send(p: Uint8Array): Promise<void> } }).transport;
        const data = new Uint8Array(size);
        const head = new Uint8Array(9);
        const view = new DataView(head.buffer);
        head[0] = 94; // CHANNEL_DATA
        view.setUint32(1, ch.remoteId);
        view.setUint32(5, size);
        const packet = new Uint8Array([...head, ...data]);
        for (let i = 0; i < count && !client.closed; i++) await transport.send(packet).catch(() => {});
        await Promise.race([client.whenClosed, new Promise((r) => setTimeout(r, 15_000))]);
        return client.closed;
      };
      expect(await raw(32 * 1024, 80)).toBe(true); // 2.5 MiB into a 2 MiB window nobody reads
      await until("the overrun log line", () => /with only \d+ of window left/.test(serve.log()), 5000);
      expect(await raw(40 * 1024, 1)).toBe(true); // larger than the 32 KiB max packet we announced
      await until("the max-packet log line", () => /Connection closed|Disconnected/.test(serve.log()), 5000);
      console.log(`window overrun and oversized channel data: both connections cut by the server; log: ${serve.lines.filter((l) => /window left|exceeds|too long|longer/.test(l)).map((l) => l.replace(/^.*?: /, "")).join(" | ")}`);
      expect(await mcpCall(serve)).toBe("42");
    } finally {
      await serve.stop();
    }
  });
});
