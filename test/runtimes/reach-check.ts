// Run by Bun and by Deno (not by Node): issue 19's reach features on another runtime, unchanged.
// Connects to the target sshd through a jump host (the same sshd as hop), then drives the MCP
// SDK's StreamableHTTPClientTransport with sshFetch against an HTTP MCP server on 127.0.0.1
// behind it. Prints one line `RESULT {json}`; exits 1 on failure.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { SSHClient, sshFetch } from "../../src/entries/index.js";
import { detectRuntime } from "../../src/platform/select-tcp.js";

interface ReachConfig {
  host: string;
  port: number;
  username: string;
  privateKeyPath: string;
  hostKeyFingerprint: string;
  httpUrl: string;
}

declare const Deno: { args: string[] } | undefined;

function args(): string[] {
  if (typeof Deno !== "undefined") return Deno.args;
  return (globalThis as unknown as { process: { argv: string[] } }).process.argv.slice(2);
}

async function main(): Promise<void> {
  const [json] = args();
  if (json === undefined) throw new Error("usage: reach-check.ts '<config json>'");
  const c = JSON.parse(json) as ReachConfig;
  const pins = { privateKeyPath: c.privateKeyPath, hostKeyFingerprints: [c.hostKeyFingerprint] };
  const client = await SSHClient.connect({
    host: c.host,
    port: c.port,
    username: c.username,
    ...pins,
    jump: [{ host: c.host, port: c.port, ...pins }],
  });
  try {
    const mcp = new Client({ name: "reach-check", version: "1.0.0" });
    await mcp.connect(new StreamableHTTPClientTransport(new URL(c.httpUrl), { fetch: sshFetch(client) }));
    const text = (r: unknown) => ((r as { content: Array<{ text: string }> }).content[0]?.text ?? "");
    const echo = text(await mcp.callTool({ name: "echo", arguments: { text: `hello from ${detectRuntime()}` } }));
    const big = text(await mcp.callTool({ name: "repeat", arguments: { unit: "ab", count: 512 * 1024 } }));
    await mcp.close();
    console.log(`RESULT ${JSON.stringify({ runtime: detectRuntime(), hops: client.jumpHosts.length, echo, bigLength: big.length })}`);
  } finally {
    await client.close();
  }
}

main().then(
  () => exitWith(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    exitWith(1);
  },
);

function exitWith(code: number): void {
  const g = globalThis as unknown as { Deno?: { exit(c: number): never }; process?: { exit(c: number): never } };
  if (g.Deno) g.Deno.exit(code);
  else g.process?.exit(code);
}
