// The proxy's initialize watch on its own: what counts as a shell reading our JSON, which request
// it waits for, and that it concludes once (the end-to-end cases are in cli-readme-command.test.ts).
import { describe, expect, it } from "vitest";
import { initializeRequestId, InitWatch, isShellNoise, type InitFailure } from "../src/cli/init-watch.js";

describe("isShellNoise", () => {
  it("recognises shells running the JSON line, and not an MCP server's own complaints", () => {
    for (const line of [
      "-bash: line 1: jsonrpc:2.0: command not found",
      "-bash: line 1: method:initialize: command not found",
      "sh: 1: {method:initialize,params:{protocolVersion:2025-06-18}}: not found",
      'sh: 1: {"jsonrpc":"2.0","id":0,"method":"initialize"}: not found',
      "zsh: command not found: jsonrpc:2.0",
      "fish: Unknown command: jsonrpc:2.0",
      '-bash: line 1: syntax error near unexpected token `"jsonrpc"\'',
    ]) {
      expect(isShellNoise(line), line).toBe(true);
    }
    for (const line of ["Error: Cannot find module 'zod'", "server: config file not found", "ready", "uvx: command not found", "plugin initialize hook not found"]) {
      expect(isShellNoise(line), line).toBe(false);
    }
  });
});

describe("InitWatch", () => {
  it("waits only for the host's initialize request, and stops when the remote speaks JSON", () => {
    expect(initializeRequestId({ jsonrpc: "2.0", id: 7, method: "initialize" })).toBe(7);
    expect(initializeRequestId({ jsonrpc: "2.0", id: "a", method: "initialize" })).toBe("a");
    expect(initializeRequestId({ jsonrpc: "2.0", method: "initialize" })).toBeUndefined();
    expect(initializeRequestId({ jsonrpc: "2.0", id: 1, method: "ping" })).toBeUndefined();

    const failures: InitFailure[] = [];
    const watch = new InitWatch({ timeoutMs: 0, start: {}, onFailure: (f) => failures.push(f) });
    // Other noise before initialize is only remembered.
    watch.remoteNoise("Welcome to the MCP host");
    expect(failures).toEqual([]);
    watch.sent({ jsonrpc: "2.0", id: 1, method: "initialize" });
    expect(watch.pending).toBe(1);
    watch.remoteSpoke();
    expect(watch.pending).toBeUndefined();
    watch.remoteNoise("-bash: line 2: jsonrpc:2.0: command not found");
    watch.remoteEnded("the remote MCP server exited with code 0");
    expect(failures).toEqual([]);
  });

  it("counts shell noise that arrived before the initialize write was acknowledged", () => {
    const failures: InitFailure[] = [];
    const watch = new InitWatch({ timeoutMs: 0, start: {}, onFailure: (f) => failures.push(f) });
    watch.remoteNoise("-bash: line 1: jsonrpc:2.0: command not found");
    watch.sent({ jsonrpc: "2.0", id: 1, method: "initialize" });
    expect(failures).toEqual([{ kind: "shell" }]);
  });

  it("fails once, on shell noise, with an error answer to the pending id", () => {
    const failures: InitFailure[] = [];
    const watch = new InitWatch({ timeoutMs: 0, start: { subsystem: "mcp" }, onFailure: (f) => failures.push(f) });
    watch.sent({ jsonrpc: "2.0", id: "init-1", method: "initialize" });
    watch.remoteNoise("sh: 1: jsonrpc:2.0: not found");
    watch.remoteNoise("sh: 2: jsonrpc:2.0: not found");
    watch.remoteEnded("the remote MCP server exited with code 127");
    expect(failures).toEqual([{ kind: "shell" }]);
    const answer = JSON.parse(watch.errorAnswer(failures[0]!)!);
    expect(answer).toMatchObject({ jsonrpc: "2.0", id: "init-1", error: { code: -32000 } });
    expect(answer.error.message).toContain('"Subsystem mcp ..." line in sshd_config');
  });

  it("fails after the timeout when nothing MCP came back", async () => {
    const failures: InitFailure[] = [];
    const watch = new InitWatch({ timeoutMs: 50, start: {}, onFailure: (f) => failures.push(f) });
    watch.sent({ jsonrpc: "2.0", id: 1, method: "initialize" });
    await new Promise((r) => setTimeout(r, 150));
    expect(failures).toEqual([{ kind: "timeout", seconds: 0.05 }]);
    expect(watch.explain(failures[0]!)).toContain("It printed nothing.");
  });
});
