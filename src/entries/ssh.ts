// `mcp-ssh/ssh` for Node, Deno and Bun: the core plus the runtime's TCP and file services.
import "../platform/node.js";
export * from "../ssh/index.js";
export { ensureKeyFile, writeKeyPair, checkKeyFilePermissions, KeyFileExistsError } from "../platform/node/key-files.js";
export { appendKnownHostsLine, readKnownHostsFiles } from "../platform/node/known-hosts-file.js";
export { listAgentSigners } from "../platform/node/agent-socket.js";
