// Issue 18: OpenSSH 10.0's own `ssh` against `mcp-ssh serve`, with its defaults: it negotiates
// mlkem768x25519-sha256 (our server half of the post-quantum kex), reaches the MCP server with
// `-s mcp` and with a command, and answers initialize + tools/call through a raw JSON-RPC exchange.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeClientKey, type ClientKey } from "./helpers/servers.js";
import { runOpenssh10Client } from "./helpers/openssh10.js";
import { startServe, type ServeHarness } from "./helpers/serve.js";

let key: ClientKey;
let serve: ServeHarness;
beforeAll(async () => {
  key = await makeClientKey();
  serve = await startServe({ authorizedKeys: [key.publicKeyLine] });
});
afterAll(() => serve?.stop());

const lines = [
  { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "ssh10", version: "1" } } },
  { jsonrpc: "2.0", method: "notifications/initialized" },
  { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "add", arguments: { a: 2, b: 40 } } },
]
  .map((m) => JSON.stringify(m))
  .join("\n");

describe("OpenSSH 10.0 ssh against serve", () => {
  it.each([
    ["-s mcp", ["-s"], "mcp"],
    ["a command", [], "any-command"],
  ])("%s: mlkem768x25519-sha256, initialize and tools/call", async (_what, args, command) => {
    const r = await runOpenssh10Client({
      host: serve.host,
      port: serve.port,
      username: "mcp",
      privateKeyPath: key.path,
      hostKeyLine: serve.hostKeyLine,
      command,
      args: ["-T", ...args],
      stdin: `${lines}\n`,
      timeoutMs: 30_000,
    });
    expect(r.stderr).toContain("debug1: kex: algorithm: mlkem768x25519-sha256");
    const answers = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { id?: number; result?: { serverInfo?: { name: string }; content?: { text: string }[] } });
    expect(answers.find((a) => a.id === 1)?.result?.serverInfo?.name).toBe("serve-default");
    expect(answers.find((a) => a.id === 2)?.result?.content?.[0]?.text).toBe("42");
    expect(serve.log()).toMatch(/Accepted publickey for mcp from 127\.0\.0\.1/);
  });
});
