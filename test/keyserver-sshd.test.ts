// The lines the key server writes are what OpenSSH's sshd accepts: an enrolled key logs in with
// the system `ssh` client, a key that was not enrolled does not, and with a forced command sshd
// runs exactly that command (quotes and backslashes as sshd's authorized_keys parser reads them).
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createKeyServerHandler, serveKeyServer } from "../src/keyserver/index.js";
import { makeClientKey, startSshd, type ClientKey, type TestServer } from "./helpers/servers.js";
import { requireProgram } from "./helpers/tools.js";

const TOKEN = "sshd-test-token-0123456789abcdef";
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function ssh(server: TestServer, key: ClientKey, knownHosts: string, command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = [
    "-F", "/dev/null",
    "-i", key.path,
    "-p", String(server.port),
    "-o", "BatchMode=yes",
    "-o", "IdentitiesOnly=yes",
    "-o", "IdentityAgent=none",
    "-o", "StrictHostKeyChecking=yes",
    "-o", `UserKnownHostsFile=${knownHosts}`,
    "-o", "ConnectTimeout=10",
    `${server.username}@${server.host}`,
    command,
  ];
  return new Promise((resolve) => {
    execFile(requireProgram("ssh"), args, { encoding: "utf8", timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

async function setup(forcedCommand?: string) {
  const dir = await mkdtemp(join(tmpdir(), "mcp-ssh-keyserver-sshd-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, "enrolled_keys");
  const sshd = await startSshd({ config: [`AuthorizedKeysFile ${file}`] });
  cleanups.push(() => sshd.stop());
  const knownHosts = join(dir, "known_hosts");
  await writeFile(knownHosts, `${sshd.knownHostsLine}\n`);
  const handler = createKeyServerHandler({
    serverPublicKeyLine: sshd.hostKeyLine,
    authorizedKeysPath: file,
    token: TOKEN,
    forcedCommand,
  });
  const keyServer = await serveKeyServer(handler, { port: 0 });
  cleanups.push(() => keyServer.close());
  const enroll = async (key: ClientKey) => {
    const res = await fetch(`${keyServer.url}/register`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ client_pub_key: key.publicKeyLine }),
    });
    expect(res.status).toBe(200);
  };
  return { sshd, knownHosts, enroll, keyServer };
}

describe("sshd accepts enrolled keys", () => {
  it("logs in with an enrolled key, not with another one", async () => {
    const { sshd, knownHosts, enroll, keyServer } = await setup();
    // The key server hands out the very host key sshd presents.
    expect(await (await fetch(`${keyServer.url}/server_pub_key`)).json()).toEqual({ server_pub_key: sshd.hostKeyLine });
    const enrolled = await makeClientKey();
    const stranger = await makeClientKey();
    await enroll(enrolled);
    const ok = await ssh(sshd, enrolled, knownHosts, "echo logged-in");
    expect(ok.stderr).not.toMatch(/Permission denied/);
    expect(ok).toMatchObject({ code: 0, stdout: "logged-in\n" });
    const refused = await ssh(sshd, stranger, knownHosts, "echo logged-in");
    expect(refused.code).toBe(255);
    expect(refused.stderr).toMatch(/Permission denied/);
    expect(refused.stdout).toBe("");
  });

  it("runs the forced command instead of the requested one", async () => {
    // Double quotes and a backslash, which the authorized_keys quoting must carry through.
    const { sshd, knownHosts, enroll } = await setup(`printf '%s|%s\\n' "forced:$SSH_ORIGINAL_COMMAND" 'a\\b'`);
    const key = await makeClientKey();
    await enroll(key);
    const res = await ssh(sshd, key, knownHosts, "echo requested");
    expect(res.stderr).not.toMatch(/Permission denied/);
    expect(res).toMatchObject({ code: 0, stdout: "forced:echo requested|a\\b\n" });
  });
});
