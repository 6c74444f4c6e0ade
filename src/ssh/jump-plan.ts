/**
 * What client.ts needs of jump hosts and ssh_config on every connection: whether they apply, and
 * closing hops. The rest (jump.ts, the ssh_config resolver) is imported only when they do, so a
 * browser that connects directly never downloads it.
 */
import type { ConnectOptions } from "./options.js";
import type { ByteStream } from "./io/byte-stream.js";
import type { ResolvedSshConfig } from "./config/resolve.js";

/**
 * What a hop needs to be: a connection that forwards and closes. Structural, so this file needs
 * nothing from client.ts (which imports it): no import circle.
 */
export interface HopClient {
  forwardOut(host: string, port: number): Promise<ByteStream>;
  close(): Promise<void>;
}

export interface PlannedConnection<C extends HopClient = HopClient> {
  client: C;
  /** The jump hosts, first hop first. */
  hops: C[];
  config?: ResolvedSshConfig;
  env: Record<string, string>;
}

/** Does `options` need jump.ts (ssh_config, jump hosts, a user name to look up), or can it connect directly? */
export function needsPlanning(options: ConnectOptions): boolean {
  return Boolean(options.sshConfig) || (options.jump !== undefined && options.jump.length > 0) || options.username === undefined;
}

/** Close jump hosts last hop first (each hop's connection runs inside the one before). */
export async function closeHops(hops: readonly HopClient[]): Promise<void> {
  for (const hop of [...hops].reverse()) await hop.close().catch(() => {});
}
