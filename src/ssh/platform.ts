import type { TcpConnector } from "./io/byte-stream.js";
import type { TcpListen } from "./io/listener.js";
import type { Signer } from "./keys/signature.js";
import type { SshConfigReader } from "./config/reader.js";
import type { ByteStream } from "./io/byte-stream.js";
import type { Logger } from "./logger.js";

/**
 * Runtime services the core may use when present. The core never imports a runtime module;
 * entry points for Node / Deno / Bun fill this in, browsers leave parts empty.
 */
export interface Platform {
  connectTcp?: TcpConnector;
  /** Listen for TCP connections (SSHServer.listen); Node only today. */
  listenTcp?: TcpListen;
  readFile?: (path: string) => Promise<Uint8Array>;
  /** Expand "~" and the like; identity where there is no home directory. */
  expandPath?: (path: string) => string;
  /** Append one line to a known_hosts file (atomically, never duplicating a line). */
  appendKnownHostsLine?: (path: string, line: string) => Promise<void>;
  /** The signers an ssh-agent offers; `true` means $SSH_AUTH_SOCK. */
  agentSigners?: (socket: string | true, skipped?: string[]) => Promise<Signer[]>;
  /** Environment variables, where the runtime has them. */
  env?: (name: string) => string | undefined;
  /** The names of all environment variables (ssh_config SendEnv patterns match against them). */
  envNames?: () => string[];
  /** The ssh_config reader (files, home directory, user, environment) of this runtime. */
  sshConfigReader?: () => SshConfigReader;
  /**
   * Run ssh_config's ProxyCommand (`sh -c`) and return its stdin/stdout as the connection's
   * stream; where the runtime has processes (Node, Deno, Bun). The command's stderr is ours, as
   * with ssh.
   */
  proxyCommand?: (command: string, logger: Logger) => ByteStream;
}

export const platform: Platform = {};

export function registerPlatform(services: Platform): void {
  Object.assign(platform, services);
}

/** `path` with "~" expanded where the runtime can; as given where it cannot. */
export function expandPath(path: string): string {
  return platform.expandPath?.(path) ?? path;
}
