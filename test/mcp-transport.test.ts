// SSHClientTransport under the MCP SDK's Client, against the fixture MCP server run by a real
// OpenSSH sshd: as a ForceCommand behind a plain shell request (the default form), as an exec
// command, and as an sshd Subsystem.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Logger } from "../src/ssh/logger.js";
import "../src/platform/node.js";
import { SSHClientTransport, type SSHClientTransportOptions } from "../src/mcp/index.js";
import { MessageFramingError } from "../src/mcp/framing/errors.js";
import { processGone, textOf, toolsServerCommand } from "../fixtures/mcp/fixture-client.js";
import { makeClientKey, startSshd, type ClientKey, type TestServer } from "./helpers/servers.js";
import { connectTo } from "./helpers/connect.js";
import {
  connectedTransport,
  expectConcurrentCallsAnswered,
  expectLargeResultIntact,
  expectRequestsRelayed,
  expectToolsAnswer,
  transportOptions,
} from "./helpers/mcp.js";

let key: ClientKey;
/** ForceCommand runs the fixture for every session: the shell form. */
let forced: TestServer;
/** No ForceCommand; a `Subsystem mcp` line: the exec and subsystem forms. */
let plain: TestServer;

beforeAll(async () => {
  key = await makeClientKey();
  [forced, plain] = await Promise.all([
    startSshd({
      authorizedKeys: [key.publicKeyLine],
      config: [`ForceCommand ${toolsServerCommand(["--name", "forced"])}`, "AcceptEnv MCP_SSH_TEST_*"],
    }),
    startSshd({
      authorizedKeys: [key.publicKeyLine],
      config: [`Subsystem mcp ${toolsServerCommand(["--name", "subsystem"])}`],
    }),
  ]);
});

afterAll(async () => {
  await Promise.all([forced?.stop(), plain?.stop()]);
});

