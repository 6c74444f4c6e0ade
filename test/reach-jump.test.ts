// Issue 19: ProxyJump through two hops, three private sshd instances on 127.0.0.1. Each hop may
// forward only to the next (PermitOpen), and the last server's log shows the connection arriving
// from a socket that the previous hop's sshd owns.
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SSHClient } from "../src/entries/ssh.js";
import { ChannelOpenError, HostKeyUnknownError } from "../src/ssh/errors.js";
import { parseJumpHost } from "../src/ssh/jump-spec.js";
import { makeClientKey, startSshd, waitForLog, type ClientKey, type TestServer } from "./helpers/servers.js";
import { processTree } from "./helpers/process-tree.js";
import { socketOwner } from "./helpers/socket-owner.js";
import { forwardOutError, sha256Of } from "./helpers/reach.js";

const MiB = 1024 * 1024;

describe("ProxyJump through two sshd hops", () => {
  let key: ClientKey;
  let hop1: TestServer;
  let hop2: TestServer;
  let last: TestServer;
  let knownHosts: string;
  let dir: string;
  let bigFile: string;
  let bigSha: string;

  beforeAll(async () => {
    key = await makeClientKey();
    const authorizedKeys = [key.publicKeyLine];
    // Started last to first, so that each hop's PermitOpen can name the next one's port.
    last = await startSshd({ authorizedKeys });
    hop2 = await startSshd({ authorizedKeys, config: [`PermitOpen 127.0.0.1:${last.port}`] });
    hop1 = await startSshd({ authorizedKeys, config: [`PermitOpen 127.0.0.1:${hop2.port}`] });
    knownHosts = [hop1, hop2, last].map((s) => s.knownHostsLine).join("\n");
    dir = mkdtempSync(join(tmpdir(), "mcp-ssh-jump-"));
    bigFile = join(dir, "big.bin");
    const data = randomBytes(64 * MiB);
    writeFileSync(bigFile, data);
    bigSha = createHash("sha256").update(data).digest("hex");
  });
  afterAll(async () => {
    await Promise.all([hop1?.stop(), hop2?.stop(), last?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const jumpSpecs = () => [`${hop1.username}@127.0.0.1:${hop1.port}`, `127.0.0.1:${hop2.port}`];

  it("each hop may only forward to the next one", async () => {
    const client = await SSHClient.connect({ host: "127.0.0.1", port: hop1.port, username: hop1.username, privateKey: key.privateKey, knownHosts });
    const error = await forwardOutError(client, "127.0.0.1", last.port);
    expect(error).toBeInstanceOf(ChannelOpenError);
    expect((error as Error).message).toMatch(/administratively prohibited/);
  });

  it("exec and a 64 MiB download through the chain, arriving from hop 2's forwarding", async () => {
    const before = last.log().length;
    const client = await SSHClient.connect({
      host: "127.0.0.1",
      port: last.port,
      username: last.username,
      privateKey: key.privateKey,
      knownHosts,
      jump: jumpSpecs(),
    });
    try {
      expect(client.jumpHosts).toHaveLength(2);
      expect(client.jumpHosts.map((h) => h.hostKey.fingerprint)).toEqual([hop1.hostKeyFingerprint, hop2.hostKeyFingerprint]);
      expect(client.hostKey.fingerprint).toBe(last.hostKeyFingerprint);

      const ch = await client.exec("echo through; echo $SSH_CONNECTION");
      const out = await new Response(ch.stdout).text();
      expect(out.split("\n")[0]).toBe("through");
      expect((await ch.exit).code).toBe(0);

      // The last server saw a TCP connection from 127.0.0.1 whose socket hop 2's sshd holds.
      const line = await waitForLog({ log: () => last.log().slice(before) }, /Connection from 127\.0\.0\.1 port \d+ on 127\.0\.0\.1 port/);
      const sourcePort = Number(/Connection from 127\.0\.0\.1 port (\d+)/.exec(line)![1]);
      expect(out).toContain(`127.0.0.1 ${sourcePort} 127.0.0.1 ${last.port}`);
      const owner = socketOwner(sourcePort);
      expect(owner).toBeDefined();
      expect(processTree(hop2.pid)).toContain(owner);
      // Hop 2 logged the forwarding; hop 1 forwarded to hop 2.
      await waitForLog(hop2, new RegExp(`server_request_direct_tcpip: .*target 127\\.0\\.0\\.1 port ${last.port}`));
      await waitForLog(hop1, new RegExp(`server_request_direct_tcpip: .*target 127\\.0\\.0\\.1 port ${hop2.port}`));

      const cat = await client.exec(`cat ${bigFile}`);
      const [{ sha, bytes }, exit] = await Promise.all([sha256Of(cat.stdout), cat.exit]);
      expect(bytes).toBe(64 * MiB);
      expect(sha).toBe(bigSha);
      expect(exit.code).toBe(0);
    } finally {
      await client.close();
    }
    expect(client.closed).toBe(true);
    expect(client.jumpHosts.every((h) => h.closed)).toBe(true);
  });

  it("an unknown host key on hop 2 names hop 2, and hop 1 is closed again", async () => {
    const hop1Before = hop1.log().length;
    const error = await SSHClient.connect({
      host: "127.0.0.1",
      port: last.port,
      username: last.username,
      privateKey: key.privateKey,
      knownHosts: [hop1, last].map((s) => s.knownHostsLine).join("\n"),
      jump: jumpSpecs(),
    }).then(
      async (c) => {
        await c.close();
        return new Error("connect succeeded");
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HostKeyUnknownError);
    expect((error as Error).message).toMatch(new RegExp(`^jump host 2 \\(127\\.0\\.0\\.1:${hop2.port}\\): `));
    // Hop 1's session ended: its sshd logs the disconnect.
    await waitForLog({ log: () => hop1.log().slice(hop1Before) }, /Received disconnect from 127\.0\.0\.1/, 10_000);
  });

  it("jump hops given as options objects", async () => {
    const client = await SSHClient.connect({
      host: "127.0.0.1",
      port: last.port,
      username: last.username,
      privateKey: key.privateKey,
      hostKeyFingerprints: [last.hostKeyFingerprint],
      jump: [
        { host: "127.0.0.1", port: hop1.port, hostKeyFingerprints: [hop1.hostKeyFingerprint] },
        { host: "127.0.0.1", port: hop2.port, hostKeyFingerprints: [hop2.hostKeyFingerprint] },
      ],
    });
    try {
      const ch = await client.exec("echo objects");
      expect(await new Response(ch.stdout).text()).toBe("objects\n");
    } finally {
      await client.close();
    }
  });
});

describe("ProxyJump refused by a hop", () => {
  let key: ClientKey;
  let hop1: TestServer;
  let last: TestServer;
  beforeAll(async () => {
    key = await makeClientKey();
    [hop1, last] = await Promise.all([
      startSshd({ authorizedKeys: [key.publicKeyLine], config: ["AllowTcpForwarding no"] }),
      startSshd({ authorizedKeys: [key.publicKeyLine] }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([hop1?.stop(), last?.stop()]);
  });

  it("AllowTcpForwarding no on hop 1: an error naming hop 1 and the reason", async () => {
    const error = await SSHClient.connect({
      host: "127.0.0.1",
      port: last.port,
      username: last.username,
      privateKey: key.privateKey,
      knownHosts: [hop1, last].map((s) => s.knownHostsLine).join("\n"),
      jump: [`127.0.0.1:${hop1.port}`],
    }).then(
      async (c) => {
        await c.close();
        return new Error("connect succeeded");
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ChannelOpenError);
    const message = (error as Error).message;
    expect(message).toMatch(new RegExp(`^jump host 1 \\(127\\.0\\.0\\.1:${hop1.port}\\): `));
    expect(message).toMatch(/administratively prohibited/);
    expect(message).toContain(`127.0.0.1:${last.port}`);
  });
});

describe("parseJumpHost", () => {
  it("reads [user@]host[:port] as ssh -J does", () => {
    expect(parseJumpHost("bastion")).toEqual({ host: "bastion" });
    expect(parseJumpHost("me@bastion:2222")).toEqual({ host: "bastion", user: "me", port: 2222 });
    expect(parseJumpHost("[::1]:22")).toEqual({ host: "::1", port: 22 });
    expect(parseJumpHost("::1")).toEqual({ host: "::1" });
    expect(parseJumpHost("ssh://a@b:3")).toEqual({ host: "b", user: "a", port: 3 });
    expect(() => parseJumpHost("b:0", 1)).toThrow(/jump host 2 "b:0": bad port/);
    expect(() => parseJumpHost("@b")).toThrow(/empty user/);
  });
});
