// The `mcp-ssh` command as an MCP host runs it: the SDK's StdioClientTransport spawns
// `node cli.js ...`, and the proxy relays to the fixture MCP server run by a real sshd.
// Refusals and the default key are in cli-refusals.test.ts.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processGone, recordingClient, textOf, toolsServerCommand } from "../fixtures/mcp/fixture-client.js";
import { buildCli, CLI, spawnCli, waitForStdoutLine } from "./cli-helpers.js";
import { makeClientKey, startSshd, type ClientKey, type TestServer } from "./helpers/servers.js";
import { expectConcurrentCallsAnswered, expectLargeResultIntact, expectRequestsRelayed, expectToolsAnswer } from "./helpers/mcp.js";

let key: ClientKey;
let encryptedKey: ClientKey;
let forced: TestServer;
let plain: TestServer;
let work: string;
let removeCli: (() => void) | undefined;
const knownHostsOf = new Map<TestServer, string>();

beforeAll(async () => {
  const built = buildCli();
  [key, encryptedKey] = await Promise.all([makeClientKey(), makeClientKey({ passphrase: "correct horse", rounds: 4 })]);
  [forced, plain] = await Promise.all([
    startSshd({
      authorizedKeys: [key.publicKeyLine, encryptedKey.publicKeyLine],
      config: [`ForceCommand ${toolsServerCommand(["--name", "forced"])}`, "AcceptEnv MCP_SSH_TEST_*"],
    }),
    startSshd({
      authorizedKeys: [key.publicKeyLine],
      config: [`Subsystem mcp ${toolsServerCommand(["--name", "subsystem"])}`],
    }),
  ]);
  work = mkdtempSync(join(tmpdir(), "mcp-ssh-cli-"));
  for (const server of [forced, plain]) {
    const path = join(work, `known_hosts_${server.port}`);
    writeFileSync(path, `${server.knownHostsLine}\n`);
    knownHostsOf.set(server, path);
  }
  removeCli = await built;
});

afterAll(async () => {
  await Promise.all([forced?.stop(), plain?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
  removeCli?.();
});

function cliArgs(server: TestServer, extra: string[] = [], clientKey = key.path): string[] {
  return [
    "--host", server.host,
    "--port", String(server.port),
    "--username", server.username,
    "--client-key", clientKey,
    "--known-hosts", knownHostsOf.get(server)!,
    ...extra,
  ];
}

/** The SDK's Client on a StdioClientTransport that runs our CLI, as an MCP host would. */
async function viaCli(server: TestServer, extra: string[] = [], env: Record<string, string> = {}) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, ...cliArgs(server, extra)],
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  const recording = recordingClient();
  await recording.client.connect(transport);
  return { ...recording, transport, stderr: () => stderr };
}

const INITIALIZE =
  '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}';

describe("mcp-ssh proxy driven by the SDK's StdioClientTransport", () => {
  it("initializes, lists tools and calls them", async () => {
    const { client, stderr } = await viaCli(forced);
    try {
      await expectToolsAnswer(client, "forced");
      // Logs go to stderr (the remote's stderr included).
      expect(stderr()).toContain("remote: forced: ready");
    } finally {
      await client.close();
    }
  });

  it("carries a 5 MiB tool result intact", async () => {
    const { client } = await viaCli(forced);
    try {
      await expectLargeResultIntact(client);
    } finally {
      await client.close();
    }
  });

  it("answers 100 concurrent calls", async () => {
    const { client } = await viaCli(forced);
    try {
      await expectConcurrentCallsAnswered(client);
    } finally {
      await client.close();
    }
  });

  it("relays sampling, roots and elicitation requests and a notification, and the answers come back", async () => {
    const recording = await viaCli(forced);
    try {
      await expectRequestsRelayed(recording);
    } finally {
      await recording.client.close();
    }
  });

  it("runs the server as an exec command (--command)", async () => {
    const { client } = await viaCli(plain, ["--command", toolsServerCommand(["--name", "exec"])]);
    try {
      expect(client.getServerVersion()?.name).toBe("exec");
      expect(textOf(await client.callTool({ name: "echo", arguments: { text: "exec" } }))).toBe("exec");
    } finally {
      await client.close();
    }
  });

  it("runs the server as a subsystem (--subsystem)", async () => {
    const { client } = await viaCli(plain, ["--subsystem", "mcp"]);
    try {
      expect(client.getServerVersion()?.name).toBe("subsystem");
      expect(textOf(await client.callTool({ name: "add", arguments: { a: 1, b: 1 } }))).toBe("2");
    } finally {
      await client.close();
    }
  });

  it("sends --env and decrypts a key with MCP_SSH_PASSPHRASE", async () => {
    const transportArgs = ["--env", "MCP_SSH_TEST_SHAPE=circle", "--client-key", encryptedKey.path];
    const { client } = await viaCli(forced, transportArgs, { MCP_SSH_PASSPHRASE: "correct horse" });
    try {
      const value = JSON.parse(textOf(await client.callTool({ name: "env", arguments: { name: "MCP_SSH_TEST_SHAPE" } })));
      expect(value).toBe("circle");
    } finally {
      await client.close();
    }
  });
});

