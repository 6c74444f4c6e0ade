// MCP test setup shared by the transport and CLI tests: SSHClientTransport options for a test
// server, an SDK Client connected through it, and the conversation checks that every way of
// reaching the fixture MCP server (fixtures/mcp/tools-server.mjs) must pass.
import { expect } from "vitest";
import "../../src/platform/node.js";
import { SSHClientTransport, type SSHClientTransportOptions } from "../../src/mcp/index.js";
import { CLIENT_ANSWERS, recordingClient, textOf, type RecordingClient } from "../../fixtures/mcp/fixture-client.js";
import type { ClientKey, TestServer } from "./servers.js";

type McpClient = RecordingClient["client"];

/** Log in as the server's user with `key`'s file, trusting the server's known_hosts line. */
export function transportOptions(server: TestServer, key: ClientKey, extra: SSHClientTransportOptions = {}): SSHClientTransportOptions {
  return {
    host: server.host,
    port: server.port,
    username: server.username,
    clientKeys: [key.path],
    knownHostsText: `${server.knownHostsLine}\n`,
    ...extra,
  };
}

/** A recording SDK Client connected (initialized) through an SSHClientTransport. */
export async function connectedTransport(server: TestServer, key: ClientKey, extra: SSHClientTransportOptions = {}) {
  const transport = new SSHClientTransport(transportOptions(server, key, extra));
  const recording = recordingClient();
  await recording.client.connect(transport);
  return { ...recording, transport };
}

/** The server says its name, lists the fixture's tools, and echo (multibyte characters and U+2028 included) and add answer. */
export async function expectToolsAnswer(client: McpClient, serverName: string): Promise<void> {
  expect(client.getServerVersion()).toEqual({ name: serverName, version: "1.0.0" });
  const names = (await client.listTools()).tools.map((t) => t.name);
  expect(names).toEqual(expect.arrayContaining(["echo", "add", "repeat", "ask", "pid", "exit"]));
  expect(textOf(await client.callTool({ name: "echo", arguments: { text: "héllo \u2028 wörld" } }))).toBe("héllo \u2028 wörld");
  expect(textOf(await client.callTool({ name: "add", arguments: { a: 2, b: 40 } }))).toBe("42");
}

/** A 5 MiB tool result arrives intact (multibyte characters and U+2028 included). */
export async function expectLargeResultIntact(client: McpClient): Promise<void> {
  // 40 UTF-8 bytes: ASCII, 2-, 3- and 4-byte characters, a raw U+2028 and a newline.
  const unit = "mcp-ssh é€😀\u2028 line\n0123456789abcd";
  expect(new TextEncoder().encode(unit).length).toBe(40);
  const count = (5 * 1024 * 1024) / 40 + 1;
  const text = textOf(await client.callTool({ name: "repeat", arguments: { unit, count } }));
  expect(text.length).toBe(unit.length * count);
  expect(text === unit.repeat(count)).toBe(true);
}

/** 100 concurrent calls each get their own result. */
export async function expectConcurrentCallsAnswered(client: McpClient): Promise<void> {
  const calls = Array.from({ length: 100 }, (_, i) => client.callTool({ name: "add", arguments: { a: i, b: 1000 } }));
  expect((await Promise.all(calls)).map(textOf)).toEqual(Array.from({ length: 100 }, (_, i) => String(i + 1000)));
}

/** Server-to-client requests and notifications reach the client, its answers reach the server, and so does a client-to-server notification. */
export async function expectRequestsRelayed({ client, logs, requests }: RecordingClient): Promise<void> {
  expect(JSON.parse(textOf(await client.callTool({ name: "ask", arguments: {} })))).toEqual(CLIENT_ANSWERS);
  expect(requests).toEqual(["sampling/createMessage", "roots/list", "elicitation/create"]);
  expect(logs).toEqual(["asking the client"]);
  await client.sendRootsListChanged();
  expect(JSON.parse(textOf(await client.callTool({ name: "seen", arguments: {} })))).toEqual(["notifications/roots/list_changed"]);
}
