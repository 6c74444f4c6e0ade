// The fixture Streamable HTTP / SSE MCP server (fixtures/mcp/http-server.mjs) in its own process.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { REPO_ROOT } from "../../fixtures/mcp/fixture-client.js";

/** Start the fixture HTTP MCP server; resolves with its port once it listens. */
export function startHttpFixture(): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, "fixtures/mcp/http-server.mjs")], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the HTTP fixture did not start within 20 s")), 20_000);
    child.once("exit", (code) => reject(new Error(`the HTTP fixture exited (${code})`)));
    createInterface({ input: child.stdout! }).once("line", (line) => {
      clearTimeout(timer);
      const m = /^listening (\d+)$/.exec(line);
      if (m) resolve({ port: Number(m[1]), child });
      else reject(new Error(`unexpected fixture output: ${line}`));
    });
  });
}
