// Issue 2: hostile or broken peers end in a ProtocolError with the socket closed, never a hang.
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SSHClient } from "../src/ssh-entry.js";
import { ProtocolError } from "../src/ssh/errors.js";
import { makeClientKey, startSshd, type ClientKey, type TestServer } from "./helpers/servers.js";
import { startProxy } from "./helpers/tcp-proxy.js";

/** A fake server that sends `payload` once the client has sent its identification. */
async function fakeServer(payload: Buffer): Promise<{ port: number; closed: Promise<number>; stop(): Promise<void> }> {
  let resolveClosed!: (t: number) => void;
  const closed = new Promise<number>((r) => (resolveClosed = r));
  const sockets: Socket[] = [];
  const server: Server = createServer((s) => {
    sockets.push(s);
    s.once("data", () => s.write(payload));
    s.on("error", () => {});
    s.on("close", () => resolveClosed(Date.now()));
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

async function expectProtocolErrorAndClose(payload: Buffer, pattern: RegExp) {
  const fake = await fakeServer(payload);
  try {
    const err = await SSHClient.connect({
      host: "127.0.0.1",
      port: fake.port,
      username: "nobody",
      hostKeyFingerprints: ["SHA256:unused"],
      readyTimeoutMs: 5000,
    }).catch((e: unknown) => e);
    const failedAt = Date.now();
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toMatch(pattern);
    const closedAt = await Promise.race([fake.closed, new Promise<number>((r) => setTimeout(() => r(-1), 1000))]);
    expect(closedAt, "the client must close the socket within 1 s").toBeGreaterThan(0);
    expect(closedAt - failedAt).toBeLessThan(1000);
  } finally {
    await fake.stop();
  }
}

describe("hostile peers", () => {
  it("garbage after the version line", async () => {
    await expectProtocolErrorAndClose(Buffer.concat([Buffer.from("SSH-2.0-Fake\r\n"), Buffer.alloc(64, 0xee)]), /packet length/);
  });

  it("an oversized packet length", async () => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(300_000, 0);
    await expectProtocolErrorAndClose(Buffer.concat([Buffer.from("SSH-2.0-Fake\r\n"), head]), /exceeds the limit/);
  });

  it("a non-SSH-2 identification", async () => {
    await expectProtocolErrorAndClose(Buffer.from("SSH-1.5-Ancient\r\n"), /unsupported protocol version/);
  });

  it("an identification line over 255 bytes", async () => {
    await expectProtocolErrorAndClose(Buffer.from(`SSH-2.0-${"x".repeat(300)}\r\n`), /longer than 255/);
  });
});

describe("a corrupted packet from a real sshd", () => {
  let key: ClientKey;
  let server: TestServer;
  beforeAll(async () => {
    key = await makeClientKey();
    server = await startSshd({ authorizedKeys: [key.publicKeyLine] });
  });
  afterAll(() => server?.stop());

  it("fails the MAC check with a ProtocolError and closes the socket", async () => {
    let corrupt = false;
    const proxy = await startProxy(server.port, {
      toClient: (chunk) => {
        if (!corrupt) return chunk;
        corrupt = false;
        const out = Buffer.from(chunk);
        out[Math.min(10, out.length - 1)]! ^= 0x04;
        return out;
      },
    });
    try {
      const client = await SSHClient.connect({
        host: "127.0.0.1",
        port: proxy.port,
        username: server.username,
        privateKey: key.privateKey,
        hostKeyFingerprints: [server.hostKeyFingerprint],
      });
      corrupt = true;
      const err = await client.exec("echo never").catch((e: unknown) => e);
      const failedAt = Date.now();
      expect(err).toBeInstanceOf(Error);
      expect(client.error).toBeInstanceOf(ProtocolError);
      expect(client.error!.message).toMatch(/message authentication failed/);
      await Promise.race([proxy.clientClosed(), new Promise((_, rej) => setTimeout(() => rej(new Error("socket still open after 1 s")), 1000))]);
      expect(Date.now() - failedAt).toBeLessThan(1000);
    } finally {
      await proxy.stop();
    }
  });
});
