// Issue 18: `mcp-ssh serve --websocket-port`: SSH over WebSocket without a relay (our client over
// connectWebSocket, as a browser page would), with the Origin allow-list enforced.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket as WS } from "ws";
import "../src/platform/node.js";
import { SSHClient } from "../src/ssh/client.js";
import { connectWebSocket, type WebSocketConstructor } from "../src/ssh/io/websocket.js";
import { generateEd25519Key } from "../src/ssh/keys/generate-key.js";
import { runServeCli } from "../src/cli/serve.js";
import { makeClientKey, type ClientKey } from "./helpers/servers.js";
import { toolsServer } from "./helpers/serve.js";

const ORIGIN = "https://app.example";
let key: ClientKey;
let dir: string;
let hostFingerprint: string;
let stop: AbortController;
let done: Promise<number>;
const lines: string[] = [];
let ports: { port: number; websocketPort?: number };

function withOrigin(origin: string): WebSocketConstructor {
  return class extends WS {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { origin });
    }
  } as unknown as WebSocketConstructor;
}

beforeAll(async () => {
  key = await makeClientKey();
  dir = mkdtempSync(join(tmpdir(), "mcp-ssh-serve-ws-"));
  const host = await generateEd25519Key();
  writeFileSync(join(dir, "host_key"), host.privateKey, { mode: 0o600 });
  writeFileSync(join(dir, "authorized_keys"), `${key.publicKeyLine}\n`);
  hostFingerprint = host.fingerprint;
  stop = new AbortController();
  const server = toolsServer("serve-ws");
  ports = await new Promise((resolve, reject) => {
    done = runServeCli(
      ["--host", "127.0.0.1", "--port", "0", "--host-key", join(dir, "host_key"), "--authorized-keys", join(dir, "authorized_keys"),
        "--websocket-port", "0", "--allow-origin", ORIGIN, "--", server.command, ...server.args],
      { signal: stop.signal, writeLog: (l) => lines.push(l), onListening: resolve },
    );
    void done.then((code) => reject(new Error(`serve exited with ${code}: ${lines.join("\n")}`)));
  });
});
afterAll(async () => {
  stop?.abort();
  await done;
  rmSync(dir, { recursive: true, force: true });
});

describe("serve --websocket-port", () => {
  it("our client over a WebSocket from an allowed Origin reaches the MCP server", async () => {
    const stream = await connectWebSocket(`ws://127.0.0.1:${ports.websocketPort}`, { WebSocket: withOrigin(ORIGIN) });
    const client = await SSHClient.connect({ stream, username: "mcp", privateKey: key.privateKey, hostKeyFingerprints: [hostFingerprint] });
    const ch = await client.exec("mcp");
    const w = ch.stdin.getWriter();
    await w.write(new TextEncoder().encode(`${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } })}\n`));
    await w.close();
    const text = await new Response(ch.stdout).text();
    expect(JSON.parse(text.split("\n")[0]!).result.serverInfo.name).toBe("serve-ws");
    await client.close();
    expect(lines.join("\n")).toMatch(/Accepted publickey for mcp from 127\.0\.0\.1/);
  });

  it("a WebSocket from another Origin is refused before any SSH byte", async () => {
    await expect(connectWebSocket(`ws://127.0.0.1:${ports.websocketPort}`, { WebSocket: withOrigin("https://evil.example"), timeoutMs: 5000 })).rejects.toThrow();
    expect(lines.join("\n")).toMatch(/refused WebSocket from .*Origin "https:\/\/evil\.example" is not allowed/);
  });
});