/** A logger that keeps every line, to assert on what reached it. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (m: string) => void lines.push(`${level}: ${m}`);
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

async function connected(server: TestServer, extra: SSHClientTransportOptions = {}) {
  const logger = recordingLogger();
  return { ...(await connectedTransport(server, key, { logger, ...extra })), logger };
}

describe("SSHClientTransport with the SDK Client (shell request, ForceCommand)", () => {
  it("initializes, lists tools and calls them", async () => {
    const { client } = await connected(forced);
    try {
      await expectToolsAnswer(client, "forced");
    } finally {
      await client.close();
    }
  });

  it("carries a 5 MiB tool result intact (multibyte characters and U+2028 included)", async () => {
    const { client } = await connected(forced);
    try {
      await expectLargeResultIntact(client);
    } finally {
      await client.close();
    }
  });

  it("answers 100 concurrent calls, each with its own result", async () => {
    const { client } = await connected(forced);
    try {
      await expectConcurrentCallsAnswered(client);
    } finally {
      await client.close();
    }
  });

  it("relays server-to-client requests and notifications, and the answers reach the server", async () => {
    const recording = await connected(forced);
    try {
      await expectRequestsRelayed(recording);
    } finally {
      await recording.client.close();
    }
  });

  it("sends the remote's stderr to the logger, never into the message stream", async () => {
    const { client, transport, logger } = await connected(forced);
    const received: string[] = [];
    const onmessage = transport.onmessage!;
    transport.onmessage = (m) => {
      received.push(JSON.stringify(m));
      onmessage.call(transport, m);
    };
    try {
      const fake = '{"jsonrpc":"2.0","method":"notifications/fake-from-stderr"}';
      expect(textOf(await client.callTool({ name: "stderr", arguments: { text: fake } }))).toBe("written");
      // The fixture's start-up line and our line, both logged at info.
      await expect.poll(() => logger.lines).toContain(`info: remote: ${fake}`);
      expect(logger.lines).toContain(`info: remote: forced: ready (pid ${textOf(await client.callTool({ name: "pid" }))})`);
      expect(received.some((m) => m.includes("fake-from-stderr"))).toBe(false);
    } finally {
      await client.close();
    }
  });

  it("reports a non-JSON stdout line through onerror and goes on", async () => {
    const { client, transport } = await connected(forced);
    const errors: Error[] = [];
    const onerror = transport.onerror!;
    transport.onerror = (e) => {
      errors.push(e);
      onerror.call(transport, e);
    };
    try {
      expect(textOf(await client.callTool({ name: "garbage" }))).toBe("done");
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(MessageFramingError);
      expect((errors[0] as MessageFramingError).kind).toBe("invalid-json");
      expect(textOf(await client.callTool({ name: "echo", arguments: { text: "still here" } }))).toBe("still here");
    } finally {
      await client.close();
    }
  });

  it("reports a line over maxLineBytes once, drops it, and goes on with the next message", async () => {
    const { client, transport } = await connected(forced, { maxLineBytes: 64 * 1024 });
    const errors: Error[] = [];
    const onerror = transport.onerror!;
    transport.onerror = (e) => {
      errors.push(e);
      onerror.call(transport, e);
    };
    // A 1 MiB answer: its line is dropped, so this call gets no answer until the client closes.
    const big = client.callTool({ name: "repeat", arguments: { unit: "x", count: 1024 * 1024 } });
    big.catch(() => {});
    await expect.poll(() => errors.length, { timeout: 20_000 }).toBe(1);
    expect(errors[0]).toBeInstanceOf(MessageFramingError);
    expect((errors[0] as MessageFramingError).kind).toBe("oversized");
    expect(textOf(await client.callTool({ name: "echo", arguments: { text: "after" } }))).toBe("after");
    expect(errors).toHaveLength(1);
    await client.close();
    await expect(big).rejects.toThrow();
  });

  it("sends env (when the server's AcceptEnv allows it)", async () => {
    const { client } = await connected(forced, { env: { MCP_SSH_TEST_COLOR: "teal" } });
    try {
      expect(JSON.parse(textOf(await client.callTool({ name: "env", arguments: { name: "MCP_SSH_TEST_COLOR" } })))).toBe("teal");
    } finally {
      await client.close();
    }
  });

  it("closing the client ends the remote MCP server process (no orphan)", async () => {
    const { client, transport } = await connected(forced);
    const pid = Number(textOf(await client.callTool({ name: "pid" })));
    expect(pid).toBeGreaterThan(1);
    expect(await processGone(pid, 0)).toBe(false);
    let closes = 0;
    const onclose = transport.onclose;
    transport.onclose = () => {
      closes++;
      onclose?.();
    };
    await client.close();
    expect(await processGone(pid, 5000)).toBe(true);
    await transport.close();
    expect(closes).toBe(1);
  });

  it("closes the transport when the remote process exits, with the exit code", async () => {
    const { client, transport, logger } = await connected(forced);
    const closed = new Promise<void>((resolve) => {
      const onclose = transport.onclose;
      transport.onclose = () => {
        onclose?.();
        resolve();
      };
    });
    expect(textOf(await client.callTool({ name: "exit", arguments: { code: 3 } }))).toBe("bye");
    await closed;
    expect(transport.exitStatus).toEqual({ code: 3, signal: null });
    expect(logger.lines.join("\n")).toContain("exited with code 3");
    await expect(client.callTool({ name: "echo", arguments: { text: "x" } })).rejects.toThrow();
  });
});

describe("SSHClientTransport: exec and subsystem forms", () => {
  it("runs the server as an exec command", async () => {
    const { client } = await connected(plain, { command: toolsServerCommand(["--name", "exec"]) });
    try {
      expect(client.getServerVersion()?.name).toBe("exec");
      expect(textOf(await client.callTool({ name: "echo", arguments: { text: "via exec" } }))).toBe("via exec");
    } finally {
      await client.close();
    }
  });

  it("runs the server as an sshd subsystem", async () => {
    const { client } = await connected(plain, { subsystem: "mcp" });
    try {
      expect(client.getServerVersion()?.name).toBe("subsystem");
      expect(textOf(await client.callTool({ name: "add", arguments: { a: 1, b: 2 } }))).toBe("3");
    } finally {
      await client.close();
    }
  });

  it("fails start() with the server's refusal for an unknown subsystem", async () => {
    const transport = new SSHClientTransport(transportOptions(plain, key, { subsystem: "nope", logger: recordingLogger() }));
    await expect(transport.start()).rejects.toThrow(/subsystem "nope"/);
  });

  it("opens the MCP channel on a caller's connected client and leaves the client open", async () => {
    const ssh = await connectTo(plain, key);
    try {
      const { client } = await connected(plain, { client: ssh, subsystem: "mcp" });
      expect(textOf(await client.callTool({ name: "echo", arguments: { text: "reused" } }))).toBe("reused");
      await client.close();
      expect(ssh.closed).toBe(false);
      const again = await connected(plain, { client: ssh, command: toolsServerCommand() });
      expect(textOf(await again.client.callTool({ name: "add", arguments: { a: 5, b: 5 } }))).toBe("10");
      await again.client.close();
    } finally {
      await ssh.close();
    }
  });
});
