// Issue 4 end to end: our key handling logs in to OpenSSH's sshd with keys from ssh-keygen (with
// and without passphrases), keys we generate, only an ssh-agent, and trust-on-first-use known_hosts.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SSHClient, type ConnectOptions } from "../src/entries/ssh.js";
import { AuthenticationError, HostKeyMismatchError, KeyDecryptionError } from "../src/ssh/errors.js";
import { writeKeyPair } from "../src/platform/node/key-files.js";
import { listAgentSigners } from "../src/platform/node/agent-socket.js";
import { makeClientKey, startSshd, waitForLog, type ClientKey, type TestServer } from "./helpers/servers.js";
import { connectTo } from "./helpers/connect.js";
import { mustRun, startAgent, tempDir, tool, typeAndBase64, type TestAgent } from "./keys-support.js";

async function run(client: SSHClient, command: string): Promise<string> {
  const ch = await client.exec(command);
  const out = await new Response(ch.stdout).text();
  await ch.exit;
  return out;
}

describe("login to sshd with our key handling", () => {
  let plain: ClientKey;
  let a16: ClientKey;
  let a64: ClientKey;
  let ours: { path: string; publicKeyLine: string; fingerprint: string };
  let agentKey: ClientKey;
  let agent: TestAgent;
  let server: TestServer;

  beforeAll(async () => {
    [plain, a16, a64, agentKey] = await Promise.all([
      makeClientKey({ comment: "plain" }),
      makeClientKey({ passphrase: "sixteen rounds", rounds: 16, comment: "a16" }),
      makeClientKey({ passphrase: "sixty-four rounds", rounds: 64, comment: "a64" }),
      makeClientKey({ comment: "in-agent" }),
    ]);
    ours = await writeKeyPair(join(tempDir(), "ours", "id_ed25519"), { comment: "ours", passphrase: "our pass" });
    agent = await startAgent();
    await mustRun("ssh-add", [agentKey.path], { env: { ...process.env, SSH_AUTH_SOCK: agent.socket } });
    server = await startSshd({
      authorizedKeys: [plain, a16, a64, agentKey].map((k) => k.publicKeyLine).concat(ours.publicKeyLine),
    });
  });
  afterAll(async () => {
    await server?.stop();
    await agent?.stop();
  });

  // No key by default: each test says which keys (or agent) it logs in with.
  const connect = (extra: Partial<ConnectOptions>) => connectTo(server, null, extra);

  /** Connect, run a command, and check in sshd's log (this login's lines only) which key it accepted. */
  async function expectLoginWith(fingerprint: string, login: () => Promise<SSHClient>): Promise<void> {
    const from = server.log().length;
    const client = await login();
    try {
      expect(await run(client, "echo in")).toBe("in\n");
    } finally {
      await client.close();
    }
    const accepted = new RegExp(`Accepted publickey for \\S+ from 127\\.0\\.0\\.1 .*ED25519 (\\S+)`);
    const line = await waitForLog({ log: () => server.log().slice(from) }, accepted);
    expect(accepted.exec(line)![1]).toBe(fingerprint);
  }

  it("an unencrypted ssh-keygen key", async () => {
    await expectLoginWith(plain.fingerprint, () => connect({ privateKey: plain.privateKey }));
  });

  it("passphrase-protected ssh-keygen keys, -a 16 and -a 64, as text and by path", async () => {
    await expectLoginWith(a16.fingerprint, () => connect({ privateKey: a16.privateKey, passphrase: "sixteen rounds" }));
    await expectLoginWith(a64.fingerprint, () => connect({ privateKeyPath: a64.path, passphrase: "sixty-four rounds" }));
  });

  it("a wrong or missing passphrase fails cleanly, before any connection", async () => {
    const before = server.log().length;
    await expect(connect({ privateKey: a16.privateKey, passphrase: "wrong" })).rejects.toThrow(KeyDecryptionError);
    await expect(connect({ privateKey: a16.privateKey })).rejects.toThrow(/passphrase is needed/);
    expect(server.log().slice(before)).not.toMatch(/Connection from 127\.0\.0\.1/);
  });

  it("a key we generated (encrypted, written by writeKeyPair)", async () => {
    expect(statSync(ours.path).mode & 0o777).toBe(0o600);
    await expectLoginWith(ours.fingerprint, () => connect({ privateKeyPath: ours.path, passphrase: "our pass" }));
  });

  it("only the agent, as signers and through the `agent` option", async () => {
    await expectLoginWith(agentKey.fingerprint, async () => connect({ signers: await listAgentSigners(agent.socket) }));
    await expectLoginWith(agentKey.fingerprint, () => connect({ agent: agent.socket }));
  });

  it("explicit keys are tried before agent keys (OpenSSH's order), agent keys after a refused one", async () => {
    await expectLoginWith(plain.fingerprint, () => connect({ privateKey: plain.privateKey, agent: agent.socket }));
    const stranger = await makeClientKey({ comment: "stranger" });
    await expectLoginWith(agentKey.fingerprint, () => connect({ privateKey: stranger.privateKey, agent: agent.socket }));
  });

  it("a key the server does not know is an AuthenticationError", async () => {
    const stranger = await makeClientKey({ comment: "stranger" });
    await expect(connect({ privateKey: stranger.privateKey })).rejects.toThrow(AuthenticationError);
  });
});

describe("accept-new known_hosts end to end", () => {
  let key: ClientKey;
  let first: TestServer;
  let second: TestServer;
  beforeAll(async () => {
    key = await makeClientKey();
    [first, second] = await Promise.all([startSshd({ authorizedKeys: [key.publicKeyLine] }), startSshd({ authorizedKeys: [key.publicKeyLine] })]);
  });
  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
  });

  it("records the host on first use (found by ssh-keygen -F), trusts it next time, refuses a changed key", async () => {
    const file = join(tempDir(), "dot-ssh", "known_hosts");
    const opts = (server: TestServer) => ({
      host: server.host,
      port: server.port,
      username: server.username,
      privateKey: key.privateKey,
      knownHostsPath: file,
      hostKeyPolicy: "accept-new" as const,
    });
    const client = await SSHClient.connect(opts(first));
    expect(await run(client, "echo first")).toBe("first\n");
    await client.close();
    const found = await tool("ssh-keygen", ["-F", `[127.0.0.1]:${first.port}`, "-f", file]);
    expect(found.code).toBe(0);
    expect(found.stdout).toContain(typeAndBase64(first.hostKeyLine).split(" ")[1]);
    const recorded = readFileSync(file, "utf8");

    const again = await SSHClient.connect(opts(first));
    await again.close();
    expect(readFileSync(file, "utf8")).toBe(recorded);

    // The same host:port now presents another key: pretend `second` was first's address.
    writeFileSync(file, recorded.replace(`[127.0.0.1]:${first.port}`, `[127.0.0.1]:${second.port}`));
    await expect(SSHClient.connect(opts(second))).rejects.toThrow(HostKeyMismatchError);
  });
});
