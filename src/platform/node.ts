import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { registerPlatform } from "../ssh/platform.js";
import { connectNodeTcp } from "../ssh/io/node-tcp.js";

/** Node (and Deno / Bun through their node: compatibility) services for the runtime-agnostic core. */
registerPlatform({
  connectTcp: connectNodeTcp,
  readFile: async (path) => new Uint8Array(await readFile(path)),
  expandPath: (path) => (path === "~" || path.startsWith("~/") ? homedir() + path.slice(1) : path),
});
