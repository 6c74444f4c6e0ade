// Issue 18: serveMcp / SSHServer against our own SSHClient and SSHClientTransport under the MCP SDK.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../src/platform/node.js";
import { SSHClient } from "../src/ssh/client.js";
import { SSHClientTransport } from "../src/mcp/index.js";
import { recordingClient, textOf } from "../fixtures/mcp/fixture-client.js";
import { makeClientKey, type ClientKey } from "./helpers/servers.js";
import { startServe, toolsServer, type ServeHarness } from "./helpers/serve.js";

let key: ClientKey;
let serve: ServeHarness;

beforeAll(async () => {
  key = await makeClientKey();
  serve = await startServe({
    authorizedKeys: [key.publicKeyLine],
    servers: { second: toolsServer("serve-second") },
    acceptEnv: ["MCP_SSH_TEST_*"],
  });
});
afterAll(() => serve?.stop());

function connect(extra: Partial<Parameters<typeof SSHClient.connect>[0]> = {}) {
  return SSHClient.connect({ host: serve.host, port: serve.port, username: "mcp", privateKey: key.privateKey, knownHosts: `${serve.knownHostsLine}\n`, ...extra });
}

describe("serveMcp with our SSHClient", () => {
  it("logs in, negotiates strict kex, and speaks MCP over exec", async () => {
    const client = await connect();
    expect(client.serverVersion).toMatch(/^SSH-2\.0-mcp_ssh_/);
    expect(client.hostKey.fingerprint).toBe(serve.hostKeyFingerprint);
    const ch = await client.exec("anything at all");
    const writer = ch.stdin.getWriter();
    await writer.write(new TextEncoder().encode(`${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } })}\n`));
    const reader = ch.stdout.getReader();
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(JSON.parse(text.split("\n")[0]!).result.serverInfo.name).toBe("serve-default");
    await writer.close();
    reader.releaseLock();
    const exit = await ch.exit;
    expect(exit).toEqual({ code: 0, signal: null });
    await client.close();
    expect(serve.log()).toMatch(/Accepted publickey for mcp from 127\.0\.0\.1 port \d+ ssh2: ssh-ed25519 SHA256:/);
    expect(serve.log()).toMatch(/server "default" ended with exit status 0/);
  });

  it("initialize + tools/call + an 8 MiB argument and result through SSHClientTransport (shell, exec NAME, subsystem NAME)", async () => {
    for (const [how, name] of [[{}, "serve-default"], [{ command: "second" }, "serve-second"], [{ subsystem: "second" }, "serve-second"], [{ subsystem: "mcp" }, "serve-default"]] as const) {
      const transport = new SSHClientTransport({ host: serve.host, port: serve.port, username: "mcp", clientKeys: [key.path], knownHostsText: `${serve.knownHostsLine}\n`, ...how });
      const { client } = recordingClient();
      await client.connect(transport);
      expect(client.getServerVersion()?.name).toBe(name);
      expect(textOf(await client.callTool({ name: "add", arguments: { a: 2, b: 40 } }))).toBe("42");
      if (name === "serve-default" && !("subsystem" in how)) {
        const big = "x".repeat(8 * 1024 * 1024);
        const started = Date.now();
        expect(textOf(await client.callTool({ name: "echo", arguments: { text: big } })) === big).toBe(true);
        console.log(`8 MiB echo through serve: ${Date.now() - started} ms`);
      }
      await client.close();
    }
  });

  it("passes accepted env only and sets SSH_CONNECTION", async () => {
    const transport = new SSHClientTransport({ host: serve.host, port: serve.port, username: "mcp", clientKeys: [key.path], knownHostsText: `${serve.knownHostsLine}\n`, env: { MCP_SSH_TEST_A: "yes", OTHER: "no" } });
    const { client } = recordingClient();
    await client.connect(transport);
    expect(textOf(await client.callTool({ name: "env", arguments: { name: "MCP_SSH_TEST_A" } }))).toBe('"yes"');
    expect(textOf(await client.callTool({ name: "env", arguments: { name: "OTHER" } }))).toBe("null");
    expect(textOf(await client.callTool({ name: "env", arguments: { name: "SSH_CONNECTION" } }))).toMatch(/^"127\.0\.0\.1 \d+ 127\.0\.0\.1 \d+"$/);
    await client.close();
  });

  it("refuses an unknown subsystem with a message on stderr, and pty requests", async () => {
    const client = await connect();
    await expect(client.subsystem("nope")).rejects.toThrow(/refused the subsystem "nope"/);
    await expect(client.exec("x", { pty: true })).rejects.toThrow(/pseudo-terminal/);
    await client.close();
  });
});