describe("mcp-ssh proxy life cycle", () => {
  it("exits 0 when the host closes stdin, and the remote server process ends", async () => {
    const run = spawnCli(cliArgs(forced));
    run.child.stdin.write(`${INITIALIZE}\n`);
    await waitForStdoutLine(run, (l) => l.includes('"id":1'), 20_000);
    run.child.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
    run.child.stdin.write('{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"pid","arguments":{}}}\n');
    const reply = JSON.parse(await waitForStdoutLine(run, (l) => l.includes('"id":2'), 20_000));
    const pid = Number(reply.result.content[0].text);
    expect(await processGone(pid, 0)).toBe(false);
    run.child.stdin.end();
    expect(await run.exited(10_000)).toEqual({ code: 0, signal: null });
    expect(await processGone(pid, 5000)).toBe(true);
    // stdout held only JSON-RPC messages.
    for (const line of run.stdout().split("\n").filter((l) => l !== "")) {
      expect(JSON.parse(line).jsonrpc).toBe("2.0");
    }
  });

  it("closing the SDK client ends the remote server process", async () => {
    const { client, transport } = await viaCli(forced);
    const pid = Number(textOf(await client.callTool({ name: "pid" })));
    const cliPid = transport.pid!;
    await client.close();
    expect(await processGone(pid, 5000)).toBe(true);
    expect(await processGone(cliPid, 5000)).toBe(true);
  });

  it("exits with the remote's status when the remote server exits, and the SDK sees the close", async () => {
    const { client, transport } = await viaCli(forced);
    const closed = new Promise<void>((resolve) => {
      const onclose = transport.onclose;
      transport.onclose = () => {
        onclose?.();
        resolve();
      };
    });
    expect(textOf(await client.callTool({ name: "exit", arguments: { code: 0 } }))).toBe("bye");
    await closed;

    const run = spawnCli(cliArgs(forced));
    run.child.stdin.write(`${INITIALIZE}\n`);
    await waitForStdoutLine(run, (l) => l.includes('"id":1'), 20_000);
    run.child.stdin.write('{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"exit","arguments":{"code":7}}}\n');
    expect(await run.exited(10_000)).toEqual({ code: 7, signal: null });
    expect(run.stderr()).toContain("exited with code 7");
  });

  it("holds the remote back while the host does not read, and still exits when the host closes stdin", async () => {
    const run = spawnCli(cliArgs(forced));
    run.child.stdin.write(`${INITIALIZE}\n`);
    await waitForStdoutLine(run, (l) => l.includes('"id":1'), 20_000);
    const rssKiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${run.child.pid}/status`, "utf8"))?.[1]);
    const idle = rssKiB();
    run.child.stdout.pause();
    // 128 MiB of results (256 answers of 512 KiB) that nobody reads: the pipe, the proxy and the
    // SSH window fill, then the remote server is held back. Without flow control end to end, the
    // proxy would hold most of it in memory.
    let calls = "";
    for (let id = 2; id < 258; id++) {
      const call = { jsonrpc: "2.0", id, method: "tools/call", params: { name: "repeat", arguments: { unit: "z".repeat(1024), count: 512 } } };
      calls += `${JSON.stringify(call)}\n`;
    }
    run.child.stdin.write(calls);
    await new Promise((r) => setTimeout(r, 2000));
    const held = rssKiB();
    expect(held - idle).toBeLessThan(48 * 1024);
    run.child.stdin.end();
    expect((await run.exited(15_000)).code).toBe(0);
  });

  it("drops a line from the host that is not JSON, says so on stderr, and relays the next", async () => {
    const run = spawnCli(cliArgs(forced));
    run.child.stdin.write(`${INITIALIZE}\n`);
    await waitForStdoutLine(run, (l) => l.includes('"id":1'), 20_000);
    run.child.stdin.write('{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"pid","arguments":{}},}\n');
    run.child.stdin.write('{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"pid","arguments":{}}}\n');
    await waitForStdoutLine(run, (l) => l.includes('"id":3'), 20_000);
    run.child.stdin.end();
    expect((await run.exited(10_000)).code).toBe(0);
    expect(run.stderr()).toMatch(/from the MCP host: a line is not JSON and was dropped: "\{\\"jsonrpc\\":\\"2\.0\\",\\"id\\":2,/);
    expect(run.stdout()).not.toContain('"id":2');
  });

  it("keeps the remote's stderr off stdout", async () => {
    const run = spawnCli(cliArgs(forced));
    run.child.stdin.write(`${INITIALIZE}\n`);
    await waitForStdoutLine(run, (l) => l.includes('"id":1'), 20_000);
    const fake = '{"jsonrpc":"2.0","method":"notifications/fake-from-stderr"}';
    const call = { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "stderr", arguments: { text: fake } } };
    run.child.stdin.write(`${JSON.stringify(call)}\n`);
    await waitForStdoutLine(run, (l) => l.includes('"id":2'), 20_000);
    run.child.stdin.end();
    expect((await run.exited(10_000)).code).toBe(0);
    expect(run.stderr()).toContain(`remote: ${fake}`);
    expect(run.stdout()).not.toContain("fake-from-stderr");
  });
});
