// `mcp-ssh/mcp`: the MCP transport over SSH, with the runtime's services registered.
import "../platform/node.js";
export * from "../mcp/index.js";

import "../keyserver/register-client.js";
