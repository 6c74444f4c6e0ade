// What the `mcp-ssh` proxy does when it must not (or cannot) connect: one line on stderr, nothing
// on stdout, exit status 255, within 10 s. Also the default key and --disable-host-key-checking.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toolsServerCommand } from "../fixtures/mcp/fixture-client.js";
import { buildCli, spawnCli, waitForStdoutLine } from "./cli-helpers.js";
import { makeClientKey, startSshd, type ClientKey, type TestServer } from "./helpers/servers.js";
import { fingerprintOf, typeAndBlob } from "./helpers/tools.js";

let key: ClientKey;
let otherKey: ClientKey;
let encryptedKey: ClientKey;
let forced: TestServer;
let work: string;
let knownHosts: string;
let removeCli: (() => void) | undefined;

const INITIALIZE =
  '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}';

beforeAll(async () => {
  const built = buildCli();
  [key, otherKey, encryptedKey] = await Promise.all([
    makeClientKey(),
    makeClientKey(),
    makeClientKey({ passphrase: "correct horse", rounds: 4 }),
  ]);
  forced = await startSshd({
    authorizedKeys: [key.publicKeyLine, encryptedKey.publicKeyLine],
    config: [`ForceCommand ${toolsServerCommand(["--name", "forced"])}`],
  });
  work = mkdtempSync(join(tmpdir(), "mcp-ssh-refusals-"));
  knownHosts = join(work, "known_hosts");
  writeFileSync(knownHosts, `${forced.knownHostsLine}\n`);
  removeCli = await built;
});

afterAll(async () => {
  await forced?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
  removeCli?.();
});

function cliArgs(overrides: { clientKey?: string | null; knownHosts?: string; port?: number; extra?: string[] } = {}): string[] {
  const keyArgs = overrides.clientKey === null ? [] : ["--client-key", overrides.clientKey ?? key.path];
  return [
    "--host", forced.host,
    "--port", String(overrides.port ?? forced.port),
    "--username", forced.username,
    ...keyArgs,
    "--known-hosts", overrides.knownHosts ?? knownHosts,
    ...(overrides.extra ?? []),
  ];
}

async function refused(args: string[], env: Record<string, string> = {}) {
  const run = spawnCli(args, env);
  run.child.stdin.write(`${INITIALIZE}\n`);
  const status = await run.exited(10_000);
  const lines = run.stderr().split("\n").filter((l) => l !== "");
  return { status, lines, stdout: run.stdout() };
}

function knownHostsFile(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

describe("mcp-ssh proxy refusals: one line on stderr, nothing on stdout, exit 255", () => {
  it("a wrong host key", async () => {
    // Another ed25519 key where the server's should be.
    const wrong = knownHostsFile("wrong", `[${forced.host}]:${forced.port} ${typeAndBlob(otherKey.publicKeyLine)}\n`);
    const { status, lines, stdout } = await refused(cliArgs({ knownHosts: wrong }));
    expect(status.code).toBe(255);
    expect(stdout).toBe("");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/host key for .* does not match/);
    expect(lines[0]).toContain(forced.hostKeyFingerprint);
  });

  it("an unknown host key", async () => {
    const { status, lines, stdout } = await refused(cliArgs({ knownHosts: knownHostsFile("empty", "") }));
    expect(status.code).toBe(255);
    expect(stdout).toBe("");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("is unknown");
    // The line says what to add, on the same line.
    expect(lines[0]).toContain(forced.knownHostsLine);
  });

  it("a client key the server does not accept", async () => {
    const { status, lines, stdout } = await refused(cliArgs({ clientKey: otherKey.path }));
    expect(status.code).toBe(255);
    expect(stdout).toBe("");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/authentication failed/);
  });

  it("a wrong passphrase", async () => {
    const { status, lines, stdout } = await refused(cliArgs({ clientKey: encryptedKey.path }), { MCP_SSH_PASSPHRASE: "wrong" });
    expect(status.code).toBe(255);
    expect(stdout).toBe("");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(encryptedKey.path);
  });

  it("an explicit --client-key that does not exist (never generated)", async () => {
    const missing = join(work, "no_such_key");
    const { status, lines, stdout } = await refused(cliArgs({ clientKey: missing }));
    expect(status.code).toBe(255);
    expect(stdout).toBe("");
    expect(lines).toEqual([expect.stringContaining(`client key ${missing} does not exist`)]);
    expect(() => statSync(missing)).toThrow();
  });

  it("nothing listening on the port", async () => {
    const { status, lines, stdout } = await refused(cliArgs({ port: 1 }));
    expect(status.code).toBe(255);
    expect(stdout).toBe("");
    expect(lines).toHaveLength(1);
  });
});

describe("mcp-ssh --disable-host-key-checking", () => {
  it("connects to an unknown host, and says loudly that it did not check", async () => {
    const empty = knownHostsFile("still_empty", "");
    const run = spawnCli(cliArgs({ knownHosts: empty, extra: ["--disable-host-key-checking"] }));
    run.child.stdin.write(`${INITIALIZE}\n`);
    const reply = JSON.parse(await waitForStdoutLine(run, (l) => l.includes('"id":1'), 20_000));
    expect(reply.result.serverInfo.name).toBe("forced");
    run.child.stdin.end();
    expect((await run.exited(10_000)).code).toBe(0);
    expect(run.stderr()).toMatch(/warn: .*host key/i);
    expect(readFileSync(empty, "utf8")).toBe("");
  });
});

describe("mcp-ssh default client key", () => {
  it("creates ~/.ssh/m2m_mcp_server_ssh_client (ed25519, 0600) when missing, then logs in with it", async () => {
    const home = mkdtempSync(join(tmpdir(), "mcp-ssh-home-"));
    try {
      const args = cliArgs({ clientKey: null });
      // First run: the key is created, and the server does not know it yet.
      const first = spawnCli(args, { HOME: home });
      first.child.stdin.write(`${INITIALIZE}\n`);
      expect((await first.exited(10_000)).code).toBe(255);
      expect(first.stderr()).toMatch(/authentication failed/);
      expect(first.stdout()).toBe("");
      const keyPath = join(home, ".ssh", "m2m_mcp_server_ssh_client");
      expect(statSync(keyPath).mode & 0o777).toBe(0o600);
      const publicLine = readFileSync(`${keyPath}.pub`, "utf8").trim();
      expect(publicLine).toMatch(/^ssh-ed25519 AAAA/);
      expect(await fingerprintOf(`${keyPath}.pub`)).toMatch(/^SHA256:/);

      // Second run, once the server has the public key: the same key file logs in.
      appendFileSync(join(forced.dir, "authorized_keys"), `${publicLine}\n`);
      const second = spawnCli(args, { HOME: home });
      second.child.stdin.write(`${INITIALIZE}\n`);
      const reply = JSON.parse(await waitForStdoutLine(second, (l) => l.includes('"id":1'), 20_000));
      expect(reply.result.serverInfo.name).toBe("forced");
      second.child.stdin.end();
      expect((await second.exited(10_000)).code).toBe(0);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
