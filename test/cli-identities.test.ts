// Which identities the proxy offers, per form of the target, and what it says when the server
// refuses them. Always a throwaway HOME (never the real ~/.ssh), a real sshd, a real ssh-agent and
// the real key server.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toolsServerCommand } from "../fixtures/mcp/fixture-client.js";
import { defaultIdentities, M2M_KEY_NAME, OPENSSH_IDENTITY_FILES } from "../src/cli/client-keys.js";
import { createKeyServerHandler, serveKeyServer, type RunningKeyServer } from "../src/keyserver/index.js";
import { writeKeyPair } from "../src/platform/node/key-files.js";
import { buildCli, spawnCli, waitForStdoutLine } from "./cli-helpers.js";
import { makeClientKey, startSshd, waitForLog, type ClientKey, type TestServer } from "./helpers/servers.js";

const INITIALIZE =
  '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}';
const TOKEN = "identities-test-token-0123456789";

let work: string;
let personal: ClientKey;
let sshd: TestServer;
let removeCli: (() => void) | undefined;
const cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  const built = buildCli();
  work = mkdtempSync(join(tmpdir(), "mcp-ssh-identities-"));
  // The user's own key, which the server accepts: the reference form must still not offer it.
  personal = await makeClientKey({ comment: "me@laptop" });
  sshd = await startSshd({
    authorizedKeys: [personal.publicKeyLine],
    config: [`ForceCommand ${toolsServerCommand(["--name", "identities"])}`],
  });
  removeCli = await built;
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await sshd?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
  removeCli?.();
});

/** A throwaway HOME with ~/.ssh holding copies of the user's own key as the named id_* files. */
function throwawayHome(ids: string[] = []): string {
  const home = mkdtempSync(join(work, "home-"));
  mkdirSync(join(home, ".ssh"), { mode: 0o700 });
  for (const id of ids) {
    writeFileSync(join(home, ".ssh", id), personal.privateKey, { mode: 0o600 });
    writeFileSync(join(home, ".ssh", `${id}.pub`), `${personal.publicKeyLine}\n`);
  }
  return home;
}

/** A listening Unix socket at a path (what SSH_AUTH_SOCK names). */
async function socketAt(path: string): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  cleanups.push(() => new Promise((r) => server.close(r)));
  return server;
}

function knownHosts(): string {
  const path = join(work, "known_hosts");
  writeFileSync(path, `${sshd.knownHostsLine}\n`);
  return path;
}

function referenceArgs(extra: string[] = []): string[] {
  return ["--host", sshd.host, "--port", String(sshd.port), "--username", sshd.username, "--known-hosts", knownHosts(), ...extra];
}

async function refusedRun(args: string[], env: Record<string, string>) {
  const run = spawnCli(args, env);
  run.child.stdin.write(`${INITIALIZE}\n`);
  const status = await run.exited(20_000);
  return { status, stderr: run.stderr(), stdout: run.stdout() };
}

describe("defaultIdentities", () => {
  it("openssh form: the agent, then the ~/.ssh/id_* files that exist, in ssh's order", async () => {
    const home = throwawayHome(["id_ed25519", "id_rsa"]);
    const sock = join(home, "agent.sock");
    await socketAt(sock);
    expect(defaultIdentities("openssh", { HOME: home, SSH_AUTH_SOCK: sock })).toEqual({
      agent: sock,
      keyFiles: [join(home, ".ssh", "id_rsa"), join(home, ".ssh", "id_ed25519")],
      m2mDefault: false,
    });
    // No agent socket (unset, or a stale path): key files only. No files: nothing.
    expect(defaultIdentities("openssh", { HOME: home })).toEqual({
      keyFiles: [join(home, ".ssh", "id_rsa"), join(home, ".ssh", "id_ed25519")],
      m2mDefault: false,
    });
    expect(defaultIdentities("openssh", { HOME: home, SSH_AUTH_SOCK: join(home, "gone.sock") }).agent).toBeUndefined();
    expect(defaultIdentities("openssh", { HOME: throwawayHome() })).toEqual({ keyFiles: [], m2mDefault: false });
    expect(OPENSSH_IDENTITY_FILES.slice(0, 5)).toEqual(["id_rsa", "id_ecdsa", "id_ecdsa_sk", "id_ed25519", "id_ed25519_sk"]);
  });

  it("reference form: the m2m key only, even with id_* files and an agent", async () => {
    const home = throwawayHome(["id_ed25519", "id_ecdsa"]);
    const sock = join(home, "agent.sock");
    await socketAt(sock);
    expect(defaultIdentities("reference", { HOME: home, SSH_AUTH_SOCK: sock })).toEqual({
      keyFiles: [join(home, ".ssh", M2M_KEY_NAME)],
      m2mDefault: true,
    });
  });
});

