// `mcp-ssh --http-url URL`: the MCP host's stdio bridged to a remote MCP server that speaks
// Streamable HTTP (or, with --sse, the legacy HTTP+SSE transport), reached through direct-tcpip
// channels of the SSH connection (sshFetch): no port opens on either machine. The SDK does both
// MCP sides (StdioServerTransport towards the host, the HTTP client transport towards the server);
// every message passes both ways unchanged: requests, responses, notifications and the server's
// own requests (sampling, elicitation, roots). Logs go to stderr only.
import type { Readable, Writable } from "node:stream";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { SSHClient } from "../ssh/client.js";
import type { Logger } from "../ssh/logger.js";
import { sshFetch } from "../mcp/client/ssh-fetch.js";
import { flushed } from "./proxy.js";

export interface HttpBridgeIO {
  stdin: Readable;
  stdout: Writable;
  logger: Logger;
  stopSignal?: Promise<NodeJS.Signals>;
}

/** After the host closes stdin: how long requests it already sent may take to be answered. */
const HOST_EOF_GRACE_MS = 2000;

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** JSON-RPC "internal error": what the host gets for a request the bridge could not deliver. */
const DELIVERY_FAILED = -32603;

type Ended = { by: "host" } | { by: "remote" } | { by: "ssh"; error?: Error } | { by: "signal"; signal: NodeJS.Signals };

function isRequest(m: JSONRPCMessage): m is JSONRPCMessage & { id: string | number; method: string } {
  return "method" in m && "id" in m && m.id !== undefined && m.id !== null;
}

/**
 * Bridge until the host closes stdin (then the HTTP session is ended with DELETE, exit 0), the
 * remote server closes (255), the SSH connection is lost (255) or a signal arrives (128+n).
 */
export async function runHttpBridge(client: SSHClient, target: { url: string; sse: boolean }, io: HttpBridgeIO): Promise<number> {
  const { logger } = io;
  const url = new URL(target.url);
  const fetch = sshFetch(client);
  const remote = target.sse ? new SSEClientTransport(url, { fetch }) : new StreamableHTTPClientTransport(url, { fetch });
  const host = new StdioServerTransport(io.stdin, io.stdout);
  const kind = target.sse ? "HTTP+SSE" : "Streamable HTTP";

  let end: (ended: Ended) => void = () => {};
  const ended = new Promise<Ended>((resolve) => (end = resolve));
  let closing = false;

  // The host's initialize: its answer carries the protocol version, which the Streamable HTTP
  // transport must send as a header on every later request (the SDK's Client does this itself).
  const initializeIds = new Set<string | number>();
  // The host's requests not answered yet: a host that writes and closes stdin still gets its answers.
  const pending = new Set<string | number>();
  let settled: () => void = () => {};
  const answered = () => {
    if (pending.size === 0) settled();
  };

  remote.onmessage = (message) => {
    if ("id" in message && message.id !== undefined && initializeIds.delete(message.id as string | number) && "result" in message) {
      const version = (message.result as { protocolVersion?: unknown }).protocolVersion;
      if (typeof version === "string" && remote instanceof StreamableHTTPClientTransport) remote.setProtocolVersion(version);
    }
    if (!("method" in message) && "id" in message && message.id !== undefined && pending.delete(message.id as string | number)) answered();
    host.send(message).catch((e: unknown) => logger.debug(`to the MCP host: ${(e as Error).message}`));
  };
  remote.onerror = (e) => logger.warn(`${kind} MCP server: ${e.message}`);
  remote.onclose = () => {
    if (!closing) end({ by: "remote" });
  };

  host.onmessage = (message) => {
    if (isRequest(message)) {
      pending.add(message.id);
      if (message.method === "initialize") initializeIds.add(message.id);
    }
    remote.send(message).catch((e: unknown) => {
      const why = (e as Error).message;
      logger.warn(`could not deliver ${isRequest(message) ? `the ${message.method} request` : "a message"} to ${target.url}: ${why}`);
      if (isRequest(message)) {
        const answer: JSONRPCMessage = {
          jsonrpc: "2.0",
          id: message.id,
          error: { code: DELIVERY_FAILED, message: `mcp-ssh: the ${kind} MCP server at ${target.url} (through SSH) failed: ${why}` },
        };
        pending.delete(message.id);
        host.send(answer).catch(() => {});
        answered();
      }
    });
  };
  host.onerror = (e) => logger.warn(`from the MCP host: ${e.message}`);

  // The SSE transport connects its event stream in start() (and fails here if the URL is wrong);
  // the Streamable HTTP one starts with the first message.
  await remote.start();
  logger.info(`bridging MCP between stdio and ${target.url} (${kind}) through SSH`);
  io.stdin.once("end", () => end({ by: "host" }));
  io.stdin.once("close", () => end({ by: "host" }));
  io.stdout.once("error", () => end({ by: "host" }));
  void client.whenClosed.then(() => end({ by: "ssh" }));
  void io.stopSignal?.then((signal) => end({ by: "signal", signal }));
  await host.start();

  const outcome = await ended;
  closing = true;
  let code: number;
  switch (outcome.by) {
    case "host":
      if (pending.size > 0) {
        logger.debug(`the MCP host closed stdin with ${pending.size} request(s) unanswered; waiting up to ${HOST_EOF_GRACE_MS} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, HOST_EOF_GRACE_MS);
          settled = () => {
            clearTimeout(timer);
            resolve();
          };
          answered();
        });
      }
      logger.info("the MCP host closed the connection; ending the HTTP session");
      code = 0;
      break;
    case "signal":
      logger.info(`${outcome.signal}: ending the HTTP session`);
      code = 128 + (SIGNAL_NUMBERS[outcome.signal] ?? 0);
      break;
    case "remote":
      logger.warn(`the ${kind} MCP server at ${target.url} closed the connection; exiting`);
      code = 255;
      break;
    case "ssh":
      logger.error("the SSH connection was lost; exiting");
      code = 255;
      break;
  }
  if (outcome.by !== "ssh" && remote instanceof StreamableHTTPClientTransport && remote.sessionId !== undefined) {
    // DELETE: the server frees the session now rather than when it times out.
    await remote.terminateSession().catch((e: unknown) => logger.debug(`ending the HTTP session: ${(e as Error).message}`));
  }
  await remote.close().catch(() => {});
  await host.close().catch(() => {});
  await client.close().catch((e: unknown) => logger.debug(`closing the connection: ${(e as Error).message}`));
  await flushed(io.stdout);
  return code;
}
