// Issue 19, the positional target: `mcp-ssh gpu-box` with only an ssh_config entry in a throwaway
// HOME makes an MCP call, as `ssh gpu-box` would reach the host; flags beat the config; accept-new
// records the host key once; -F PATH and -F none; ProxyCommand; flag/positional conflicts are
// usage errors. A real sshd runs the fixture MCP server (ForceCommand).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { textOf, toolsServerCommand } from "../fixtures/mcp/fixture-client.js";
import { buildCli, mcpViaCli, spawnCli } from "./cli-helpers.js";
import { makeClientKey, startSshd, type ClientKey, type TestServer } from "./helpers/servers.js";
import { expectToolsAnswer } from "./helpers/mcp.js";
import { freePort } from "./helpers/free-port.js";
import { writeProxyPipe } from "./helpers/reach.js";

let server: TestServer;
let key: ClientKey;
let home: string;
let closedPort: number;
let removeCli: (() => void) | undefined;

/** The environment an MCP host would give the CLI: a PATH and this HOME, no agent. */
const env = () => ({ PATH: process.env.PATH ?? "", HOME: home });
const viaCli = (args: string[]) => mcpViaCli(args, env());

beforeAll(async () => {
  const built = buildCli();
  home = mkdtempSync(join(tmpdir(), "mcp-ssh-home-"));
  mkdirSync(join(home, ".ssh"), { mode: 0o700 });
  key = await makeClientKey({ dir: join(home, ".ssh") });
  expect(key.path).toBe(join(home, ".ssh", "id_ed25519"));
  server = await startSshd({
    authorizedKeys: [key.publicKeyLine],
    config: [`ForceCommand ${toolsServerCommand(["--name", "gpu"])}`, "AcceptEnv MCP_SSH_TEST_*"],
  });
  closedPort = await freePort();
  writeFileSync(join(home, ".ssh", "known_hosts"), `${server.knownHostsLine}\n`);
  const pipe = writeProxyPipe(home);
  writeFileSync(
    join(home, ".ssh", "config"),
    [
      "Host gpu-box",
      "  HostName 127.0.0.1",
      `  Port ${server.port}`,
      `  User ${server.username}`,
      "  IdentityFile ~/.ssh/id_ed25519",
      "  SetEnv MCP_SSH_TEST_FROM_CONFIG=set-env MCP_SSH_TEST_BOTH=config",
      "",
      "Host wrong-port",
      "  HostName 127.0.0.1",
      `  Port ${closedPort}`,
      `  User ${server.username}`,
      "",
      "Host wrong-user",
      "  HostName 127.0.0.1",
      `  Port ${server.port}`,
      "  User nobody-here",
      "",
      "Host new-box",
      "  HostName 127.0.0.1",
      `  Port ${server.port}`,
      `  User ${server.username}`,
      "  StrictHostKeyChecking accept-new",
      "  UserKnownHostsFile ~/.ssh/known_hosts_new",
      "",
      "Host strict-box",
      "  HostName 127.0.0.1",
      `  Port ${server.port}`,
      `  User ${server.username}`,
      "  UserKnownHostsFile ~/.ssh/known_hosts_empty",
      "",
      "Host via-command",
      "  HostName 127.0.0.1",
      `  Port ${server.port}`,
      `  User ${server.username}`,
      `  ProxyCommand ${process.execPath} ${pipe} %h %p`,
      "",
    ].join("\n"),
  );
  removeCli = await built;
});

afterAll(async () => {
  await server?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
  removeCli?.();
});

/** Run the CLI with stdin open and wait for it to fail; returns its status and stderr. */
async function failing(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const run = spawnCli(args, env());
  const { code } = await run.exited(30_000);
  return { code, stderr: run.stderr() };
}

