#!/usr/bin/env node
// The MCP server of bench/e2e-http.mjs: the SDK's McpServer with the same `echo` tool as the stdio
// fixture (fixtures/mcp/tools-server.mjs), served over the SDK's StreamableHTTPServerTransport on
// 127.0.0.1, so that every route the benchmark compares reaches the same tool code and only the
// transport differs. Not fixtures/mcp/http-server.mjs: that one keeps every event (its resumability
// store) and every request it saw, which over thousands of 64 KiB calls grows without bound and
// makes later calls slower than earlier ones.
// Stateful, as the SDK's examples and most servers run it: a session id from initialize, POSTs
// answered with an SSE stream (the transport's default), DELETE ends the session.
// Prints "listening <port>" on stdout once it accepts connections; ends on SIGTERM or SIGINT.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

const sessions = new Map();

function makeServer() {
  const server = new McpServer({ name: "mcp-ssh-bench-http", version: "1.0.0" });
  server.registerTool("echo", { description: "Return the text it is given", inputSchema: { text: z.string() } }, async ({ text }) => ({
    content: [{ type: "text", text }],
  }));
  return server;
}

const http = createServer(async (req, res) => {
  try {
    if (!req.url?.startsWith("/mcp")) {
      res.writeHead(404).end("not found");
      return;
    }
    const sid = req.headers["mcp-session-id"];
    let transport = typeof sid === "string" ? sessions.get(sid) : undefined;
    if (!transport) {
      if (sid !== undefined || req.method !== "POST") {
        res.writeHead(sid !== undefined ? 404 : 400, { "content-type": "application/json" }).end(
          JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message: "no such session" }, id: null }),
        );
        return;
      }
      const created = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), onsessioninitialized: (id) => sessions.set(id, created) });
      created.onclose = () => {
        if (created.sessionId) sessions.delete(created.sessionId);
      };
      await makeServer().connect(created);
      transport = created;
    }
    await transport.handleRequest(req, res);
  } catch (e) {
    if (!res.headersSent) res.writeHead(500).end(String(e?.message ?? e));
  }
});

http.listen(0, "127.0.0.1", () => process.stdout.write(`listening ${http.address().port}\n`));
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => process.exit(0));
