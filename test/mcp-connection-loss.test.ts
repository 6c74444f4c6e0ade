// The TCP connection dies in the middle of an MCP session (the cable is pulled): the transport
// reports it and closes once; the CLI exits 255 with the reason on stderr and only whole
// messages on stdout. The cut is made by a small TCP forwarder between client and sshd.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../src/platform/node.js";
import { SSHClientTransport } from "../src/mcp/index.js";
import { ConnectionLostError } from "../src/ssh/errors.js";
import { silentLogger } from "../src/ssh/logger.js";
import { recordingClient, textOf, toolsServerCommand } from "../fixtures/mcp/fixture-client.js";
import { buildCli, spawnCli, waitForStdoutLine } from "./cli-helpers.js";
import { makeClientKey, startSshd, type ClientKey, type TestServer } from "./helpers/servers.js";

/** Forwards 127.0.0.1:port to the target; cut() destroys every connection at once. */
async function cuttableForwarder(targetPort: number): Promise<{ port: number; cut(): void; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => sockets.delete(s));
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return {
    port: address.port,
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    stop: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

let key: ClientKey;
let sshd: TestServer;
let work: string;
let removeCli: (() => void) | undefined;

beforeAll(async () => {
  const built = buildCli();
  key = await makeClientKey();
  sshd = await startSshd({ authorizedKeys: [key.publicKeyLine], config: [`ForceCommand ${toolsServerCommand()}`] });
  work = mkdtempSync(join(tmpdir(), "mcp-ssh-loss-"));
  removeCli = await built;
});

afterAll(async () => {
  await sshd?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
  removeCli?.();
});

describe("connection lost mid-session", () => {
  it("SSHClientTransport reports ConnectionLostError and closes once", async () => {
    const forwarder = await cuttableForwarder(sshd.port);
    try {
      const transport = new SSHClientTransport({
        host: "127.0.0.1",
        port: forwarder.port,
        username: sshd.username,
        clientKeys: [key.path],
        // The host key is the server's, whatever port we reach it through.
        hostKeyFingerprints: [sshd.hostKeyFingerprint],
        logger: silentLogger,
      });
      const { client } = recordingClient();
      const errors: Error[] = [];
      let closes = 0;
      await client.connect(transport);
      expect(textOf(await client.callTool({ name: "echo", arguments: { text: "before" } }))).toBe("before");
      const onerror = transport.onerror;
      transport.onerror = (e) => {
        errors.push(e);
        onerror?.(e);
      };
      const closed = new Promise<void>((resolve) => {
        const onclose = transport.onclose;
        transport.onclose = () => {
          closes++;
          onclose?.();
          resolve();
        };
      });
      forwarder.cut();
      await closed;
      expect(errors.some((e) => e instanceof ConnectionLostError)).toBe(true);
      expect(transport.remoteEnd?.error).toBeInstanceOf(ConnectionLostError);
      await transport.close();
      expect(closes).toBe(1);
      await expect(client.callTool({ name: "echo", arguments: { text: "after" } })).rejects.toThrow();
    } finally {
      await forwarder.stop();
    }
  });

  it("the CLI exits 255 and says the connection was lost", async () => {
    const forwarder = await cuttableForwarder(sshd.port);
    try {
      const knownHosts = join(work, "known_hosts");
      writeFileSync(knownHosts, `[127.0.0.1]:${forwarder.port} ${sshd.hostKeyLine}\n`);
      const run = spawnCli([
        "--host", "127.0.0.1",
        "--port", String(forwarder.port),
        "--username", sshd.username,
        "--client-key", key.path,
        "--known-hosts", knownHosts,
      ]);
      run.child.stdin.write(
        '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}\n',
      );
      await waitForStdoutLine(run, (l) => l.includes('"id":1'), 20_000);
      forwarder.cut();
      expect((await run.exited(10_000)).code).toBe(255);
      expect(run.stderr()).toMatch(/warn: the SSH connection was lost/);
      for (const line of run.stdout().split("\n").filter((l) => l !== "")) expect(JSON.parse(line).id).toBe(1);
    } finally {
      await forwarder.stop();
    }
  });
});
