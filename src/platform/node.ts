import { readFile } from "node:fs/promises";
import { registerPlatform } from "../ssh/platform.js";
import { selectTcpConnector } from "./select-tcp.js";
import { appendKnownHostsLine } from "./node/known-hosts-file.js";
import { listAgentSigners } from "./node/agent-socket.js";
import { expandHome } from "./node/home.js";
import { installNodeAes } from "./node/aes-node.js";
import { nodeSshConfigReader } from "./node/ssh-config-files.js";
import { listenNodeTcp } from "./node/tcp-listener.js";
import { proxyCommandStream } from "./node/proxy-command.js";

/**
 * Services for the runtime-agnostic core on Node, Deno and Bun. TCP uses each runtime's native
 * socket (chosen by feature detection); files go through node:fs, which all three provide.
 */
// AES and HMAC on the runtime's OpenSSL (node:crypto; Deno and Bun provide it too): synchronous,
// so it fits the packet path, where WebCrypto's promises do not. @noble stays the fallback.
installNodeAes();

registerPlatform({
  connectTcp: selectTcpConnector(),
  listenTcp: listenNodeTcp,
  readFile: async (path) => new Uint8Array(await readFile(path)),
  expandPath: expandHome,
  appendKnownHostsLine,
  agentSigners: (socket, skipped) => listAgentSigners(socket, skipped ? { skipped } : {}),
  env: (name) => process.env[name],
  envNames: () => Object.keys(process.env),
  sshConfigReader: () => nodeSshConfigReader(),
  proxyCommand: proxyCommandStream,
});
