import { readFile } from "node:fs/promises";
import { registerPlatform } from "../ssh/platform.js";
import { selectTcpConnector } from "./select-tcp.js";
import { appendKnownHostsLine } from "../ssh/keys/node/known-hosts-file.js";
import { listAgentSigners } from "../ssh/keys/node/agent-socket.js";
import { expandHome } from "../ssh/keys/node/home.js";
import { listenNodeTcp } from "./node/tcp-listener.js";

/**
 * Services for the runtime-agnostic core on Node, Deno and Bun. TCP uses each runtime's native
 * socket (chosen by feature detection); files go through node:fs, which all three provide.
 */
registerPlatform({
  connectTcp: selectTcpConnector(),
  listenTcp: listenNodeTcp,
  readFile: async (path) => new Uint8Array(await readFile(path)),
  expandPath: expandHome,
  appendKnownHostsLine,
  agentSigners: (socket) => listAgentSigners(socket),
  env: (name) => process.env[name],
});
