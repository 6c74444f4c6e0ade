// Issue 16, the CLI's password: `MCP_SSH_PASSWORD` in mcp-ssh's environment (never a flag) logs in
// to an sshd that takes passwords (9.2, PasswordAuthentication) or keyboard-interactive only
// (10.0, PAM's one hidden "Password: " prompt), as a throwaway system user (needs root; removed
// afterwards). Once read, the secret variables leave the environment: ssh_config's `SendEnv MCP_*`
// does not hand them to the server and a ProxyCommand does not inherit them. Refusals say what to
// do and never echo the password. The remote MCP server is the SDK-built fixture, bundled into a
// directory the throwaway user can read (the checkout may sit where only root can).
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { textOf, TOOLS_SERVER } from "../fixtures/mcp/fixture-client.js";
import { buildCli, mcpViaCli, spawnCli } from "./cli-helpers.js";
import { expectToolsAnswer } from "./helpers/mcp.js";
import { writeProxyPipe } from "./helpers/reach.js";
import { startSshd, waitForLog, type TestServer } from "./helpers/servers.js";
import { createSystemUser, type SystemUser } from "./helpers/system-user.js";

let user: SystemUser;
let passwordServer: TestServer;
let kbdServer: TestServer;
let jumpServer: TestServer;
let home: string;
let serverDir: string;
let proxyMarker: string;
let removeCli: (() => void) | undefined;

const remote = () => `${process.execPath} ${join(serverDir, "server.mjs")} --name pw`;
/** An MCP host's environment: PATH, this HOME (no keys in it), no agent; plus `extra`. */
const env = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH ?? "", HOME: home, ...extra });

beforeAll(async () => {
  const cli = buildCli();
  user = createSystemUser();
  serverDir = mkdtempSync(join(tmpdir(), "mcp-ssh-pw-server-"));
  chmodSync(serverDir, 0o755);
  await build({
    entryPoints: [TOOLS_SERVER],
    outfile: join(serverDir, "server.mjs"),
    bundle: true,
    format: "esm",
    platform: "node",
    target: "es2022",
    logLevel: "error",
    // Some of the SDK's dependencies are CommonJS and call require().
    banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
  });
  chmodSync(join(serverDir, "server.mjs"), 0o644);
  passwordServer = await startSshd({
    config: ["PasswordAuthentication yes", "KbdInteractiveAuthentication no", "UsePAM no", "AcceptEnv MCP_*"],
  });
  kbdServer = await startSshd({ openssh: "10.0", config: ["PasswordAuthentication no", "KbdInteractiveAuthentication yes", "UsePAM yes"] });
  // A jump host that would take the same user's password, had it been sent there.
  jumpServer = await startSshd({ config: ["PasswordAuthentication yes", "KbdInteractiveAuthentication no", "UsePAM no"] });
  home = mkdtempSync(join(tmpdir(), "mcp-ssh-pw-home-"));
  mkdirSync(join(home, ".ssh"), { mode: 0o700 });
  writeFileSync(join(home, ".ssh", "known_hosts"), `${passwordServer.knownHostsLine}\n${kbdServer.knownHostsLine}\n${jumpServer.knownHostsLine}\n`);
  const pipe = writeProxyPipe(home);
  proxyMarker = join(home, "proxy-env.out");
  // The ProxyCommand records what it inherited of the secrets, then carries the connection.
  const proxyScript = join(home, "proxy-env.sh");
  writeFileSync(
    proxyScript,
    `printf '%s %s %s\\n' "\${MCP_SSH_PASSWORD-unset}" "\${MCP_SSH_PASSPHRASE-unset}" "\${MCP_SSH_TEST_PLAIN-unset}" > "$3"\nexec "${process.execPath}" "${pipe}" "$1" "$2"\n`,
  );
  const host = (name: string, server: TestServer, lines: string[] = []) =>
    [`Host ${name}`, "  HostName 127.0.0.1", `  Port ${server.port}`, `  User ${user.name}`, ...lines.map((l) => `  ${l}`), ""].join("\n");
  writeFileSync(
    join(home, ".ssh", "config"),
    [
      host("pw-box", passwordServer, ["SendEnv MCP_*"]),
      host("kbd-box", kbdServer),
      host("pw-via-command", passwordServer, [`ProxyCommand /bin/sh ${proxyScript} %h %p ${proxyMarker}`]),
    ].join("\n"),
  );
  removeCli = await cli;
}, 120_000);

