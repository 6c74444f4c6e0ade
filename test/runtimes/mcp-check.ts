// MCP over SSH from Bun / Deno: the SDK's own Client on SSHClientTransport (see ssh-check.ts).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSHClientTransport } from "../../src/entries/index.js";
import type { CheckConfig } from "./ssh-check.js";

function firstText(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  const text = content.find((part) => part.type === "text")?.text;
  if (text === undefined) throw new Error(`tool result without text: ${JSON.stringify(result)}`);
  return text;
}

export async function runMcpCheck(config: CheckConfig): Promise<{ serverName: string; tools: string[]; echo: string; add: string }> {
  const transport = new SSHClientTransport({
    host: config.host,
    port: config.port,
    username: config.username,
    clientKeys: [config.privateKeyPath],
    hostKeyFingerprints: [config.hostKeyFingerprint],
    command: config.mcpCommand,
  });
  const client = new Client({ name: "mcp-ssh runtime check", version: "1.0.0" });
  await client.connect(transport);
  try {
    const runtime = (globalThis as { Deno?: unknown }).Deno ? "deno" : "bun";
    const { tools } = await client.listTools();
    const echo = await client.callTool({ name: "echo", arguments: { text: `hello from ${runtime}` } });
    const add = await client.callTool({ name: "add", arguments: { a: 2, b: 3 } });
    return {
      serverName: client.getServerVersion()?.name ?? "",
      tools: tools.map((t) => t.name),
      echo: firstText(echo),
      add: firstText(add),
    };
  } finally {
    await client.close();
  }
}
