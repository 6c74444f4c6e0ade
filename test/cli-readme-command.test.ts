// The README's Claude Desktop entry, run as written (its `npx -y mcp-over-ssh` resolved to the
// local build; host, port and known_hosts pointed at a private sshd; HOME a throwaway directory
// holding the default m2m key). Against an sshd WITH ForceCommand it works. Against one WITHOUT,
// the login shell reads the JSON as commands: the CLI must not hang. It says what happened and how
// to fix it on stderr, answers the pending initialize with a JSON-RPC error, and exits non-zero,
// well within the stated default --init-timeout (20 s).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordingClient, REPO_ROOT, toolsServerCommand } from "../fixtures/mcp/fixture-client.js";
import { writeKeyPair } from "../src/platform/node/key-files.js";
import { DEFAULT_INIT_TIMEOUT_S } from "../src/cli/init-watch.js";
import { buildCli, CLI, spawnCli } from "./cli-helpers.js";
import { startSshd, type TestServer } from "./helpers/servers.js";

const INITIALIZE =
  '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}';

let home: string;
let forced: TestServer;
let shell: TestServer;
let silent: TestServer;
let removeCli: (() => void) | undefined;

/** The README's Claude Desktop entry: command and args as a user would paste them. */
function readmeEntry(): { command: string; args: string[] } {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const block = /Claude Desktop \(`claude_desktop_config.json`[^)]*\):\s*```json\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error("README has no Claude Desktop json block");
  const config = JSON.parse(block[1]!) as { mcpServers: Record<string, { command: string; args: string[] }> };
  const [entry] = Object.values(config.mcpServers);
  return entry!;
}

/** The entry's arguments for `node <local build>`, pointed at `server`. */
function readmeArgs(server: TestServer, extra: string[] = []): string[] {
  const { command, args } = readmeEntry();
  // As written: npx runs our package (its bin is mcp-ssh), which is the local build here.
  expect(command).toBe("npx");
  expect(args.slice(0, 2)).toEqual(["-y", "mcp-over-ssh"]);
  const local: Record<string, string> = {
    "--host": server.host,
    "--port": String(server.port),
    "--username": server.username,
    "--known-hosts": join(home, ".ssh", `known_hosts_${server.port}`),
  };
  const out = args.slice(2);
  for (let i = 0; i < out.length; i++) {
    const value = local[out[i]!];
    if (value !== undefined) out[++i] = value;
  }
  // Every flag the README sets is one we repoint; nothing else (no --client-key: the default key).
  expect(out.filter((a) => a.startsWith("--")).sort()).toEqual(["--host", "--known-hosts", "--port", "--username"]);
  return [...out, ...extra];
}

beforeAll(async () => {
  const built = buildCli();
  home = mkdtempSync(join(tmpdir(), "mcp-ssh-readme-home-"));
  // The README's entry has no --client-key: the default m2m key, here already enrolled.
  const key = await writeKeyPair(join(home, ".ssh", "m2m_mcp_server_ssh_client"), { comment: "readme@test" });
  [forced, shell, silent] = await Promise.all([
    startSshd({ authorizedKeys: [key.publicKeyLine], config: [`ForceCommand ${toolsServerCommand(["--name", "forced"])}`] }),
    // No ForceCommand, no Subsystem: a shell request starts root's login shell (bash).
    startSshd({ authorizedKeys: [key.publicKeyLine] }),
    // A command that never answers and never says anything.
    startSshd({ authorizedKeys: [key.publicKeyLine], config: ["ForceCommand exec sleep 120"] }),
  ]);
  for (const server of [forced, shell, silent]) {
    writeFileSync(join(home, ".ssh", `known_hosts_${server.port}`), `${server.knownHostsLine}\n`);
  }
  removeCli = await built;
});

afterAll(async () => {
  await Promise.all([forced?.stop(), shell?.stop(), silent?.stop()]);
  if (home) rmSync(home, { recursive: true, force: true });
  removeCli?.();
});

/** Run the entry with a raw initialize; the answer line, stderr, exit status and elapsed time. */
async function initializeOnce(server: TestServer, extra: string[] = [], waitMs = DEFAULT_INIT_TIMEOUT_S * 1000 + 10_000) {
  const started = Date.now();
  const run = spawnCli(readmeArgs(server, extra), { HOME: home });
  run.child.stdin.write(`${INITIALIZE}\n`);
  const status = await run.exited(waitMs);
  const seconds = (Date.now() - started) / 1000;
  const lines = run.stdout().split("\n").filter((l) => l !== "");
  return { status, seconds, stdout: lines, stderr: run.stderr() };
}

describe("the README's Claude Desktop command line", () => {
  it("works against an sshd with ForceCommand", async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, ...readmeArgs(forced)],
      env: { PATH: process.env.PATH ?? "", HOME: home },
      stderr: "pipe",
    });
    const { client } = recordingClient();
    await client.connect(transport);
    try {
      expect(client.getServerVersion()?.name).toBe("forced");
      expect((await client.listTools()).tools.map((t) => t.name)).toContain("add");
    } finally {
      await client.close();
    }
  });

  it("against an sshd without ForceCommand: exits non-zero at once, with the fix on stderr and an error answer", async () => {
    const { status, seconds, stdout, stderr } = await initializeOnce(shell);
    expect(status.code).not.toBe(0);
    expect(status.code).not.toBeNull();
    // bash says "command not found" at once: no need to wait for the timeout.
    expect(seconds).toBeLessThan(DEFAULT_INIT_TIMEOUT_S);
    expect(stdout).toHaveLength(1);
    const answer = JSON.parse(stdout[0]!);
    expect(answer).toMatchObject({ jsonrpc: "2.0", id: 1, error: { code: -32000 } });
    expect(answer.error.message).toContain("--command");
    expect(stderr).toContain("the remote is a shell, not an MCP server");
    expect(stderr).toMatch(/command not found/);
    for (const fix of ["--command", "--subsystem", "ForceCommand"]) expect(stderr).toContain(fix);
  });

  it("the SDK's client (its own message order) gets the error as the answer to connect(), at once", async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, ...readmeArgs(shell)],
      env: { PATH: process.env.PATH ?? "", HOME: home },
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    const { client } = recordingClient();
    const started = Date.now();
    const failure = await client.connect(transport).then(
      () => undefined,
      (e: Error) => e,
    );
    await client.close().catch(() => {});
    expect(failure?.message).toContain("the remote is a shell, not an MCP server");
    expect((Date.now() - started) / 1000).toBeLessThan(DEFAULT_INIT_TIMEOUT_S);
    expect(stderr).toContain("ForceCommand");
  });

  it("against a remote that says nothing: gives up after --init-timeout with a timeout error answer", async () => {
    const { status, seconds, stdout, stderr } = await initializeOnce(silent, ["--init-timeout", "2"], 15_000);
    expect(status.code).toBe(255);
    expect(seconds).toBeGreaterThanOrEqual(2);
    expect(seconds).toBeLessThan(12);
    expect(stdout).toHaveLength(1);
    expect(JSON.parse(stdout[0]!)).toMatchObject({ jsonrpc: "2.0", id: 1, error: { code: -32001 } });
    expect(stderr).toContain("did not answer MCP's initialize request within 2 s");
    expect(stderr).toContain("--init-timeout");
  });

  it("against a command that exits before answering: its status, and an error answer", async () => {
    const { status, stdout, stderr } = await initializeOnce(shell, ["--command", "echo not an mcp server >&2; exit 3"], 15_000);
    expect(status.code).toBe(3);
    expect(JSON.parse(stdout[0]!)).toMatchObject({ id: 1, error: { code: -32000 } });
    expect(stderr).toContain("exited with code 3 before answering");
    expect(stderr).toContain("not an mcp server");
    expect(stderr).toContain('--command "echo not an mcp server');
  });

  it("against a command that exits at once (before its request is relayed): still its status and an error answer, every time", async () => {
    for (let i = 0; i < 5; i++) {
      const { status, stdout, stderr } = await initializeOnce(shell, ["--command", "exit 4"], 15_000);
      expect(status.code).toBe(4);
      expect(stdout, stderr).toHaveLength(1);
      expect(JSON.parse(stdout[0]!)).toMatchObject({ id: 1, error: { code: -32000 } });
      expect(stderr).toContain("exited with code 4 before answering");
    }
  });

  it("--init-timeout 0 waits as long as the host does (no answer is invented)", async () => {
    const run = spawnCli(readmeArgs(silent, ["--init-timeout", "0"]), { HOME: home });
    run.child.stdin.write(`${INITIALIZE}\n`);
    await new Promise((r) => setTimeout(r, 3000));
    expect(run.stdout()).toBe("");
    run.child.stdin.end();
    expect((await run.exited(15_000)).code).toBe(0);
  });
});
