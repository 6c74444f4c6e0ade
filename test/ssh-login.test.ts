// Issue 2: the transport and public-key login against real OpenSSH sshd and Dropbear.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SSHClient } from "../src/entries/ssh.js";
import {
  AuthenticationError,
  HostKeyMismatchError,
  HostKeyUnknownError,
  NegotiationError,
} from "../src/ssh/errors.js";
import { makeClientKey, startDropbear, startSshd, type ClientKey, type TestServer } from "./helpers/servers.js";
import { connectTo, pinnedOptions } from "./helpers/connect.js";

const FORCED = {
  kex: ["curve25519-sha256"],
  cipher: ["chacha20-poly1305@openssh.com"],
  hostKey: ["ssh-ed25519"],
};

async function run(client: SSHClient, command: string): Promise<string> {
  const ch = await client.exec(command);
  const out = await new Response(ch.stdout).text();
  await ch.exit;
  return out;
}

describe("login to OpenSSH sshd", () => {
  let key: ClientKey;
  let server: TestServer;
  beforeAll(async () => {
    key = await makeClientKey();
    server = await startSshd({
      authorizedKeys: [key.publicKeyLine],
      config: ["KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org", "Ciphers chacha20-poly1305@openssh.com", "HostKeyAlgorithms ssh-ed25519"],
    });
  });
  afterAll(() => server?.stop());

  it("negotiates curve25519-sha256, chacha20-poly1305 and strict kex, and runs a command", async () => {
    const client = await connectTo(server, key, { algorithms: FORCED });
    expect(client.serverVersion).toMatch(/^SSH-2\.0-OpenSSH_9/);
    expect(client.hostKey.fingerprint).toBe(server.hostKeyFingerprint);
    expect(await run(client, "echo logged-in")).toBe("logged-in\n");
    await client.close();
    const log = server.log();
    expect(log).toContain("kex: algorithm: curve25519-sha256");
    expect(log).toContain("kex: client->server cipher: chacha20-poly1305@openssh.com");
    expect(log).toContain("kex: server->client cipher: chacha20-poly1305@openssh.com");
    // sshd resets its sequence numbers at NEWKEYS only when strict kex is on (OpenSSH PROTOCOL).
    expect(log).toMatch(/resetting send seqnr/);
    expect(log).toMatch(/resetting read seqnr/);
    expect(log).toMatch(/Accepted publickey for \S+ from 127\.0\.0\.1/);
  });

  it("accepts the libssh.org alias of curve25519-sha256", async () => {
    const client = await SSHClient.connect(pinnedOptions(server, key, { algorithms: { kex: ["curve25519-sha256@libssh.org"] } }));
    expect(await run(client, "echo ok")).toBe("ok\n");
    await client.close();
  });

  it("refuses a mismatching known_hosts key before sending any userauth request", async () => {
    const other = await makeClientKey();
    const wrongLine = `[127.0.0.1]:${server.port} ${other.publicKeyLine.split(" ").slice(0, 2).join(" ")}`;
    const before = server.log().length;
    const err = await connectTo(server, key, { knownHosts: wrongLine }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostKeyMismatchError);
    expect((err as HostKeyMismatchError).fingerprint).toBe(server.hostKeyFingerprint);
    expect((err as Error).message).toContain(server.hostKeyFingerprint);
    await new Promise((r) => setTimeout(r, 200));
    const log = server.log().slice(before);
    expect(log).toContain("KEXINIT");
    expect(log).not.toMatch(/userauth-request/);
  });

  it("refuses an unknown host and says which line to add", async () => {
    const err = await connectTo(server, key, { knownHosts: "" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostKeyUnknownError);
    expect((err as Error).message).toContain(server.hostKeyFingerprint);
    expect((err as HostKeyUnknownError).knownHostsLine).toContain(server.hostKeyLine.split(" ")[1]);
  });

  it("reports a key the server does not accept as AuthenticationError naming publickey", async () => {
    const stranger = await makeClientKey();
    const err = await connectTo(server, stranger).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as AuthenticationError).allowedMethods).toContain("publickey");
    expect((err as Error).message).toContain("publickey");
    expect((err as Error).message).toContain(stranger.fingerprint);
  });
});

describe("negotiation failure", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startSshd({ config: ["Ciphers aes256-ctr"] });
  });
  afterAll(() => server?.stop());

  it("names our cipher list and the server's", async () => {
    const err = await SSHClient.connect({
      host: server.host,
      port: server.port,
      username: server.username,
      hostKeyFingerprints: [server.hostKeyFingerprint],
      // The server offers only aes256-ctr, which we implement now: offer a list without it.
      algorithms: { cipher: ["chacha20-poly1305@openssh.com"] },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NegotiationError);
    const n = err as NegotiationError;
    expect(n.category).toBe("cipher");
    expect(n.ours).toEqual(["chacha20-poly1305@openssh.com"]);
    expect(n.theirs).toEqual(["aes256-ctr"]);
    expect(n.message).toContain("aes256-ctr");
    expect(n.message).toContain("chacha20-poly1305@openssh.com");
  });
});

describe("login to Dropbear", () => {
  let key: ClientKey;
  let server: TestServer;
  beforeAll(async () => {
    key = await makeClientKey();
    server = await startDropbear({ authorizedKeys: [key.publicKeyLine] });
  });
  afterAll(() => server?.stop());

  it("logs in with the forced algorithms and runs a command", async () => {
    const client = await connectTo(server, key, { algorithms: FORCED });
    expect(client.serverVersion).toMatch(/^SSH-2\.0-dropbear/);
    expect(await run(client, "echo dropbear-ok")).toBe("dropbear-ok\n");
    await client.close();
  });

  it("reports a key Dropbear does not accept as AuthenticationError", async () => {
    const stranger = await makeClientKey();
    const err = await connectTo(server, stranger).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as AuthenticationError).allowedMethods).toContain("publickey");
  });
});
