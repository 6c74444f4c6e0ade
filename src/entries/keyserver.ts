// `mcp-ssh/keyserver`: the key server and its client flow (Node's http/https).
export * from "../keyserver/index.js";