describe("the reference (--host) form in the CLI", () => {
  it("creates the m2m key (info line), offers only it, and the refusal says so and how to use your own key", async () => {
    const home = throwawayHome(["id_ed25519"]);
    const { status, stderr, stdout } = await refusedRun(referenceArgs(), { HOME: home, SSH_AUTH_SOCK: "" });
    expect(status.code).toBe(255);
    expect(stdout).toBe("");
    const m2m = join(home, ".ssh", M2M_KEY_NAME);
    expect(existsSync(m2m)).toBe(true);
    expect(stderr).toMatch(new RegExp(`info: no --client-key given: created the default client key ${m2m} \\(ed25519, SHA256:`));
    const error = stderr.split("\n").find((l) => l.includes("error:"))!;
    expect(error).toContain(`the server refused the key mcp-ssh offered, ${m2m}`);
    expect(error).toContain("the m2m default key (no --client-key given; created by this run)");
    expect(error).toContain("--client-key ~/.ssh/id_ed25519");
    expect(error).toContain("--agent");
    // The server saw the m2m key and never the user's own (which it would have accepted).
    const m2mFingerprint = /\(ed25519, (SHA256:[A-Za-z0-9+/]+)\)/.exec(stderr)![1]!;
    await waitForLog(sshd, new RegExp(m2mFingerprint.replace(/[+/]/g, "\\$&")));
    expect(sshd.log()).not.toContain(personal.fingerprint);
  });

  it("--client-key means exactly those files: the user's own key logs in, no m2m key is created", async () => {
    const home = throwawayHome();
    const run = spawnCli(referenceArgs(["--client-key", personal.path]), { HOME: home });
    run.child.stdin.write(`${INITIALIZE}\n`);
    const reply = JSON.parse(await waitForStdoutLine(run, (l) => l.includes('"id":1'), 20_000));
    expect(reply.result.serverInfo.name).toBe("identities");
    run.child.stdin.end();
    expect((await run.exited(10_000)).code).toBe(0);
    expect(existsSync(join(home, ".ssh", M2M_KEY_NAME))).toBe(false);
  });

  it("--agent: the agent's keys instead of the default key", async () => {
    const home = throwawayHome();
    const sock = join(home, "agent.sock");
    const agent: ChildProcess = spawn("ssh-agent", ["-D", "-a", sock], { stdio: "ignore" });
    cleanups.push(() => agent.kill("SIGTERM"));
    for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
    execFileSync("ssh-add", [personal.path], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: "ignore" });
    const run = spawnCli(referenceArgs(["--agent"]), { HOME: home, SSH_AUTH_SOCK: sock });
    run.child.stdin.write(`${INITIALIZE}\n`);
    const reply = JSON.parse(await waitForStdoutLine(run, (l) => l.includes('"id":1'), 20_000));
    expect(reply.result.serverInfo.name).toBe("identities");
    run.child.stdin.end();
    expect((await run.exited(10_000)).code).toBe(0);
    expect(existsSync(join(home, ".ssh", M2M_KEY_NAME))).toBe(false);
  });

  it("--use-key-server enrolls the m2m key and nothing else; a refusal after that says it was enrolled", async () => {
    const home = throwawayHome(["id_ed25519"]);
    // A key server that writes a file sshd does not read: enrollment succeeds, the login fails.
    const enrolled = join(work, "enrolled_keys");
    const keyServer: RunningKeyServer = await serveKeyServer(
      createKeyServerHandler({
        serverPublicKeyLine: readFileSync(join(sshd.dir, "ssh_host_ed25519_key.pub"), "utf8"),
        authorizedKeysPath: enrolled,
        token: TOKEN,
        rateLimitPerMinute: 0,
      }),
      { host: "127.0.0.1", port: 0 },
    );
    cleanups.push(() => keyServer.close());
    const { status, stderr } = await refusedRun(
      referenceArgs(["--use-key-server", "--key-server-port", String(keyServer.port)]),
      { HOME: home, MCP_SSH_KEY_SERVER_TOKEN: TOKEN, SSH_AUTH_SOCK: "" },
    );
    expect(status.code).toBe(255);
    const lines = readFileSync(enrolled, "utf8").trim().split("\n");
    const m2mLine = readFileSync(join(home, ".ssh", `${M2M_KEY_NAME}.pub`), "utf8").trim().split(" ");
    // One key, the m2m one, as "type base64" without its comment.
    expect(lines).toEqual([expect.stringMatching(new RegExp(` ${m2mLine[0]} ${m2mLine[1]!.replace(/[+/]/g, "\\$&")}$`))]);
    expect(readFileSync(enrolled, "utf8")).not.toContain(personal.publicKeyLine.split(" ")[1]);
    expect(stderr).toContain("enrolled with the key server, but the server then refused it");
    expect(stderr).not.toMatch(/check that the public key is in the server's authorized_keys/);
  });
});

describe("smaller messages", () => {
  it("a missing --known-hosts file is not reported as an unknown host", async () => {
    const missing = join(work, "no_such_dir", "known_hosts");
    const args = ["--host", sshd.host, "--port", String(sshd.port), "--username", sshd.username, "--client-key", personal.path];
    const { status, stderr } = await refusedRun([...args, "--known-hosts", missing], { HOME: throwawayHome() });
    expect(status.code).toBe(255);
    const error = stderr.split("\n").find((l) => l.includes("error:"))!;
    expect(error).toContain(`the known_hosts file ${missing} does not exist`);
    expect(error).toContain(sshd.knownHostsLine);
    // An existing but empty file: the unknown-host message, not the missing-file one.
    const empty = join(work, "known_hosts_empty");
    writeFileSync(empty, "");
    const unknown = await refusedRun([...args, "--known-hosts", empty], { HOME: throwawayHome() });
    expect(unknown.stderr).toContain("is unknown");
    expect(unknown.stderr).not.toContain("does not exist");
  });

  it("an encrypted key without a passphrase points at MCP_SSH_PASSPHRASE", async () => {
    const home = throwawayHome();
    const path = join(home, ".ssh", "encrypted");
    await writeKeyPair(path, { passphrase: "secret words", rounds: 2 });
    const { status, stderr } = await refusedRun(referenceArgs(["--client-key", path]), { HOME: home, MCP_SSH_PASSPHRASE: "" });
    expect(status.code).toBe(255);
    const error = stderr.split("\n").find((l) => l.includes("error:"))!;
    expect(error).toContain("encrypted");
    expect(error).toContain("MCP_SSH_PASSPHRASE");
  });
});
