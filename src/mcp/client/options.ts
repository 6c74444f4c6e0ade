import type { ByteStream } from "../../ssh/io/byte-stream.js";
import type { Logger } from "../../ssh/logger.js";
import type { ConnectOptions } from "../../ssh/options.js";
import type { SSHClient } from "../../ssh/client.js";

/**
 * Where and how to reach a remote MCP server over SSH: the reference client's
 * `SSHServerParameters` in camelCase, with its defaults (port 8022, username "mcp"), plus the
 * in-memory forms of `SSHClient.connect` for runtimes without a filesystem.
 */
export interface SSHClientTransportOptions {
  /** Default "localhost". */
  host?: string;
  /** Default 8022 (the reference's MCP SSH server port). */
  port?: number;
  /** Default "mcp". */
  username?: string;
  /** Private key files, tried in order (read through the runtime's filesystem). */
  clientKeys?: string[];
  /** A known_hosts file (a missing file counts as empty: the host is then unknown). */
  knownHosts?: string;
  /** Decrypts every encrypted client key, also for key-server enrollment. */
  passphrase?: string;
  /** Accept any host key. Dangerous: anyone on the path can read and change the MCP traffic. */
  disableHostKeyChecking?: boolean;
  /** Fetch the host key from the key server and enroll the client keys before connecting. */
  useKeyServer?: boolean;
  /** The key server's plain-HTTP port (default 8000). */
  keyServerPort?: number;
  /** Key server base URL (https://...); default: looked for on `host`. */
  keyServerUrl?: string;
  /** Bearer token for key-server registration. */
  keyServerToken?: string;
  /** PEM CA certificate for the key server's HTTPS (Node only). */
  keyServerCa?: string;
  /** Allow the key server over plain HTTP on a host that is not loopback. */
  allowHttpKeyServer?: boolean;
  /** Environment variables for the remote process (sshd passes only names its AcceptEnv lists). */
  env?: Record<string, string>;
  /** Run this command (an `exec` request) instead of the default `shell` request. */
  command?: string;
  /** Start this subsystem (e.g. "mcp") instead of the default `shell` request. */
  subsystem?: string;

  /** In-memory private key (openssh-key-v1 text or bytes), tried before `clientKeys`. */
  privateKey?: string | Uint8Array;
  /** known_hosts text, besides or instead of the `knownHosts` file. */
  knownHostsText?: string;
  /** Pinned "SHA256:..." host key fingerprints. */
  hostKeyFingerprints?: string[];
  /** A ready byte stream (e.g. a WebSocket through `mcp-ssh relay`) instead of TCP to host:port. */
  stream?: ByteStream;
  /** An already connected client to open the MCP channel on; it is left open by close(). */
  client?: SSHClient;
  /** Further SSHClient.connect options (timeouts, algorithms, keepalive, agent, ...). */
  connect?: Partial<ConnectOptions>;

  /** Logs, the remote's stderr included (info level). Default: warnings and errors to console.error. */
  logger?: Logger;
  /** Longest accepted message line in bytes (default 64 MiB); longer lines are reported and dropped. */
  maxLineBytes?: number;
  /** After close() sends EOF, how long the remote process may take to exit (default 2000 ms). */
  closeGraceMs?: number;
}

/** The reference's name for the same options. */
export type SSHServerParameters = SSHClientTransportOptions;

export const MCP_SSH_DEFAULTS = {
  host: "localhost",
  port: 8022,
  username: "mcp",
  keyServerPort: 8000,
  closeGraceMs: 2000,
  /**
   * MCP sessions sit idle for hours: a dead network path must end the session (so the host can
   * reconnect), not hang it. No answer to three keepalives 30 s apart closes the connection.
   */
  keepaliveIntervalMs: 30_000,
  keepaliveCountMax: 3,
} as const;