afterAll(async () => {
  await Promise.all([passwordServer?.stop(), kbdServer?.stop(), jumpServer?.stop()]);
  user?.remove();
  for (const dir of [home, serverDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  removeCli?.();
});

async function failing(args: string[], extra: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const run = spawnCli(args, env(extra));
  const { code } = await run.exited(30_000);
  return { code, stderr: run.stderr() };
}

const remoteEnv = async (client: Awaited<ReturnType<typeof mcpViaCli>>["client"], name: string) =>
  JSON.parse(textOf(await client.callTool({ name: "env", arguments: { name } }))) as string | null;

describe("mcp-ssh with MCP_SSH_PASSWORD", () => {
  it("sshd 9.2 with PasswordAuthentication: an MCP call; SendEnv MCP_* passes a plain variable but not the secrets; nothing logs the password", async () => {
    const secrets = { MCP_SSH_PASSWORD: user.password, MCP_SSH_PASSPHRASE: "not-needed-here", MCP_SSH_KEY_SERVER_TOKEN: "token-not-used" };
    const { client, stderr } = await mcpViaCli(["pw-box", "--command", remote(), "--log-level", "debug"], env({ ...secrets, MCP_SSH_TEST_PLAIN: "plain" }));
    try {
      await expectToolsAnswer(client, "pw");
      // SendEnv works (the plain variable arrives), so the secrets' absence is the scrubbing.
      expect(await remoteEnv(client, "MCP_SSH_TEST_PLAIN")).toBe("plain");
      for (const name of Object.keys(secrets)) expect(await remoteEnv(client, name)).toBeNull();
    } finally {
      await client.close();
    }
    await waitForLog(passwordServer, new RegExp(`Accepted password for ${user.name} from 127\\.0\\.0\\.1`));
    expect(stderr()).toContain(`as ${user.name}`);
    expect(stderr()).not.toContain(user.password);
  });

  it("a ProxyCommand does not inherit the secrets (a plain variable it does)", async () => {
    const { client } = await mcpViaCli(
      ["pw-via-command", "--command", remote()],
      env({ MCP_SSH_PASSWORD: user.password, MCP_SSH_PASSPHRASE: "pp", MCP_SSH_TEST_PLAIN: "plain" }),
    );
    try {
      await expectToolsAnswer(client, "pw");
    } finally {
      await client.close();
    }
    expect(readFileSync(proxyMarker, "utf8").trim()).toBe("unset unset plain");
  });

  it("sshd 10.0 with keyboard-interactive only (PAM): the password answers its one hidden prompt", async () => {
    const { client } = await mcpViaCli(["kbd-box", "--command", remote()], env({ MCP_SSH_PASSWORD: user.password }));
    try {
      await expectToolsAnswer(client, "pw");
    } finally {
      await client.close();
    }
    await waitForLog(kbdServer, new RegExp(`Accepted keyboard-interactive/pam for ${user.name} from 127\\.0\\.0\\.1`));
  });

  it("the password is for the target only: a jump host that would take it never gets it, nor advice about it", async () => {
    const { code, stderr } = await failing(["kbd-box", "--jump", `${user.name}@127.0.0.1:${jumpServer.port}`, "--command", remote()], {
      MCP_SSH_PASSWORD: user.password,
    });
    expect(code).toBe(255);
    expect(stderr).toMatch(/jump host 1 .*authentication failed/);
    // sshd logs every password attempt, accepted or not; this one saw none.
    expect(stderr).not.toContain("MCP_SSH_PASSWORD");
    expect(jumpServer.log()).toContain(`userauth-request for user ${user.name} service ssh-connection method none`);
    expect(jumpServer.log()).not.toMatch(/method password|(Accepted|Failed) password/);
  });

  it("a wrong password: status 255 and one line that says the password was refused, without it", async () => {
    const wrong = `wrong-${user.password}`;
    for (const target of ["pw-box", "kbd-box"]) {
      const { code, stderr } = await failing([target, "--command", remote()], { MCP_SSH_PASSWORD: wrong });
      expect(code).toBe(255);
      expect(stderr).toContain("The password from MCP_SSH_PASSWORD was refused");
      expect(stderr).toContain(`authentication failed for user "${user.name}"`);
      expect(stderr).not.toContain(wrong);
    }
  });

  it("no password, and the server takes one: the refusal says to set MCP_SSH_PASSWORD (an empty one counts as none)", async () => {
    for (const extra of [{}, { MCP_SSH_PASSWORD: "" }] as Record<string, string>[]) {
      const { code, stderr } = await failing(["pw-box", "--command", remote()], extra);
      expect(code).toBe(255);
      expect(stderr).toContain("the server allows [publickey, password]");
      expect(stderr).toContain("set MCP_SSH_PASSWORD in the environment of mcp-ssh");
    }
  });
});
