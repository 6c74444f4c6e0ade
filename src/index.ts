// `mcp-ssh`: everything a Node / Deno / Bun program needs.
import "./platform/node.js";
export * from "./ssh/index.js";
export * from "./mcp/index.js";
export { ensureKeyFile, writeKeyPair, checkKeyFilePermissions, KeyFileExistsError } from "./ssh/keys/node/key-files.js";
export { appendKnownHostsLine, readKnownHostsFiles } from "./ssh/keys/node/known-hosts-file.js";
export { listAgentSigners } from "./ssh/keys/node/agent-socket.js";

import "./keyserver/register-client.js";
