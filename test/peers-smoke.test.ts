// Each new test peer works: OpenSSH 10.0's sshd (from bookworm-backports, beside the system's
// 9.2), Python asyncssh's server and the npm ssh2 server with our SSHClient; asyncssh's client and
// OpenSSH 10.0's `ssh` client against the system's OpenSSH 9.2 sshd (so the client helpers work).
// Our client speaks curve25519-sha256 / ssh-ed25519 / chacha20-poly1305 today: the peers are set
// to allow exactly those.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SSHClient } from "../src/entries/ssh.js";
import { connectTo } from "./helpers/connect.js";
import { runAsyncsshClient, startAsyncsshServer } from "./helpers/asyncssh.js";
import { runOpenssh10Client, startSshd10 } from "./helpers/openssh10.js";
import { startSsh2Server } from "./helpers/ssh2-server.js";
import { makeClientKey, startSshd, waitForLog, type ClientKey, type TestServer } from "./helpers/servers.js";

const OUR_ALGORITHMS = [
  "KexAlgorithms curve25519-sha256",
  "Ciphers chacha20-poly1305@openssh.com",
  "HostKeyAlgorithms ssh-ed25519",
];

async function exec(client: SSHClient, command: string): Promise<{ out: string; code: number | null }> {
  const channel = await client.exec(command);
  const out = await new Response(channel.stdout).text();
  const { code } = await channel.exit;
  return { out, code };
}

let key: ClientKey;
beforeAll(async () => {
  key = await makeClientKey();
});

describe("OpenSSH 10.0 sshd", () => {
  let server: TestServer;
  beforeAll(async () => {
    // ML-KEM first: OpenSSH's own client picks it, ours (curve25519-sha256 only today) cannot.
    server = await startSshd10({
      authorizedKeys: [key.publicKeyLine],
      config: ["KexAlgorithms mlkem768x25519-sha256,curve25519-sha256", ...OUR_ALGORITHMS.slice(1)],
    });
  });
  afterAll(() => server?.stop());

  it("logs in our client, runs a command, and logs the negotiated kex at DEBUG1", async () => {
    const client = await connectTo(server, key);
    expect(client.serverVersion).toMatch(/^SSH-2\.0-OpenSSH_10\.0/);
    expect(client.hostKey.fingerprint).toBe(server.hostKeyFingerprint);
    expect(await exec(client, "echo hi")).toEqual({ out: "hi\n", code: 0 });
    await client.close();
    const kexLine = await waitForLog(server, /debug1: kex: algorithm: /);
    expect(/kex: algorithm: (\S+)/.exec(kexLine)?.[1]).toBe("curve25519-sha256");
    await waitForLog(server, /Accepted publickey for \S+ from 127\.0\.0\.1/);
  });

  it("negotiates mlkem768x25519-sha256 with OpenSSH 10.0's own client, as its log shows", async () => {
    const result = await runOpenssh10Client({
      host: server.host,
      port: server.port,
      username: server.username,
      privateKeyPath: key.path,
      hostKeyLine: server.hostKeyLine,
      command: "echo pq",
    });
    expect(result).toMatchObject({ code: 0, stdout: "pq\n" });
    expect(result.stderr).toContain("debug1: kex: algorithm: mlkem768x25519-sha256");
    await waitForLog(server, /debug1: kex: algorithm: mlkem768x25519-sha256/);
  });
});

