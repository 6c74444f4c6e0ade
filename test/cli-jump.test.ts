// Issue 19, `mcp-ssh --jump`: an MCP call through two jump hosts, three private sshd on 127.0.0.1
// (each hop may forward only to the next: PermitOpen), with the OpenSSH and the reference target
// forms, and with ProxyJump from ssh_config. A refused forwarding names the hop that refused.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toolsServerCommand } from "../fixtures/mcp/fixture-client.js";
import { buildCli, mcpViaCli, spawnCli } from "./cli-helpers.js";
import { makeClientKey, startSshd, waitForLog, type ClientKey, type TestServer } from "./helpers/servers.js";
import { expectToolsAnswer } from "./helpers/mcp.js";
import { writeProxyPipe } from "./helpers/reach.js";

let key: ClientKey;
let hop1: TestServer;
let hop2: TestServer;
let last: TestServer;
let home: string;
let removeCli: (() => void) | undefined;

const env = () => ({ PATH: process.env.PATH ?? "", HOME: home });
const viaCli = (args: string[]) => mcpViaCli(args, env());

beforeAll(async () => {
  const built = buildCli();
  home = mkdtempSync(join(tmpdir(), "mcp-ssh-jump-home-"));
  mkdirSync(join(home, ".ssh"), { mode: 0o700 });
  key = await makeClientKey({ dir: join(home, ".ssh") });
  const authorizedKeys = [key.publicKeyLine];
  last = await startSshd({ authorizedKeys, config: [`ForceCommand ${toolsServerCommand(["--name", "behind-two-hops"])}`] });
  hop2 = await startSshd({ authorizedKeys, config: [`PermitOpen 127.0.0.1:${last.port}`] });
  hop1 = await startSshd({ authorizedKeys, config: [`PermitOpen 127.0.0.1:${hop2.port}`] });
  writeFileSync(join(home, ".ssh", "known_hosts"), [hop1, hop2, last].map((s) => `${s.knownHostsLine}\n`).join(""));
  writeFileSync(
    join(home, ".ssh", "config"),
    [
      "Host inner",
      "  HostName 127.0.0.1",
      `  Port ${last.port}`,
      `  ProxyJump bastion1,127.0.0.1:${hop2.port}`,
      "Host bastion1",
      "  HostName 127.0.0.1",
      `  Port ${hop1.port}`,
      // The first hop reached through a command, as ssh -J does with the hop's own ProxyCommand.
      "Host bastion-by-command",
      "  HostName 127.0.0.1",
      `  Port ${hop1.port}`,
      `  ProxyCommand ${process.execPath} ${writeProxyPipe(home)} %h %p`,
      "",
    ].join("\n"),
  );
  removeCli = await built;
});

afterAll(async () => {
  await Promise.all([hop1?.stop(), hop2?.stop(), last?.stop()]);
  if (home) rmSync(home, { recursive: true, force: true });
  removeCli?.();
});

/** The log positions now, and a check that both hops forwarded after them (so the chain was used: 127.0.0.1 is reachable directly too). */
function hopMarks() {
  const before = { hop1: hop1.log().length, hop2: hop2.log().length };
  return async () => {
    await waitForLog({ log: () => hop2.log().slice(before.hop2) }, new RegExp(`server_request_direct_tcpip: .*target 127\\.0\\.0\\.1 port ${last.port}`));
    await waitForLog({ log: () => hop1.log().slice(before.hop1) }, new RegExp(`server_request_direct_tcpip: .*target 127\\.0\\.0\\.1 port ${hop2.port}`));
  };
}

const jumps = () => ["--jump", `${hop1.username}@127.0.0.1:${hop1.port}`, "--jump", `127.0.0.1:${hop2.port}`];

describe("mcp-ssh --jump", () => {
  it("an MCP call through two hops (positional target), arriving from hop 2's forwarding", async () => {
    const throughHops = hopMarks();
    const { client } = await viaCli([...jumps(), `${last.username}@127.0.0.1:${last.port}`]);
    try {
      await expectToolsAnswer(client, "behind-two-hops");
    } finally {
      await client.close();
    }
    await throughHops();
  });

  it("the reference --host form with --jump (hops use the same key and known_hosts)", async () => {
    const throughHops = hopMarks();
    const { client } = await viaCli([
      "--host", "127.0.0.1", "--port", String(last.port), "--username", last.username,
      "--client-key", key.path, "--known-hosts", join(home, ".ssh", "known_hosts"),
      ...jumps(),
    ]);
    try {
      await expectToolsAnswer(client, "behind-two-hops");
    } finally {
      await client.close();
    }
    await throughHops();
  });

  it("ProxyJump from ssh_config: mcp-ssh inner (the first hop is itself a config alias)", async () => {
    const throughHops = hopMarks();
    const { client } = await viaCli(["inner"]);
    try {
      await expectToolsAnswer(client, "behind-two-hops");
    } finally {
      await client.close();
    }
    await throughHops();
  });

  it("the first hop's ProxyCommand from ssh_config carries the chain (as ssh -J runs it)", async () => {
    const throughHops = hopMarks();
    const { client, stderr } = await viaCli(["--jump", "bastion-by-command", "--jump", `127.0.0.1:${hop2.port}`, `${last.username}@127.0.0.1:${last.port}`]);
    try {
      await expectToolsAnswer(client, "behind-two-hops");
      expect(stderr()).toContain(`proxy-command: connecting to 127.0.0.1:${hop1.port}`);
    } finally {
      await client.close();
    }
    await throughHops();
  });

  it("a hop that may not forward there: the error names it (exit 255)", async () => {
    // Hop 1 may only forward to hop 2, not straight to the last server.
    const run = spawnCli(["--jump", `127.0.0.1:${hop1.port}`, `${last.username}@127.0.0.1:${last.port}`], env());
    const { code } = await run.exited(30_000);
    expect(code).toBe(255);
    expect(run.stderr()).toMatch(new RegExp(`jump host 1 \\(127\\.0\\.0\\.1:${hop1.port}\\): .*administratively prohibited`));
  });

  it("--jump takes [user@]host[:port]; anything else is a usage error", async () => {
    const run = spawnCli(["--jump", "a@b@:x", "inner"], env());
    expect((await run.exited(30_000)).code).toBe(2);
    expect(run.stderr()).toMatch(/^mcp-ssh: --jump: /);
  });
});
