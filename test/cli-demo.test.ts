// `npm run demo`, the README's main job: it must work with no configuration and clean up after itself.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../fixtures/mcp/fixture-client.js";
import { buildCli, CLI } from "./cli-helpers.js";

let removeCli: (() => void) | undefined;
beforeAll(async () => {
  removeCli = await buildCli();
});
afterAll(() => removeCli?.());

function runDemo(env: Record<string, string>, script = "demo.mjs"): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, "scripts", script)],
      { env: { ...process.env, MCP_SSH_DEMO_CLI: CLI, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, stdout, stderr }),
    );
  });
}

describe("npm run demo", () => {
  it("is wired to the built command", () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
    expect(pkg.scripts.demo).toBe("node scripts/demo.mjs");
    expect(pkg.scripts["demo:openssh"]).toBe("node scripts/demo-openssh.mjs");
    expect(pkg.bin).toEqual({ "mcp-ssh": "./dist/cli.js" });
    expect(readFileSync(join(REPO_ROOT, "src", "cli", "main.ts"), "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  });

  it("lists the remote server's tools and prints call results over mcp-ssh serve, then stops it", async () => {
    const { code, stdout, stderr } = await runDemo({});
    expect(stdout).toContain("mcp-ssh serve -- node fixtures/mcp/demo-server.mjs");
    expect(stdout).toContain("Stopped mcp-ssh serve and removed its directory. Done.");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain('Connected over SSH to MCP server "mcp-ssh-demo" 1.0.0.');
    expect(stdout).toMatch(/^ {2}add +Add two numbers$/m);
    expect(stdout).toContain("call add {\"a\":2,\"b\":40}\n  -> 42");
    // whereami runs on the far side of sshd, which sets SSH_CONNECTION for the session.
    expect(stdout).toMatch(/SSH_CONNECTION=127\.0\.0\.1 \d+ 127\.0\.0\.1 \d+/);
    const pid = Number(/\(pid (\d+)\)/.exec(stdout)?.[1]);
    expect(pid).toBeGreaterThan(1);
    expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: "ESRCH" }));
  });

  it("demo:openssh does the same over a private sshd", async () => {
    const { code, stdout, stderr } = await runDemo({}, "demo-openssh.mjs");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain("call add {\"a\":2,\"b\":40}\n  -> 42");
  });

  it("demo:openssh says what to install when sshd is missing", async () => {
    const { code, stderr } = await runDemo({ MCP_SSH_DEMO_SSHD: "/nonexistent/sshd" }, "demo-openssh.mjs");
    expect(code).toBe(1);
    expect(stderr).toContain("apt-get install openssh-server");
  });
});
