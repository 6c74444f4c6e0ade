// Issue 19 with the key server: a positional ssh_config alias and --use-key-server. The key server
// is looked for on the alias's HostName (not the alias), and only the --client-key is enrolled.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toolsServerCommand } from "../fixtures/mcp/fixture-client.js";
import { buildCli, spawnCli, waitForStdoutLine, type CliRun } from "./cli-helpers.js";
import { freePort } from "./helpers/free-port.js";
import { makeClientKey, startSshd, type TestServer } from "./helpers/servers.js";

const TOKEN = "enroll-me-please-0123456789";
const INITIALIZE =
  '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}';

let removeCli: (() => void) | undefined;
let sshd: TestServer;
let keyServer: CliRun | undefined;
let keyServerPort: number;
let home: string;

beforeAll(async () => {
  const built = buildCli();
  sshd = await startSshd({ config: [`ForceCommand ${toolsServerCommand(["--name", "enrolled-alias"])}`] });
  home = mkdtempSync(join(tmpdir(), "mcp-ssh-ks-home-"));
  mkdirSync(join(home, ".ssh"), { mode: 0o700 });
  writeFileSync(join(home, ".ssh", "config"), ["Host enrolled-box", "  HostName 127.0.0.1", `  Port ${sshd.port}`, `  User ${sshd.username}`, ""].join("\n"));
  removeCli = await built;
  keyServerPort = await freePort();
  keyServer = spawnCli([
    "keyserver", "--host", "127.0.0.1", "--port", String(keyServerPort),
    "--server-pub-key", `${sshd.dir}/ssh_host_ed25519_key.pub`, "--authorized-keys", `${sshd.dir}/authorized_keys`, "--token", TOKEN,
  ]);
  const deadline = Date.now() + 10_000;
  while (!keyServer.stderr().includes("listening")) {
    if (keyServer.child.exitCode !== null || Date.now() > deadline) throw new Error(`key server did not start:\n${keyServer.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
});

afterAll(async () => {
  keyServer?.child.kill("SIGTERM");
  await keyServer?.exited(10_000).catch(() => {});
  await sshd?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
  removeCli?.();
});

describe("mcp-ssh --use-key-server ALIAS", () => {
  it("asks the key server on the alias's HostName, enrolls the --client-key and logs in", async () => {
    const key = await makeClientKey({ comment: "alias-enrolled" });
    const run = spawnCli(["--use-key-server", "--key-server-port", String(keyServerPort), "--client-key", key.path, "enrolled-box"], {
      HOME: home,
      MCP_SSH_KEY_SERVER_TOKEN: TOKEN,
    });
    run.child.stdin.write(`${INITIALIZE}\n`);
    const reply = JSON.parse(await waitForStdoutLine(run, (l) => l.includes('"id":1'), 30_000));
    expect(reply.result.serverInfo.name).toBe("enrolled-alias");
    run.child.stdin.end();
    expect((await run.exited(15_000)).code).toBe(0);
    expect(readFileSync(`${sshd.dir}/authorized_keys`, "utf8")).toContain(key.publicKeyLine.split(" ")[1]);
  });

  it("without --client-key it is a usage error: the user's own keys are not enrolled unasked", async () => {
    const run = spawnCli(["--use-key-server", "enrolled-box"], { HOME: home });
    expect((await run.exited(15_000)).code).toBe(2);
    expect(run.stderr()).toMatch(/--use-key-server enrolls only the keys named with --client-key/);
  });
});
