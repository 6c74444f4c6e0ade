// `serveMcp` in the test process on a free port, with a fresh host key, an authorized_keys file in a
// throwaway directory and every log line kept: what the server-*.test.ts files run clients against.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateEd25519Key } from "../../src/ssh/keys/generate-key.js";
import { serveMcp, type NodeServeMcpOptions, type RunningMcpServer } from "../../src/entries/server.js";
import { TOOLS_SERVER } from "../../fixtures/mcp/fixture-client.js";
import type { Logger } from "../../src/ssh/logger.js";

export interface ServeHarness {
  host: "127.0.0.1";
  port: number;
  username: string;
  dir: string;
  authorizedKeysPath: string;
  hostKeyPath: string;
  hostKeyLine: string;
  hostKeyFingerprint: string;
  knownHostsLine: string;
  /** known_hosts file holding knownHostsLine. */
  knownHostsPath: string;
  running: RunningMcpServer;
  lines: string[];
  log(): string;
  stop(): Promise<void>;
}

export function toolsServer(name: string, extra: string[] = []) {
  return { command: process.execPath, args: [TOOLS_SERVER, "--name", name, ...extra], env: {} };
}

export function recordingLogger(lines: string[]): Logger {
  const at = (level: string) => (m: string) => void lines.push(`${level}: ${m}`);
  return { debug: () => {}, info: at("info"), warn: at("warn"), error: at("error") };
}

export async function startServe(opts: { authorizedKeys: string[] } & Partial<NodeServeMcpOptions>): Promise<ServeHarness> {
  const dir = mkdtempSync(join(tmpdir(), "mcp-ssh-serve-test-"));
  const host = await generateEd25519Key({ comment: "serve-test-host" });
  const hostKeyPath = join(dir, "ssh_host_ed25519_key");
  writeFileSync(hostKeyPath, host.privateKey, { mode: 0o600 });
  const authorizedKeysPath = join(dir, "authorized_keys");
  writeFileSync(authorizedKeysPath, opts.authorizedKeys.map((l) => `${l}\n`).join(""), { mode: 0o600 });
  const lines: string[] = [];
  const { authorizedKeys: _a, ...rest } = opts;
  const running = await serveMcp({
    host: "127.0.0.1",
    port: 0,
    hostKeys: [host.privateKey],
    username: "mcp",
    authorizedKeysFiles: [authorizedKeysPath],
    defaultServer: toolsServer("serve-default"),
    logger: recordingLogger(lines),
    ...rest,
  });
  const hostKeyLine = host.publicKeyLine.split(" ").slice(0, 2).join(" ");
  const knownHostsLine = `[127.0.0.1]:${running.port} ${hostKeyLine}`;
  const knownHostsPath = join(dir, "known_hosts");
  writeFileSync(knownHostsPath, `${knownHostsLine}\n`);
  return {
    host: "127.0.0.1",
    port: running.port,
    username: "mcp",
    dir,
    authorizedKeysPath,
    hostKeyPath,
    hostKeyLine,
    hostKeyFingerprint: host.fingerprint,
    knownHostsLine,
    knownHostsPath,
    running,
    lines,
    log: () => lines.join("\n"),
    stop: async () => {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