describe("serveMcp ends its children", () => {
  it("a closed channel ends the server: SIGTERM, then SIGKILL after the grace period for one that ignores TERM; a signal death is reported as exit-signal", async () => {
    const dir = serve.dir;
    const pidFile = `${dir}/stubborn.pid`;
    const local = await startServe({
      authorizedKeys: [key.publicKeyLine],
      killGraceMs: 500,
      servers: {
        // exec keeps the ignored TERM disposition: only SIGKILL ends it.
        stubborn: { command: "/bin/sh", args: ["-c", `trap '' TERM; echo $$ > ${pidFile}; exec sleep 1000`], env: {} },
        selfkill: { command: "/bin/sh", args: ["-c", "kill -KILL $$"], env: {} },
      },
    });
    try {
      const client = await SSHClient.connect({ host: local.host, port: local.port, username: "mcp", privateKey: key.privateKey, knownHosts: `${local.knownHostsLine}\n` });
      const killed = await client.subsystem("selfkill");
      expect(await killed.exit).toEqual({ code: null, signal: "KILL" });
      const ch = await client.subsystem("stubborn");
      const { readFileSync, existsSync } = await import("node:fs");
      const deadline = Date.now() + 20_000;
      while (!existsSync(pidFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const pid = Number(readFileSync(pidFile, "utf8"));
      expect(processAlive(pid)).toBe(true);
      const closedAt = Date.now();
      await ch.close();
      while (processAlive(pid) && Date.now() - closedAt < 20_000) await new Promise((r) => setTimeout(r, 20));
      expect(processAlive(pid)).toBe(false);
      console.log(`stubborn server (ignores SIGTERM) gone ${Date.now() - closedAt} ms after the channel closed (grace 500 ms)`);
      await until(() => /ignored SIGTERM for 500 ms; SIGKILL/.test(local.log()));
      // A lost connection ends the server too.
      const transport = new SSHClientTransport({ host: local.host, port: local.port, username: "mcp", clientKeys: [key.path], knownHostsText: `${local.knownHostsLine}\n` });
      const { client: mcp } = recordingClient();
      await mcp.connect(transport);
      const mcpPid = Number(textOf(await mcp.callTool({ name: "pid", arguments: {} })));
      await client.close();
      await mcp.close();
      const lostAt = Date.now();
      while (processAlive(mcpPid) && Date.now() - lostAt < 20_000) await new Promise((r) => setTimeout(r, 20));
      expect(processAlive(mcpPid)).toBe(false);
    } finally {
      await local.stop();
    }
  });
});

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("serveMcp backpressure", () => {
  it("a client that does not read pauses the server's output (the child blocks); reading resumes it and every byte arrives", async () => {
    const marker = `${serve.dir}/flood.done`;
    const local = await startServe({
      authorizedKeys: [key.publicKeyLine],
      servers: { flood: { command: "/bin/sh", args: ["-c", `head -c 52428800 /dev/zero; echo finished > ${marker}`], env: {} } },
    });
    try {
      const client = await SSHClient.connect({ host: local.host, port: local.port, username: "mcp", privateKey: key.privateKey, knownHosts: `${local.knownHostsLine}\n` });
      const ch = await client.subsystem("flood");
      const { existsSync } = await import("node:fs");
      await new Promise((r) => setTimeout(r, 3000));
      // 50 MiB cannot have gone anywhere: our window is 2 MiB and nobody read.
      expect(existsSync(marker)).toBe(false);
      const buffered = (ch as unknown as { bufferedBytes: number }).bufferedBytes;
      expect(buffered).toBeLessThanOrEqual(2 * 1024 * 1024);
      let total = 0;
      const reader = ch.stdout.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        total += value.length;
      }
      expect(total).toBe(50 * 1024 * 1024);
      expect(existsSync(marker)).toBe(true);
      expect(await ch.exit).toEqual({ code: 0, signal: null });
      console.log(`unread for 3 s: child blocked, ${(buffered / 1024).toFixed(0)} KiB held by the client (window 2048 KiB); then 50 MiB arrived intact`);
      await client.close();
    } finally {
      await local.stop();
    }
  });
});

describe("serveMcp connection behaviour", () => {
  it("max-sessions per connection; keepalive@openssh.com answered (REQUEST_FAILURE, as sshd); a client-started rekey mid-session", async () => {
    const local = await startServe({ authorizedKeys: [key.publicKeyLine], maxSessions: 2 });
    try {
      const client = await SSHClient.connect({
        host: local.host, port: local.port, username: "mcp", privateKey: key.privateKey, knownHosts: `${local.knownHostsLine}\n`,
        keepaliveIntervalMs: 100, keepaliveCountMax: 3,
      });
      const a = await client.exec("one");
      const b = await client.exec("two");
      await expect(client.exec("three")).rejects.toThrow(/too many sessions \(max-sessions 2\)/);
      // Ten keepalive intervals: had the server not answered, three misses would have ended the connection.
      await new Promise((r) => setTimeout(r, 1000));
      expect(client.closed).toBe(false);
      await client.rekey();
      expect(client.kexCount).toBe(2);
      const w = a.stdin.getWriter();
      await w.write(new TextEncoder().encode(`${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } })}\n`));
      await w.close();
      expect(JSON.parse((await new Response(a.stdout).text()).split("\n")[0]!).result.serverInfo.name).toBe("serve-default");
      await b.close();
      await client.close();
    } finally {
      await local.stop();
    }
  });
});
