/**
 * The MCP client asks a key server for the host key and enrolls its keys (useKeyServer) through
 * this hook, so src/mcp does not import src/keyserver: each package entry registers the key-server
 * client it ships (loaded lazily, on first use only).
 */
import type { Logger } from "../../ssh/logger.js";

export interface KeyServerEnrollment {
  host: string;
  keyServerPort: number;
  keyServerUrl?: string;
  token?: string;
  caPath?: string;
  allowHttp?: boolean;
  clientPublicKeyLines: string[];
  logger: Logger;
}

export type KeyServerEnroll = (request: KeyServerEnrollment) => Promise<{ hostKeyLine: string }>;

let loader: (() => Promise<KeyServerEnroll>) | null = null;

/** Called by the package entries: how to load the key-server client. */
export function registerKeyServerClient(load: () => Promise<KeyServerEnroll>): void {
  loader = load;
}

export async function keyServerClient(): Promise<KeyServerEnroll> {
  if (!loader) throw new TypeError("useKeyServer: this build of mcp-over-ssh has no key-server client (import the package entry, not src/mcp directly)");
  return loader();
}
