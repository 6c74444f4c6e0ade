// Run by Bun and by Deno (not by Node): the library, unchanged, on another runtime. Connects to
// sshd through the runtime's native TCP adapter (chosen by src/platform), downloads a file with
// exec and hashes it, and, when asked, runs MCP initialize + tools/list + tools/call through
// SSHClientTransport. Prints one line `RESULT {json}` for the test to check; exits 1 on failure.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { SSHClient } from "../../src/entries/index.js";
import { detectRuntime } from "../../src/platform/select-tcp.js";

export interface CheckConfig {
  host: string;
  port: number;
  username: string;
  privateKeyPath: string;
  hostKeyFingerprint: string;
  /** Remote file to `cat`; its bytes are hashed here. Skipped when absent. */
  downloadPath?: string;
  /** Command line of an MCP server on the remote side; skipped when absent. */
  mcpCommand?: string;
}

declare const Deno: { args: string[] } | undefined;

function args(): string[] {
  if (typeof Deno !== "undefined") return Deno.args;
  return (globalThis as unknown as { process: { argv: string[] } }).process.argv.slice(2);
}

async function download(config: CheckConfig): Promise<{ bytes: number; sha256: string; exitCode: number | null; tcp: string } | undefined> {
  if (config.downloadPath === undefined) return undefined;
  const client = await SSHClient.connect({
    host: config.host,
    port: config.port,
    username: config.username,
    privateKeyPath: config.privateKeyPath,
    hostKeyFingerprints: [config.hostKeyFingerprint],
  });
  try {
    const channel = await client.exec(`cat '${config.downloadPath}'`);
    const hash = sha256.create();
    let bytes = 0;
    const stderr = new Response(channel.stderr).text();
    const reader = channel.stdout.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      hash.update(r.value);
      bytes += r.value.byteLength;
    }
    const exit = await channel.exit;
    const errText = await stderr;
    if (errText !== "") throw new Error(`remote cat wrote to stderr: ${errText}`);
    return { bytes, sha256: bytesToHex(hash.digest()), exitCode: exit.code, tcp: detectRuntime() };
  } finally {
    await client.close();
  }
}

async function mcp(config: CheckConfig): Promise<unknown> {
  if (config.mcpCommand === undefined) return undefined;
  const { runMcpCheck } = await import("./mcp-check.js");
  return runMcpCheck(config);
}

async function main(): Promise<void> {
  const [json] = args();
  if (json === undefined) throw new Error("usage: ssh-check.ts '<config json>'");
  const config = JSON.parse(json) as CheckConfig;
  const result = { runtime: detectRuntime(), download: await download(config), mcp: await mcp(config) };
  console.log(`RESULT ${JSON.stringify(result)}`);
}

main().then(
  () => {
    // Nothing may keep the runtime alive after a clean close; exit explicitly all the same.
    exitWith(0);
  },
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
