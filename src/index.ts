// `mcp-ssh`: everything a Node / Deno / Bun program needs.
import "./platform/node.js";
export * from "./ssh/index.js";
export * from "./mcp/index.js";