describe("asyncssh server", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startAsyncsshServer({
      authorizedKeys: [key.publicKeyLine],
      options: {
        kex_algs: ["curve25519-sha256"],
        encryption_algs: ["chacha20-poly1305@openssh.com"],
      },
    });
  });
  afterAll(() => server?.stop());

  it("logs in our client and runs commands with stdin, stdout, stderr and exit status wired", async () => {
    const client = await connectTo(server, key);
    expect(client.serverVersion).toMatch(/^SSH-2\.0-AsyncSSH_2\./);
    expect(client.hostKey.fingerprint).toBe(server.hostKeyFingerprint);
    expect(await exec(client, "echo hi")).toEqual({ out: "hi\n", code: 0 });

    const channel = await client.exec("cat; echo oops >&2; exit 3");
    const writer = channel.stdin.getWriter();
    await writer.write(new TextEncoder().encode("through cat\n"));
    await writer.close();
    const [out, err, status] = await Promise.all([
      new Response(channel.stdout).text(),
      new Response(channel.stderr).text(),
      channel.exit,
    ]);
    expect({ out, err, code: status.code }).toEqual({ out: "through cat\n", err: "oops\n", code: 3 });
    // A command still running when the connection goes is ended (with its children).
    await client.exec("sleep 30");
    await client.close();
    await waitForLog(server, /'sleep 30'\] exited with -15/);
    expect(await waitForLog(server, /Key exchange alg: /)).toMatch(/Key exchange alg: curve25519-sha256/);
  });
});

describe("ssh2 (npm) server", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startSsh2Server({
      authorizedKeys: [key.publicKeyLine],
      algorithms: {
        kex: ["curve25519-sha256"],
        cipher: ["chacha20-poly1305@openssh.com"],
        serverHostKey: ["ssh-ed25519"],
      },
    });
  });
  afterAll(() => server?.stop());

  it("logs in our client and runs commands with stdin, stdout, stderr and exit status wired", async () => {
    const client = await connectTo(server, key);
    expect(client.serverVersion).toBe("SSH-2.0-mcp-ssh-test-ssh2");
    expect(client.hostKey.fingerprint).toBe(server.hostKeyFingerprint);
    expect(await exec(client, "echo hi")).toEqual({ out: "hi\n", code: 0 });

    const channel = await client.exec("cat; echo oops >&2; exit 3");
    const writer = channel.stdin.getWriter();
    await writer.write(new TextEncoder().encode("through cat\n"));
    await writer.close();
    const [out, err, status] = await Promise.all([
      new Response(channel.stdout).text(),
      new Response(channel.stderr).text(),
      channel.exit,
    ]);
    expect({ out, err, code: status.code }).toEqual({ out: "through cat\n", err: "oops\n", code: 3 });
    // A command still running when the connection goes is ended (with its children).
    await client.exec("sleep 30");
    await client.close();
    await waitForLog(server, /session command exited: SIGTERM/);
    expect(await waitForLog(server, /KEX algorithm: /)).toMatch(/KEX algorithm: curve25519-sha256/);
    await waitForLog(server, /accepted publickey for /);
  });
});

describe("clients against OpenSSH 9.2 sshd", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startSshd({ authorizedKeys: [key.publicKeyLine] });
  });
  afterAll(() => server?.stop());

  it("OpenSSH 10.0 ssh runs a command", async () => {
    const result = await runOpenssh10Client({
      host: server.host,
      port: server.port,
      username: server.username,
      privateKeyPath: key.path,
      hostKeyLine: server.hostKeyLine,
      command: "cat; echo from-9.2",
      stdin: "piped\n",
    });
    expect(result.stderr).toMatch(/debug1: Remote protocol version 2\.0, remote software version OpenSSH_9\.2/);
    expect(result.stderr).toMatch(/OpenSSH_10\.0/);
    expect(result).toMatchObject({ code: 0, stdout: "piped\nfrom-9.2\n" });
  });

  it("asyncssh runs a command", async () => {
    const result = await runAsyncsshClient({
      host: server.host,
      port: server.port,
      username: server.username,
      privateKeyPath: key.path,
      hostKeyLine: server.hostKeyLine,
      command: "cat; echo from-9.2; exit 4",
      stdin: "piped\n",
    });
    expect(result.stderr).toMatch(/Received version SSH-2\.0-OpenSSH_9\.2/);
    expect(result).toMatchObject({ code: 4, stdout: "piped\nfrom-9.2\n" });
  });
});
