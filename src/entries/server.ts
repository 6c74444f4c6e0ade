// `mcp-ssh/server`: the SSH server (SSHServer) and serveMcp, with Node's TCP listener and child processes.
import "../platform/node.js";
import { spawnNodeChild } from "../platform/node/child-process.js";
import { serveMcp as serveMcpWith, createMcpServer as createMcpServerWith, type ServeMcpOptions, type RunningMcpServer } from "../mcp/server/serve-mcp.js";
import type { SSHServer } from "../ssh/server.js";

export { SSHServer, SERVER_DEFAULTS, ServerSession } from "../ssh/server.js";
export type { SSHServerOptions, ServerAuthorize, ServerSessionContext, PeerInfo, AuthGrant, AuthenticatedUser, PublicKeyAttempt } from "../ssh/server.js";
export { parseAuthorizedKeys, parseAuthorizedKeyLine, matchFrom, parseExpiryTime, AuthorizedKeysLineError } from "../ssh/keys/authorized-keys.js";
export type { AuthorizedKey, AuthorizedKeyOptions } from "../ssh/keys/authorized-keys.js";
export { parseServersConfig, parseServerFlag, splitCommandLine, ServersConfigError } from "../mcp/server/servers-config.js";
export type { McpServerSpec, McpServerSet } from "../mcp/server/servers-config.js";
export type { ChildSpec, ChildExit, ChildProcessHandle, SpawnChild } from "../mcp/server/child.js";
export type { RunningMcpServer } from "../mcp/server/serve-mcp.js";
export { spawnNodeChild };

/** serveMcp's options on Node: `spawn` defaults to node:child_process, `baseEnv` to this process's PATH, HOME, LANG. */
export type NodeServeMcpOptions = Omit<ServeMcpOptions, "spawn"> & { spawn?: ServeMcpOptions["spawn"] };

function withNodeDefaults(options: NodeServeMcpOptions): ServeMcpOptions {
  const baseEnv: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "LANG"]) {
    const v = process.env[name];
    if (v !== undefined) baseEnv[name] = v;
  }
  return { ...options, spawn: options.spawn ?? spawnNodeChild, baseEnv: options.baseEnv ?? baseEnv };
}

/** Listen and serve MCP servers over SSH (see ServeMcpOptions). */
export function serveMcp(options: NodeServeMcpOptions): Promise<RunningMcpServer> {
  return serveMcpWith(withNodeDefaults(options));
}

/** serveMcp's SSHServer without listening. */
export function createMcpServer(options: NodeServeMcpOptions): SSHServer {
  return createMcpServerWith(withNodeDefaults(options));
}