describe("mcp-ssh [user@]host: the target as ssh reaches it", () => {
  it("mcp-ssh gpu-box: HostName, Port, User, IdentityFile (~ is $HOME) and known_hosts from ~/.ssh/config", async () => {
    const { client, stderr } = await viaCli(["gpu-box"]);
    try {
      await expectToolsAnswer(client, "gpu");
      // SetEnv reaches the remote server; an --env of the same name would beat it (next test).
      const value = JSON.parse(textOf(await client.callTool({ name: "env", arguments: { name: "MCP_SSH_TEST_FROM_CONFIG" } })));
      expect(value).toBe("set-env");
      expect(stderr()).toContain(`connected to 127.0.0.1:${server.port} as ${server.username}`);
    } finally {
      await client.close();
    }
  });

  it("--env beats ssh_config's SetEnv", async () => {
    const { client } = await viaCli(["gpu-box", "--env", "MCP_SSH_TEST_BOTH=flag"]);
    try {
      expect(JSON.parse(textOf(await client.callTool({ name: "env", arguments: { name: "MCP_SSH_TEST_BOTH" } })))).toBe("flag");
      expect(JSON.parse(textOf(await client.callTool({ name: "env", arguments: { name: "MCP_SSH_TEST_FROM_CONFIG" } })))).toBe("set-env");
    } finally {
      await client.close();
    }
  });

  it("a flag beats ssh_config: --port and --username, both ways", async () => {
    // The config's port is closed: it fails; -p with the right port fixes it.
    const refused = await failing(["wrong-port"]);
    expect(refused.code).toBe(255);
    expect(refused.stderr).toMatch(new RegExp(`127\\.0\\.0\\.1:${closedPort}|ECONNREFUSED|refused`));
    const fixed = await viaCli(["wrong-port", "-p", String(server.port)]);
    await expectToolsAnswer(fixed.client, "gpu");
    await fixed.client.close();
    // And a wrong --port breaks a good config entry.
    const broken = await failing(["gpu-box", "--port", String(closedPort)]);
    expect(broken.code).toBe(255);

    const wrongUser = await failing(["wrong-user"]);
    expect(wrongUser.code).toBe(255);
    expect(wrongUser.stderr).toContain("nobody-here");
    const rightUser = await viaCli(["wrong-user", "--username", server.username]);
    await expectToolsAnswer(rightUser.client, "gpu");
    await rightUser.client.close();
    const userAt = await viaCli([`${server.username}@wrong-user`]);
    await expectToolsAnswer(userAt.client, "gpu");
    await userAt.client.close();
  });

  it("StrictHostKeyChecking accept-new records the host key once; the default refuses an unknown host", async () => {
    const file = join(home, ".ssh", "known_hosts_new");
    expect(existsSync(file)).toBe(false);
    for (let i = 0; i < 2; i++) {
      const { client } = await viaCli(["new-box"]);
      await expectToolsAnswer(client, "gpu");
      await client.close();
      const lines = readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(server.hostKeyLine.split(" ")[1]);
    }
    const strict = await failing(["strict-box"]);
    expect(strict.code).toBe(255);
    // The explanation names the file ssh_config chose, which does not exist.
    expect(strict.stderr).toMatch(/known_hosts_empty does not exist/);
    expect(existsSync(join(home, ".ssh", "known_hosts_empty"))).toBe(false);
  });

  it("ssh://user@host:port and user@host:port, with ssh's defaults for the rest", async () => {
    for (const target of [`ssh://${server.username}@127.0.0.1:${server.port}`, `${server.username}@127.0.0.1:${server.port}`]) {
      const { client } = await viaCli([target]);
      await expectToolsAnswer(client, "gpu");
      await client.close();
    }
  });

  it("-F PATH replaces ~/.ssh/config; -F none reads no file", async () => {
    const other = join(home, "other_config");
    writeFileSync(other, ["Host elsewhere", "  HostName 127.0.0.1", `  Port ${server.port}`, `  User ${server.username}`, ""].join("\n"));
    const viaFile = await viaCli(["-F", other, "elsewhere"]);
    await expectToolsAnswer(viaFile.client, "gpu");
    await viaFile.client.close();
    // gpu-box is not in that file: a name that does not resolve.
    expect((await failing(["-F", other, "gpu-box"])).code).toBe(255);

    // -F none: OpenSSH's defaults only (port 22 unless given, ~/.ssh/id_*, ~/.ssh/known_hosts).
    const none = await viaCli(["-F", "none", `${server.username}@127.0.0.1:${server.port}`]);
    await expectToolsAnswer(none.client, "gpu");
    await none.client.close();
    expect((await failing(["-F", "none", "gpu-box"])).code).toBe(255);
  });

  it("the --host form reads ssh_config only with -F, and its flags still win", async () => {
    // Without -F the alias means nothing to the --host form.
    expect((await failing(["--host", "gpu-box", "--known-hosts", join(home, ".ssh", "known_hosts")])).code).toBe(255);
    // With -F: the file's Port and User beat the reference's 8022 and mcp.
    const withConfig = await viaCli(["--host", "gpu-box", "-F", join(home, ".ssh", "config")]);
    await expectToolsAnswer(withConfig.client, "gpu");
    await withConfig.client.close();
  });

  it("ProxyCommand from ssh_config carries the connection", async () => {
    const { client, stderr } = await viaCli(["via-command"]);
    try {
      await expectToolsAnswer(client, "gpu");
      expect(stderr()).toContain(`proxy-command: connecting to 127.0.0.1:${server.port}`);
    } finally {
      await client.close();
    }
  });

  it("a flag and a positional target that disagree is a usage error (exit 2)", async () => {
    for (const args of [
      ["gpu-box", "--host", "other-box"],
      [`a@127.0.0.1:${server.port}`, "--port", "1"],
      ["alice@gpu-box", "--username", "bob"],
      ["gpu-box", "second-box"],
      ["ssh://gpu-box/path"],
      ["gpu-box", "--sse"],
      ["gpu-box", "--http-url", "https://127.0.0.1/mcp"],
    ]) {
      const { code, stderr } = await failing(args);
      expect(code, args.join(" ")).toBe(2);
      expect(stderr).toMatch(/^mcp-ssh: .*\(see mcp-ssh --help\)\n$/);
    }
    // Agreeing is fine: the same host twice.
    const same = await viaCli(["gpu-box", "--host", "gpu-box"]);
    await expectToolsAnswer(same.client, "gpu");
    await same.client.close();
  });
});
