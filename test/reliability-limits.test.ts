// Issue 8: a peer cannot make the client hold unbounded memory: every size it controls (lines
// before its identification, name-lists, banners, channel data beyond the window, channels) has a
// limit, and crossing it is a ProtocolError (or a refusal) with the socket closed.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SSHClient, type ConnectOptions } from "../src/entries/ssh.js";
import { ChannelOpenError, ConnectionLostError, ProtocolError } from "../src/ssh/errors.js";
import { silentLogger, type Logger } from "../src/ssh/logger.js";
import { MSG } from "../src/ssh/messages.js";
import { SshWriter } from "../src/ssh/wire/writer.js";
import { MAX_NAME_LIST } from "../src/ssh/wire/reader.js";
import { PacketEncoder } from "../src/ssh/packet/packet-encoder.js";
import { decodeKexInit, encodeKexInit } from "../src/ssh/kex/kexinit.js";
import { LOCAL_MAX_PACKET, LOCAL_WINDOW } from "../src/ssh/connection/channel.js";
import { makeClientKey, startSshd, type ClientKey, type TestServer } from "./helpers/servers.js";
import { connectError, pinnedOptions } from "./helpers/connect.js";
import { expectProtocolErrorAndClose } from "./helpers/fake-server.js";
import { serverKexInit } from "./helpers/kexinit.js";
import { confirmedSession, detachedConnection } from "./helpers/connection.js";

/** 70,000 bytes of names: over the name-list limit, well under the packet limit. */
const hugeKexList = Array.from({ length: 7000 }, (_, i) => `k${String(i).padStart(8, "0")}`);

describe("limits on what a peer sends before the key exchange", () => {
  it("more than 1024 lines before the identification: ProtocolError", async () => {
    await expectProtocolErrorAndClose(Buffer.from(`${"hello from a chatty server\r\n".repeat(1100)}SSH-2.0-Late\r\n`), /too many lines before its identification/);
  });

  it("a 1 MiB line with no end before the identification: ProtocolError after 255 bytes", async () => {
    await expectProtocolErrorAndClose(Buffer.alloc(1024 * 1024, 0x61), /longer than 255 bytes/);
  });

  it("a KEXINIT name-list over the limit: ProtocolError (decoder and over the wire)", async () => {
    const payload = encodeKexInit(serverKexInit(hugeKexList));
    expect(payload.length).toBeGreaterThan(MAX_NAME_LIST);
    expect(() => decodeKexInit(payload)).toThrow(ProtocolError);
    expect(() => decodeKexInit(payload)).toThrow(/exceeds the limit of 65536/);
    const packet = new PacketEncoder().encodePayload(payload);
    await expectProtocolErrorAndClose(Buffer.concat([Buffer.from("SSH-2.0-Huge_1.0\r\n"), Buffer.from(packet)]), /exceeds the limit of 65536/);
  });
});

describe("limits against sshd", () => {
  let key: ClientKey;
  let sshd: TestServer;
  let dataDir: string;
  let bannerFile: string;
  beforeAll(async () => {
    key = await makeClientKey();
    dataDir = mkdtempSync(join(tmpdir(), "mcp-ssh-limits-"));
    bannerFile = join(dataDir, "banner");
    writeFileSync(bannerFile, "Authorized use only.\n");
    // sshd reads the Banner file anew for each connection: tests rewrite it.
    sshd = await startSshd({ authorizedKeys: [key.publicKeyLine], config: ["SetEnv SHLVL=1", `Banner ${bannerFile}`] });
  });
  afterAll(async () => {
    await sshd?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const options = (extra: Partial<ConnectOptions> = {}): ConnectOptions => pinnedOptions(sshd, key, extra);

  it("a USERAUTH_BANNER over 64 KiB: ProtocolError; one under it is shown", async () => {
    try {
      writeFileSync(bannerFile, `${"this banner is far too long. ".repeat(3500)}\n`); // ~100 KB
      const error = await connectError(options());
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as Error).message).toMatch(/exceeds the limit of 65536/);
    } finally {
      writeFileSync(bannerFile, "Authorized use only.\n");
    }
    const shown: string[] = [];
    const logger: Logger = { ...silentLogger, info: (m) => shown.push(m) };
    const client = await SSHClient.connect(options({ logger }));
    await client.close();
    expect(shown.join("\n")).toContain("Authorized use only.");
  });

  it("maxChannels: opening one more channel than allowed is refused locally with ChannelOpenError", async () => {
    const client = await SSHClient.connect(options({ maxChannels: 2 }));
    try {
      // cat holds its channel open until we send EOF.
      const a = await client.exec("cat");
      const b = await client.exec("cat");
      const error = await client.exec("true").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ChannelOpenError);
      expect((error as Error).message).toMatch(/too many open channels \(limit 2\)/);
      await a.stdin.close();
      expect((await a.exit).code).toBe(0);
      // A slot is free again.
      const c = await client.exec("echo again");
      expect(await new Response(c.stdout).text()).toBe("again\n");
      await b.stdin.close();
      expect((await b.exit).code).toBe(0);
    } finally {
      await client.close();
    }
  });
});

describe("unread channel data is bounded by the window", () => {
  it("the peer may fill the 2 MiB window while nobody reads; one byte more is a ProtocolError", async () => {
    const c = detachedConnection();
    const channel = await confirmedSession(c, 5);
    const full = new SshWriter().byte(MSG.CHANNEL_DATA).uint32(0).string(new Uint8Array(LOCAL_MAX_PACKET)).finish().slice();
    for (let sent = 0; sent < LOCAL_WINDOW; sent += LOCAL_MAX_PACKET) c.handle(full);
    expect(channel.bufferedBytes).toBe(LOCAL_WINDOW);
    const one = new SshWriter().byte(MSG.CHANNEL_DATA).uint32(0).string(new Uint8Array(1)).finish().slice();
    expect(() => c.handle(one)).toThrow(ProtocolError);
    expect(() => c.handle(one)).toThrow(/window/);
    expect(channel.bufferedBytes).toBe(LOCAL_WINDOW);
    // What the transport does with that error: the connection ends, the consumer sees why.
    c.fail(new ProtocolError("window overrun"));
    await expect(channel.exit).rejects.toBeInstanceOf(ConnectionLostError);
  });
});
