// `mcp-ssh/ssh` for Node, Deno and Bun: the core plus the runtime's TCP and file services.
import "./platform/node.js";
export * from "./ssh/index.js";
