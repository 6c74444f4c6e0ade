// The Claude Desktop entries of the README's sections "Using your ssh config", "Through a bastion"
// and "Remote HTTP MCP servers", as a user would paste them: each parses as the proxy's command
// line it claims to be, and the first and last are run (`npx -y mcp-over-ssh` resolved to the local
// build; a throwaway HOME whose ~/.ssh/config points gpu-box at a private sshd; the HTTP URL's port
// pointed at the fixture HTTP server).
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordingClient, REPO_ROOT, textOf, toolsServerCommand } from "../fixtures/mcp/fixture-client.js";
import { parseProxyArgs } from "../src/cli/args.js";
import { buildCli, CLI } from "./cli-helpers.js";
import { startHttpFixture } from "./helpers/http-fixture.js";
import { makeClientKey, startSshd, type TestServer } from "./helpers/servers.js";
import { expectToolsAnswer } from "./helpers/mcp.js";

type Entry = { command: string; args: string[] };

/** The Claude Desktop entry of the README section titled `title`. */
function entryOf(title: string): Entry {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const start = readme.indexOf(`\n## ${title}\n`);
  expect(start, `README section "${title}"`).toBeGreaterThan(0);
  const section = readme.slice(start + 1).split(/\n## /)[0]!;
  const block = /Claude Desktop entry:\s*```json\n([\s\S]*?)```/.exec(section);
  expect(block, `a Claude Desktop entry in "${title}"`).not.toBeNull();
  const [entry] = Object.values((JSON.parse(block![1]!) as { mcpServers: Record<string, Entry> }).mcpServers);
  expect(entry!.command).toBe("npx");
  expect(entry!.args.slice(0, 2)).toEqual(["-y", "mcp-over-ssh"]);
  return entry!;
}

function settingsOf(entry: Entry) {
  const parsed = parseProxyArgs(entry.args.slice(2), {});
  if (parsed.action !== "proxy") throw new Error(`not a proxy command line: ${entry.args.join(" ")}`);
  return parsed.settings;
}

let server: TestServer;
let fixture: { port: number; child: ChildProcess };
let home: string;
let removeCli: (() => void) | undefined;


beforeAll(async () => {
  const built = buildCli();
  home = mkdtempSync(join(tmpdir(), "mcp-ssh-readme-home-"));
  mkdirSync(join(home, ".ssh"), { mode: 0o700 });
  const key = await makeClientKey({ dir: join(home, ".ssh") });
  [server, fixture] = await Promise.all([
    startSshd({ authorizedKeys: [key.publicKeyLine], config: [`Subsystem mcp ${toolsServerCommand(["--name", "readme"])}`] }),
    startHttpFixture(),
  ]);
  writeFileSync(join(home, ".ssh", "known_hosts"), `${server.knownHostsLine}\n`);
  writeFileSync(
    join(home, ".ssh", "config"),
    ["Host gpu-box", "    HostName 127.0.0.1", `    Port ${server.port}`, `    User ${server.username}`, "    IdentityFile ~/.ssh/id_ed25519", ""].join("\n"),
  );
  removeCli = await built;
});

afterAll(async () => {
  await server?.stop();
  fixture?.child.kill("SIGTERM");
  if (home) rmSync(home, { recursive: true, force: true });
  removeCli?.();
});

async function run(args: string[]) {
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, ...args], env: { PATH: process.env.PATH ?? "", HOME: home }, stderr: "pipe" });
  let stderr = "";
  transport.stderr?.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  const { client } = recordingClient();
  try {
    await client.connect(transport);
  } catch (e) {
    throw new Error(`${(e as Error).message}; stderr:\n${stderr}`);
  }
  return client;
}

describe("the README's Claude Desktop entries for issue 19", () => {
  it('"Using your ssh config": mcp-ssh --subsystem mcp gpu-box, run as written', async () => {
    const entry = entryOf("Using your ssh config");
    expect(settingsOf(entry)).toMatchObject({ target: { host: "gpu-box" }, subsystem: "mcp" });
    // --init-timeout only so that a loaded test machine cannot fail it; the entry is as written.
    const client = await run([...entry.args.slice(2), "--init-timeout", "120"]);
    try {
      await expectToolsAnswer(client, "readme");
    } finally {
      await client.close();
    }
  });

  it('"Through a bastion": a --jump and a user@host target', () => {
    const s = settingsOf(entryOf("Through a bastion"));
    expect(s.jump).toHaveLength(1);
    expect(s.target?.user).toBeDefined();
    expect(s.subsystem).toBe("mcp");
  });

  it('"Remote HTTP MCP servers": --http-url to gpu-box, run with the URL\'s port pointed at the fixture', async () => {
    const entry = entryOf("Remote HTTP MCP servers");
    const s = settingsOf(entry);
    expect(s.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(s.target?.host).toBe("gpu-box");
    const args = entry.args.slice(2).map((a) => (a === s.httpUrl ? a.replace(/:\d+\//, `:${fixture.port}/`) : a));
    const client = await run(args);
    try {
      expect(client.getServerVersion()?.name).toBe("mcp-ssh-http-fixture");
      expect(textOf(await client.callTool({ name: "echo", arguments: { text: "from the README" } }))).toBe("from the README");
    } finally {
      await client.close();
    }
  });
});
