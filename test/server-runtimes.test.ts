// Issue 18: `mcp-ssh serve` on Bun and Deno (both from npm), through their Node compatibility:
// each runtime runs the CLI's serve, and OpenSSH's ssh reaches the MCP server behind it.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli, CLI } from "./cli-helpers.js";
import { freePort } from "./helpers/free-port.js";
import { runProgram } from "./helpers/tools.js";
import { TOOLS_SERVER } from "../fixtures/mcp/fixture-client.js";

const BIN = join(import.meta.dirname, "..", "node_modules", ".bin");
let work: string;
let removeCli: (() => void) | undefined;

beforeAll(async () => {
  removeCli = await buildCli();
  work = mkdtempSync(join(tmpdir(), "mcp-ssh-serve-runtimes-"));
  for (const name of ["host", "client"]) await runProgram("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(work, name)], undefined, 20_000);
});
afterAll(() => {
  removeCli?.();
  if (work) rmSync(work, { recursive: true, force: true });
});

const INIT = '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}\n';

describe.each([
  ["bun", (_port: number) => [join(BIN, "bun"), [CLI]]],
  ["deno", (_port: number) => [join(BIN, "deno"), ["run", "--node-modules-dir=manual", "--cached-only", "-A", CLI]]],
] as const)("serve on %s", (runtime, command) => {
  it("answers OpenSSH's ssh -s mcp", async () => {
    const port = await freePort();
    const [file, pre] = command(port) as [string, string[]];
    const args = [...pre, "serve", "--host", "127.0.0.1", "--port", String(port), "--host-key", join(work, "host"), "--authorized-keys", join(work, "client.pub"), "--", process.execPath, TOOLS_SERVER, "--name", runtime];
    const child: ChildProcess = spawn(file, args, { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (log += d));
    try {
      for (let i = 0; i < 300 && !/Server listening/.test(log); i++) await new Promise((r) => setTimeout(r, 100));
      expect(log, `${runtime} did not start serve (is it installed from npm?)`).toMatch(/Server listening/);
      const hostKey = readFileSync(join(work, "host.pub"), "utf8").split(" ").slice(0, 2).join(" ");
      const known = join(work, `known_hosts_${runtime}`);
      writeFileSync(known, `[127.0.0.1]:${port} ${hostKey}\n`);
      const r = await runProgram(
        "ssh",
        ["-F", "none", "-T", "-p", String(port), "-i", join(work, "client"), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", `UserKnownHostsFile=${known}`, "mcp@127.0.0.1", "-s", "mcp"],
        INIT,
        30_000,
      );
      expect(r.stdout).toContain(`"serverInfo":{"name":"${runtime}"`);
      expect(log).toMatch(/Accepted publickey for mcp/);
    } finally {
      child.kill("SIGTERM");
    }
  }, 90_000);
});
