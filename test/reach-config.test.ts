// Issue 19: SSHClient.connect({ host: alias, sshConfig }) against real sshd instances, with
// throwaway ssh_config texts and files.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SSHClient } from "../src/entries/ssh.js";
import { ConfigurationError, HostKeyUnknownError } from "../src/ssh/errors.js";
import { makeClientKey, startSshd, type ClientKey, type TestServer } from "./helpers/servers.js";
import { startEchoServer } from "./helpers/reach.js";
import { nodeSshConfigReader } from "../src/platform/node/ssh-config-files.js";
import { mkdirSync } from "node:fs";

describe("sshConfig", () => {
  let key: ClientKey;
  let server: TestServer;
  let bastion: TestServer;
  let dir: string;
  let closedPort: number;

  beforeAll(async () => {
    key = await makeClientKey();
    [server, bastion] = await Promise.all([
      startSshd({ authorizedKeys: [key.publicKeyLine], config: ["AcceptEnv MCP_SSH_*"] }),
      startSshd({ authorizedKeys: [key.publicKeyLine] }),
    ]);
    dir = mkdtempSync(join(tmpdir(), "mcp-ssh-config-"));
    const echo = await startEchoServer();
    closedPort = echo.port;
    await echo.close();
  });
  afterAll(async () => {
    await Promise.all([server?.stop(), bastion?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** A config with the aliases the tests use; `known` is this test's known_hosts file. */
  const configText = (known: string, extra: string[] = []) =>
    [
      "Host gpu-box",
      "  HostName 127.0.0.1",
      `  Port ${server.port}`,
      `  User ${server.username}`,
      "  SetEnv MCP_SSH_FROM_CONFIG=set-env",
      "  SendEnv MCP_SSH_SENT_*",
      "Host wrong-port",
      "  HostName 127.0.0.1",
      `  Port ${closedPort}`,
      "  User nobody-here",
      "Host inner",
      "  HostName 127.0.0.1",
      `  Port ${server.port}`,
      "  ProxyJump bastion",
      "Host bastion",
      "  HostName 127.0.0.1",
      `  Port ${bastion.port}`,
      ...extra,
      "Host *",
      `  IdentityFile ${key.path}`,
      `  UserKnownHostsFile ${known}`,
      "  StrictHostKeyChecking accept-new",
      "  IdentityAgent none",
    ].join("\n") + "\n";

  const knownFile = (name: string) => join(dir, name);
  const lines = (path: string) => (existsSync(path) ? readFileSync(path, "utf8").split("\n").filter(Boolean) : []);

  it("connects by alias (HostName, Port, User, IdentityFile) and accept-new records the host key once", async () => {
    const known = knownFile("known_hosts_alias");
    const text = configText(known);
    process.env.MCP_SSH_SENT_A = "sent-env";
    try {
      for (let round = 0; round < 2; round++) {
        const client = await SSHClient.connect({ host: "gpu-box", sshConfig: { text } });
        try {
          expect(client.sshConfig?.hostName).toBe("127.0.0.1");
          expect(client.sshConfig?.port).toBe(server.port);
          expect(client.hostKey.fingerprint).toBe(server.hostKeyFingerprint);
          expect(client.configEnv).toEqual({ MCP_SSH_FROM_CONFIG: "set-env", MCP_SSH_SENT_A: "sent-env" });
          const ch = await client.exec("whoami; echo $MCP_SSH_FROM_CONFIG $MCP_SSH_SENT_A", { env: client.configEnv });
          expect(await new Response(ch.stdout).text()).toBe(`${server.username}\nset-env sent-env\n`);
        } finally {
          await client.close();
        }
        expect(lines(known)).toEqual([`[127.0.0.1]:${server.port} ${server.hostKeyLine}`]);
      }
    } finally {
      delete process.env.MCP_SSH_SENT_A;
    }
  });

  it("explicit options beat ssh_config", async () => {
    const known = knownFile("known_hosts_override");
    const client = await SSHClient.connect({
      host: "wrong-port",
      sshConfig: { text: configText(known) },
      port: server.port,
      username: server.username,
    });
    try {
      expect(client.sshConfig?.user).toBe(server.username);
      const ch = await client.exec("echo ok");
      expect(await new Response(ch.stdout).text()).toBe("ok\n");
    } finally {
      await client.close();
    }
    // Without the explicit port, the config's (closed) port is used.
    const error = await SSHClient.connect({ host: "wrong-port", sshConfig: { text: configText(known) } }).then(
      async (c) => {
        await c.close();
        return new Error("connect succeeded");
      },
      (e: unknown) => e,
    );
    expect((error as Error).message).toContain(`127.0.0.1:${closedPort}`);
  });

  it("StrictHostKeyChecking yes (or unset: ask) refuses an unknown host; explicit hostKeyPolicy wins", async () => {
    const known = knownFile("known_hosts_strict");
    const strict = configText(known).replace("StrictHostKeyChecking accept-new", "StrictHostKeyChecking yes");
    const ask = configText(known).replace("  StrictHostKeyChecking accept-new\n", "");
    for (const text of [strict, ask]) {
      const error = await SSHClient.connect({ host: "gpu-box", sshConfig: { text } }).then(
        async (c) => {
          await c.close();
          return new Error("connect succeeded");
        },
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(HostKeyUnknownError);
    }
    expect(lines(known)).toEqual([]);
    const client = await SSHClient.connect({ host: "gpu-box", sshConfig: { text: strict }, hostKeyPolicy: "accept-new" });
    await client.close();
    expect(lines(known)).toHaveLength(1);
  });

  it("ProxyJump from ssh_config, each hop resolved by its own name; { path } reads a file", async () => {
    const known = knownFile("known_hosts_jump");
    const path = join(dir, "config_jump");
    writeFileSync(path, configText(known));
    const client = await SSHClient.connect({ host: "inner", sshConfig: { path } });
    try {
      expect(client.jumpHosts).toHaveLength(1);
      expect(client.jumpHosts[0]!.hostKey.fingerprint).toBe(bastion.hostKeyFingerprint);
      const ch = await client.exec("echo $SSH_CONNECTION");
      // The target saw the connection come from 127.0.0.1 (the bastion's forwarding), not from us directly.
      expect(await new Response(ch.stdout).text()).toMatch(new RegExp(`^127\\.0\\.0\\.1 \\d+ 127\\.0\\.0\\.1 ${server.port}\\n$`));
    } finally {
      await client.close();
    }
    expect(client.jumpHosts[0]!.closed).toBe(true);
    expect(lines(known).sort()).toEqual([`[127.0.0.1]:${bastion.port} ${bastion.hostKeyLine}`, `[127.0.0.1]:${server.port} ${server.hostKeyLine}`].sort());
    // An explicit empty `jump` replaces the config's ProxyJump: a direct connection.
    const direct = await SSHClient.connect({ host: "inner", sshConfig: { path }, jump: [] });
    expect(direct.jumpHosts).toHaveLength(0);
    await direct.close();
  });

  it("algorithm keywords with OpenSSH's forms (ProxyCommand: reach-config-identities.test.ts)", async () => {
    const known = knownFile("known_hosts_algorithms");
    const withAlgorithms = (lines: string[]) => configText(known).replace("Host gpu-box\n", `Host gpu-box\n${lines.map((l) => `  ${l}\n`).join("")}`);
    const cases: Array<[string[], string]> = [
      [["KexAlgorithms curve25519-sha256@libssh.org"], "curve25519-sha256@libssh.org"],
      [["KexAlgorithms -mlkem*,sntrup*,curve25519-sha256,ecdh-*,diffie-*"], "curve25519-sha256@libssh.org"],
      [["KexAlgorithms ^curve25519-sha256@libssh.org", "Ciphers aes256-cbc,chacha20*", "MACs hmac-sha2-256-etm@openssh.com"], "curve25519-sha256@libssh.org"],
    ];
    for (const [lines, kex] of cases) {
      const client = await SSHClient.connect({ host: "gpu-box", sshConfig: { text: withAlgorithms(lines) } });
      try {
        expect(client.algorithms.kex).toBe(kex);
        expect(client.algorithms.cipher.clientToServer).toBe("chacha20-poly1305@openssh.com");
      } finally {
        await client.close();
      }
    }
    // The explicit option beats the config.
    const client = await SSHClient.connect({
      host: "gpu-box",
      sshConfig: { text: withAlgorithms(["KexAlgorithms curve25519-sha256@libssh.org"]) },
      algorithms: { kex: ["curve25519-sha256"] },
    });
    expect(client.algorithms.kex).toBe("curve25519-sha256");
    await client.close();
    const none = await SSHClient.connect({ host: "gpu-box", sshConfig: { text: withAlgorithms(["Ciphers aes256-cbc"]) } }).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(ConfigurationError);
    expect((none as Error).message).toMatch(/Ciphers aes256-cbc.*no supported algorithm/);

    // A syntax error names the line.
    const bad = await SSHClient.connect({ host: "x", sshConfig: { text: "Host x\n  Port notanumber\n" } }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ConfigurationError);
    expect((bad as Error).message).toMatch(/line 2/);
  });

  it("sshConfig: true reads ~/.ssh/config (a throwaway home) then the system's /etc/ssh/ssh_config", async () => {
    const home = join(dir, "home");
    mkdirSync(join(home, ".ssh"), { recursive: true, mode: 0o700 });
    const known = join(home, ".ssh", "known_hosts");
    // No UserKnownHostsFile: the default ~/.ssh/known_hosts of this home.
    writeFileSync(join(home, ".ssh", "config"), configText(known).replace(`  UserKnownHostsFile ${known}\n`, ""));
    const client = await SSHClient.connect({ host: "gpu-box", sshConfig: true, sshConfigReader: nodeSshConfigReader({ homeDir: home }) });
    try {
      expect(client.sshConfig?.userKnownHostsFile[0]).toBe(known);
      const ch = await client.exec("echo ok");
      expect(await new Response(ch.stdout).text()).toBe("ok\n");
    } finally {
      await client.close();
    }
    const recorded = lines(known);
    expect(recorded).toHaveLength(1);
    // Debian's /etc/ssh/ssh_config says HashKnownHosts yes: the line is hashed when the system file says so.
    const systemHashes = /^\s*HashKnownHosts\s+yes/im.test(existsSync("/etc/ssh/ssh_config") ? readFileSync("/etc/ssh/ssh_config", "utf8") : "");
    expect(client.sshConfig?.hashKnownHosts).toBe(systemHashes);
    if (systemHashes) expect(recorded[0]).toMatch(/^\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+ ssh-ed25519 /);
    else expect(recorded[0]).toBe(`[127.0.0.1]:${server.port} ${server.hostKeyLine}`);
  });
});
