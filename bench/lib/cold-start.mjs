// Cold start of a stdio MCP endpoint: spawn a process, write an `initialize` request at once, and
// time until the response line arrives on its stdout. Then end its stdin and wait for it to exit
// (not timed), killing it if it lingers.
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";

const INITIALIZE = `${JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: "mcp-ssh-bench", version: "1.0.0" } },
})}\n`;

/** Milliseconds from spawn(file, args) to the initialize result on stdout. */
export function timeToInitialize(file, args, { timeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(file, args, { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let done = false;
    const finish = (error, ms) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.stdin.end();
      const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
      const settle = () => (error ? reject(error) : resolve(ms));
      if (child.exitCode !== null || child.signalCode !== null) {
        clearTimeout(killer);
        settle();
      } else {
        child.once("exit", () => {
          clearTimeout(killer);
          settle();
        });
      }
    };
    const timer = setTimeout(() => finish(new Error(`${file} gave no initialize result within ${timeoutMs} ms:\n${err}`)), timeoutMs);
    child.once("error", (e) => finish(e));
    child.stderr.on("data", (d) => (err += d));
    child.stdout.on("data", (d) => {
      const t = performance.now();
      out += d;
      for (const line of out.split("\n").slice(0, -1)) {
        let msg;
        try {
          msg = JSON.parse(line);
        } catch {
          return finish(new Error(`not a JSON-RPC line on stdout: ${line.slice(0, 200)}`));
        }
        if (msg.id === 1) {
          if (!msg.result?.serverInfo) return finish(new Error(`initialize failed: ${line}`));
          return finish(null, t - t0);
        }
      }
    });
    child.once("exit", (code) => {
      if (!done) finish(new Error(`${file} exited with ${code} before answering initialize:\n${err}`));
    });
    child.stdin.on("error", () => {});
    child.stdin.write(INITIALIZE);
  });
}
