// `mcp-ssh` in browsers: the SSH core, the MCP transport and the WebSocket byte stream.
export * from "./browser-ssh.js";
export * from "./mcp/index.js";

import { registerKeyServerClient } from "./mcp/key-server-hook.js";
registerKeyServerClient(async () => (await import("./keyserver/client.js")).enrollWithKeyServer);
