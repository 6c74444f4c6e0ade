// MCP over SSH from Bun / Deno: the SDK's Client on SSHClientTransport (see ssh-check.ts).
export async function runMcpCheck(_config: unknown): Promise<unknown> {
  throw new Error("SSHClientTransport has not landed yet");
}
