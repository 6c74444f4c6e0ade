// Issue 19: client.forwardOut (direct-tcpip, RFC 4254 §7.2) against a real sshd, to a TCP echo
// server on 127.0.0.1 behind it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SSHClient } from "../src/entries/ssh.js";
import { ChannelOpenError } from "../src/ssh/errors.js";
import { LOCAL_MAX_PACKET, LOCAL_WINDOW } from "../src/ssh/connection/channel.js";
import { makeClientKey, startSshd, waitForLog, type ClientKey, type TestServer } from "./helpers/servers.js";
import { connectTo } from "./helpers/connect.js";
import { ByteSource, sha256Of, startEchoServer, untilSteady, type EchoServer } from "./helpers/reach.js";

const MiB = 1024 * 1024;

describe("forwardOut through sshd", () => {
  let key: ClientKey;
  let server: TestServer;
  let echo: EchoServer;
  let client: SSHClient;
  beforeAll(async () => {
    key = await makeClientKey();
    [server, echo] = await Promise.all([startSshd({ authorizedKeys: [key.publicKeyLine] }), startEchoServer()]);
    client = await connectTo(server, key);
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    await echo?.close();
  });

  it("echoes 64 MiB intact, with our EOF as a half-close", async () => {
    const stream = await client.forwardOut("127.0.0.1", echo.port);
    expect(stream.target).toBe(`127.0.0.1:${echo.port}`);
    const source = new ByteSource();
    const writing = (async () => {
      const writer = stream.writable.getWriter();
      while (source.produced < 64 * MiB) await writer.write(source.next());
      // EOF only: the echo server ends its side after it, which ends our readable.
      await writer.close();
    })();
    const [{ sha, bytes }] = await Promise.all([sha256Of(stream.readable), writing]);
    expect(bytes).toBe(64 * MiB);
    expect(sha).toBe(source.digest());
    await stream.close();
    // sshd logged the forwarding it did for us.
    await waitForLog(server, new RegExp(`server_request_direct_tcpip: originator 127\\.0\\.0\\.1 port 65535, target 127\\.0\\.0\\.1 port ${echo.port}`));
  });

  it("backpressure: while the reader pauses, buffering stays within the window and the writer waits", async () => {
    const stream = await client.forwardOut("127.0.0.1", echo.port);
    const source = new ByteSource();
    let stop = false;
    let written = 0;
    const writing = (async () => {
      const writer = stream.writable.getWriter();
      while (!stop) {
        if (source.produced >= 1024 * MiB) throw new Error("1 GiB went out while nobody read: no backpressure");
        const block = source.next();
        await writer.write(block);
        written += block.length;
      }
      await writer.close();
    })();
    // Nobody reads: the writer must come to a halt (every buffer on the way full), not run on.
    const stalledAt = await untilSteady(() => written, 1500, 120_000);
    const buffered = stream.bufferedBytes;
    expect(buffered).toBeGreaterThan(0);
    expect(buffered).toBeLessThanOrEqual(LOCAL_WINDOW + LOCAL_MAX_PACKET);
    expect(stalledAt).toBeLessThan(1024 * MiB);
    // Resume: everything written so far, and the block in flight, arrives intact.
    stop = true;
    const [{ sha, bytes }] = await Promise.all([sha256Of(stream.readable), writing]);
    expect(bytes).toBe(source.produced);
    expect(sha).toBe(source.digest());
    await stream.close();
  });

  it("the originator given is what sshd is told", async () => {
    const stream = await client.forwardOut("127.0.0.1", echo.port, { originator: { host: "10.1.2.3", port: 4242 } });
    const writer = stream.writable.getWriter();
    await writer.write(new TextEncoder().encode("ping"));
    await writer.close();
    expect(await new Response(stream.readable).text()).toBe("ping");
    await stream.close();
    await waitForLog(server, new RegExp(`originator 10\\.1\\.2\\.3 port 4242, target 127\\.0\\.0\\.1 port ${echo.port}`));
  });

  it("a port nobody listens on is a ChannelOpenError with 'connect failed'", async () => {
    const closed = await startEchoServer();
    const port = closed.port;
    await closed.close();
    const error = await client.forwardOut("127.0.0.1", port).then(
      () => new Error("forwardOut succeeded"),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ChannelOpenError);
    expect((error as ChannelOpenError).reasonCode).toBe(2);
    expect((error as Error).message).toMatch(/connect failed/);
    // The connection goes on.
    const ch = await client.exec("echo still here");
    expect(await new Response(ch.stdout).text()).toBe("still here\n");
  });
});

describe("forwardOut refused by sshd", () => {
  let server: TestServer;
  let client: SSHClient;
  let echo: EchoServer;
  beforeAll(async () => {
    const key = await makeClientKey();
    [server, echo] = await Promise.all([
      startSshd({ authorizedKeys: [key.publicKeyLine], config: ["AllowTcpForwarding no"] }),
      startEchoServer(),
    ]);
    client = await connectTo(server, key);
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    await echo?.close();
  });

  it("AllowTcpForwarding no: ChannelOpenError 'administratively prohibited'", async () => {
    const error = await client.forwardOut("127.0.0.1", echo.port).then(
      () => new Error("forwardOut succeeded"),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ChannelOpenError);
    expect((error as ChannelOpenError).reasonCode).toBe(1);
    expect((error as Error).message).toMatch(/administratively prohibited/);
    expect((error as Error).message).toContain(`127.0.0.1:${echo.port}`);
    expect(echo.connections).toBe(0);
  });
});
