// The library unchanged on Bun and Deno (from npm): each runs test/runtimes/ssh-check.ts against
// a real sshd through its native TCP adapter: a 64 MiB exec download checked by SHA-256, and MCP
// initialize + tools/call through SSHClientTransport.
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeClientKey, startSshd, type ClientKey, type TestServer } from "./helpers/servers.js";
import { parseResult, runScript, type ForeignRuntime } from "./runtimes/run-runtime.js";

const MiB = 1024 * 1024;
const SCRIPT = "test/runtimes/ssh-check.ts";
const MCP_SERVER = join(import.meta.dirname, "..", "fixtures", "mcp", "tools-server.mjs");

interface CheckResult {
  runtime: string;
  download?: { bytes: number; sha256: string; exitCode: number | null; tcp: string };
  mcp?: { serverName: string; tools: string[]; echo: string; add: string };
}

let dir: string;
let bigFile: string;
let bigSha: string;
let sshd: TestServer;
let key: ClientKey;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mcp-ssh-runtimes-"));
  bigFile = join(dir, "download.bin");
  const data = randomBytes(64 * MiB);
  writeFileSync(bigFile, data);
  bigSha = createHash("sha256").update(data).digest("hex");
  key = await makeClientKey();
  sshd = await startSshd({ authorizedKeys: [key.publicKeyLine] });
});

afterAll(async () => {
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.each<ForeignRuntime>(["bun", "deno"])("on %s", (runtime) => {
  const base = () => ({
    host: sshd.host,
    port: sshd.port,
    username: sshd.username,
    privateKeyPath: key.path,
    hostKeyFingerprint: sshd.hostKeyFingerprint,
  });

  it("downloads 64 MiB over exec through the runtime's own TCP socket, intact", { timeout: 180_000 }, async () => {
    const run = await runScript(runtime, SCRIPT, [JSON.stringify({ ...base(), downloadPath: bigFile })]);
    const result = parseResult<CheckResult>(run, `${runtime} ${SCRIPT}`);
    expect(result.runtime).toBe(runtime);
    expect(result.download?.tcp).toBe(runtime);
    expect(result.download?.bytes).toBe(64 * MiB);
    expect(result.download?.sha256).toBe(bigSha);
    expect(result.download?.exitCode).toBe(0);
  });

  it("runs MCP initialize, tools/list and tools/call through SSHClientTransport", { timeout: 120_000 }, async () => {
    const config = { ...base(), mcpCommand: `${process.execPath} ${MCP_SERVER}` };
    const run = await runScript(runtime, SCRIPT, [JSON.stringify(config)]);
    const result = parseResult<CheckResult>(run, `${runtime} ${SCRIPT}`);
    expect(result.runtime).toBe(runtime);
    expect(result.mcp?.serverName).toBe("mcp-ssh-fixture");
    expect(result.mcp?.tools).toEqual(expect.arrayContaining(["echo", "add"]));
    expect(result.mcp?.echo).toBe(`hello from ${runtime}`);
    expect(result.mcp?.add).toBe("5");
  });
});
