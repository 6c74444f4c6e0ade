// Issue 2: hostile or broken peers end in a ProtocolError with the socket closed, never a hang.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SSHClient } from "../src/entries/ssh.js";
import { ProtocolError } from "../src/ssh/errors.js";
import { makeClientKey, startSshd, type ClientKey, type TestServer } from "./helpers/servers.js";
import { startProxy } from "./helpers/tcp-proxy.js";
import { pinnedOptions } from "./helpers/connect.js";
import { expectProtocolErrorAndClose } from "./helpers/fake-server.js";

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
      const client = await SSHClient.connect(pinnedOptions(server, key, { port: proxy.port }));
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
