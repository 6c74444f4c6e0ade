import type { TcpConnector } from "../ssh/io/byte-stream.js";
import { bunGlobal, connectBunTcp } from "../ssh/io/bun-tcp.js";
import { connectDenoTcp, denoGlobal } from "../ssh/io/deno-tcp.js";
import { connectNodeTcp } from "../ssh/io/node-tcp.js";

export type RuntimeName = "deno" | "bun" | "node";

/** Which server-side runtime this is, by its globals (Deno and Bun also define `process`). */
export function detectRuntime(): RuntimeName {
  if (denoGlobal() !== undefined) return "deno";
  if (bunGlobal() !== undefined) return "bun";
  return "node";
}

/**
 * The runtime's native TCP client. Deno and Bun could run node:net through their compatibility
 * layers, but their own sockets are the paths they tune and keep working.
 */
export function selectTcpConnector(runtime: RuntimeName = detectRuntime()): TcpConnector {
  switch (runtime) {
    case "deno":
      return connectDenoTcp;
    case "bun":
      return connectBunTcp;
    case "node":
      return connectNodeTcp;
  }
}
