// Start bench/lib/http-mcp-server.mjs (the SDK's Streamable HTTP server with an echo tool) in its
// own process on a free port of 127.0.0.1: `{ port, url, child }`; stop it with child.kill().
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const SERVER = fileURLToPath(new URL("./http-mcp-server.mjs", import.meta.url));

export function startHttpMcpServer({ timeoutMs = 20_000 } = {}) {
  const child = spawn(process.execPath, [SERVER], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the benchmark's HTTP MCP server did not start within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the benchmark's HTTP MCP server exited (${code})`));
    });
    createInterface({ input: child.stdout }).once("line", (line) => {
      clearTimeout(timer);
      const m = /^listening (\d+)$/.exec(line);
      if (!m) {
        child.kill("SIGKILL");
        reject(new Error(`the benchmark's HTTP MCP server printed ${line}`));
        return;
      }
      const port = Number(m[1]);
      resolve({ port, url: `http://127.0.0.1:${port}/mcp`, child });
    });
  });
}
