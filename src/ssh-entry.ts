// `mcp-ssh/ssh` for Node, Deno and Bun: the core plus the runtime's TCP and file services.
import "./platform/node.js";
export * from "./ssh/index.js";
export { ensureKeyFile, writeKeyPair, checkKeyFilePermissions, KeyFileExistsError } from "./ssh/keys/node/key-files.js";
export { appendKnownHostsLine, readKnownHostsFiles } from "./ssh/keys/node/known-hosts-file.js";
export { listAgentSigners } from "./ssh/keys/node/agent-socket.js";
