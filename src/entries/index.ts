// `mcp-ssh`: everything a Node / Deno / Bun program needs.
import "../platform/node.js";
export * from "../ssh/index.js";
export * from "../mcp/index.js";
export { ensureKeyFile, writeKeyPair, checkKeyFilePermissions, KeyFileExistsError } from "../platform/node/key-files.js";
export { appendKnownHostsLine, readKnownHostsFiles } from "../platform/node/known-hosts-file.js";
export { listAgentSigners } from "../platform/node/agent-socket.js";

import "../keyserver/register-client.js";
