import type { TcpConnector } from "./io/byte-stream.js";

/**
 * Runtime services the core may use when present. The core never imports a runtime module;
 * entry points for Node / Deno / Bun fill this in, browsers leave parts empty.
 */
export interface Platform {
  connectTcp?: TcpConnector;
  readFile?: (path: string) => Promise<Uint8Array>;
  /** Expand "~" and the like; identity where there is no home directory. */
  expandPath?: (path: string) => string;
}

export const platform: Platform = {};

export function registerPlatform(services: Platform): void {
  Object.assign(platform, services);
}
