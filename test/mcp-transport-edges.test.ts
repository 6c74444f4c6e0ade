// SSHClientTransport's edges: start/close races, misuse, and the refusals (wrong host key,
// unknown host, unknown client key), against a real sshd running the fixture MCP server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../src/platform/node.js";
import { SSHClientTransport, type SSHClientTransportOptions } from "../src/mcp/index.js";
import { AuthenticationError, ConnectionLostError, HostKeyMismatchError, HostKeyUnknownError } from "../src/ssh/errors.js";
import { silentLogger } from "../src/ssh/logger.js";
import { textOf, toolsServerCommand } from "../fixtures/mcp/fixture-client.js";
import { makeClientKey, startSshd, type ClientKey, type TestServer } from "./helpers/servers.js";
import { typeAndBlob } from "./helpers/tools.js";
import { connectedTransport, transportOptions } from "./helpers/mcp.js";

let key: ClientKey;
let otherKey: ClientKey;
let forced: TestServer;

beforeAll(async () => {
  [key, otherKey] = await Promise.all([makeClientKey(), makeClientKey()]);
  forced = await startSshd({
    authorizedKeys: [key.publicKeyLine],
    config: [`ForceCommand ${toolsServerCommand(["--name", "forced"])}`],
  });
});

afterAll(async () => {
  await forced?.stop();
});

async function connected(server: TestServer, extra: SSHClientTransportOptions = {}) {
  return connectedTransport(server, key, { logger: silentLogger, ...extra });
}

describe("SSHClientTransport: start and close in any order", () => {
  it("close() while start() is connecting: start rejects, onclose fires once", async () => {
    const transport = new SSHClientTransport(transportOptions(forced, key, { logger: silentLogger }));
    let closes = 0;
    transport.onclose = () => closes++;
    const started = transport.start();
    const closed = transport.close();
    await expect(started).rejects.toBeInstanceOf(ConnectionLostError);
    await closed;
    await transport.close();
    expect(closes).toBe(1);
    await expect(transport.send({ jsonrpc: "2.0", method: "ping", id: 1 })).rejects.toThrow(/closed/);
  });

  it("refuses a second start() and send() before start()", async () => {
    const transport = new SSHClientTransport(transportOptions(forced, key, { logger: silentLogger }));
    await expect(transport.send({ jsonrpc: "2.0", method: "ping", id: 1 })).rejects.toThrow(/not started/);
    await transport.start();
    await expect(transport.start()).rejects.toThrow(/already started/);
    await transport.close();
  });
});

describe("SSHClientTransport: refusals", () => {
  it("rejects a wrong host key", async () => {
    const wrongLine = `[${forced.host}]:${forced.port} ${typeAndBlob(otherKey.publicKeyLine)}\n`;
    const transport = new SSHClientTransport(transportOptions(forced, key, { knownHostsText: wrongLine, logger: silentLogger }));
    await expect(transport.start()).rejects.toBeInstanceOf(HostKeyMismatchError);
  });

  it("rejects an unknown host", async () => {
    const transport = new SSHClientTransport(transportOptions(forced, key, { knownHostsText: "", logger: silentLogger }));
    await expect(transport.start()).rejects.toBeInstanceOf(HostKeyUnknownError);
  });

  it("rejects a client key the server does not know", async () => {
    const transport = new SSHClientTransport(transportOptions(forced, key, { clientKeys: [otherKey.path], logger: silentLogger }));
    await expect(transport.start()).rejects.toBeInstanceOf(AuthenticationError);
  });

  it("tries every client key until the server accepts one", async () => {
    const { client } = await connected(forced, { clientKeys: [otherKey.path, key.path] });
    try {
      expect(textOf(await client.callTool({ name: "echo", arguments: { text: "second key" } }))).toBe("second key");
    } finally {
      await client.close();
    }
  });
});
