// Through the CLI against real sshd: an 8 MiB tools/call argument of mixed Unicode (U+2028/U+2029,
// emoji, quotes, backslashes, newlines) reaches a TypeScript-SDK server and comes back intact
// (escaping must not push the line past the SDK's 10 MiB stdio buffer); and the negotiated key
// exchange is logged, with a warning when the server offers no post-quantum method.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { textOf, toolsServerCommand } from "../fixtures/mcp/fixture-client.js";
import { buildCli, CLI } from "./cli-helpers.js";
import { makeClientKey, startSshd, type ClientKey, type TestServer } from "./helpers/servers.js";

let key: ClientKey;
let pq: TestServer;
let classical: TestServer;
let work: string;
let removeCli: (() => void) | undefined;

beforeAll(async () => {
  const built = buildCli();
  key = await makeClientKey();
  const force = `ForceCommand ${toolsServerCommand(["--name", "unicode"])}`;
  [pq, classical] = await Promise.all([
    startSshd({ authorizedKeys: [key.publicKeyLine], config: [force] }),
    startSshd({ authorizedKeys: [key.publicKeyLine], config: [force, "KexAlgorithms curve25519-sha256"] }),
  ]);
  work = mkdtempSync(join(tmpdir(), "mcp-ssh-unicode-"));
  removeCli = await built;
});
afterAll(async () => {
  await Promise.all([pq?.stop(), classical?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
  removeCli?.();
});

async function viaCli(server: TestServer) {
  const knownHosts = join(work, `known_hosts_${server.port}`);
  writeFileSync(knownHosts, `${server.knownHostsLine}\n`);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, "--host", server.host, "--port", String(server.port), "--username", server.username, "--client-key", key.path, "--known-hosts", knownHosts],
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  const client = new Client({ name: "unicode-test", version: "1" });
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

/** 8 MiB of text whose JSON escaping grows it, heavy in U+2028/U+2029 (3 bytes raw, 6 escaped). */
function mixedText(bytes: number): string {
  const pieces = ["\u2028", "\u2029", "😀", '"', "\\", "\n", "ü", "a", "\u2028\u2029", "漢"];
  let s = "";
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const p = pieces[(i * 7) % pieces.length]!;
    s += p;
    n += new TextEncoder().encode(p).length;
  }
  return s;
}

describe("the CLI proxy", () => {
  it("relays an 8 MiB mixed-Unicode tools/call argument and result intact", async () => {
    const { client } = await viaCli(pq);
    try {
      const text = mixedText(8 * 1024 * 1024);
      const result = await client.callTool({ name: "echo", arguments: { text } }, undefined, { timeout: 120_000 });
      const back = textOf(result);
      expect(back.length).toBe(text.length);
      expect(back === text).toBe(true);
    } finally {
      await client.close();
    }
  }, 180_000);

  it("logs the negotiated post-quantum key exchange at info", async () => {
    const { client, stderr } = await viaCli(pq);
    await client.close();
    expect(stderr()).toMatch(/key exchange sntrup761x25519-sha512/);
    expect(stderr()).not.toMatch(/no post-quantum/);
  });

  it("warns when the server offers no post-quantum key exchange", async () => {
    const { client, stderr } = await viaCli(classical);
    await client.close();
    expect(stderr()).toMatch(/key exchange curve25519-sha256/);
    expect(stderr()).toMatch(/offers no post-quantum key exchange: this connection may be recorded and decrypted later by a quantum computer; upgrade the server to OpenSSH 9\.0 or later/);
  });
});
