// Imported for its effect by the package entries and the CLI: the MCP client's useKeyServer loads
// this key-server client (lazily) through src/mcp/client/key-server-hook.ts, which keeps src/mcp free of
// imports from src/keyserver.
import { registerKeyServerClient } from "../mcp/client/key-server-hook.js";

registerKeyServerClient(async () => (await import("./client.js")).enrollWithKeyServer);
