// `mcp-ssh` in browsers: the SSH core, the MCP transport and the WebSocket byte stream.
export * from "./browser-ssh.js";
export * from "../mcp/index.js";

import "../keyserver/register-client.js";
