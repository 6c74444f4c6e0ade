// Issue 16: a FIPS-like OpenSSH server (9.2 and 10.0): AES-GCM/CTR only, HMAC-SHA2-ETM only,
// ECDH-NIST and DH group 16 only, an ECDSA host key only, RSA-SHA2 user keys only. Reached by the
// library (an exec whose output is checked) and by the `mcp-ssh` CLI with an MCP call, driven by
// the SDK's StdioClientTransport as an MCP host does. ForceCommand runs the fixture MCP server, so
// the library's exec speaks MCP too: it sends `initialize` and reads the answer.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SSHClient } from "../src/entries/ssh.js";
import { recordingClient, textOf, toolsServerCommand } from "../fixtures/mcp/fixture-client.js";
import { buildCli, CLI } from "./cli-helpers.js";
import { connectTo } from "./helpers/connect.js";
import { makeClientKey, startSshd, waitForLog, type ClientKey, type TestServer } from "./helpers/servers.js";

const VERSIONS = ["9.2", "10.0"] as const;
const FIPS_CONFIG = [
  "Ciphers aes128-gcm@openssh.com,aes256-gcm@openssh.com,aes128-ctr,aes256-ctr",
  "MACs hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com",
  "KexAlgorithms ecdh-sha2-nistp256,ecdh-sha2-nistp384,diffie-hellman-group16-sha512",
  "HostKeyAlgorithms ecdsa-sha2-nistp256",
  "PubkeyAcceptedAlgorithms rsa-sha2-256,rsa-sha2-512",
  `ForceCommand ${toolsServerCommand(["--name", "fips"])}`,
];
const INITIALIZE =
  '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"fips-test","version":"1"}}}\n';

let key: ClientKey;
let work: string;
let removeCli: (() => void) | undefined;
const servers = new Map<string, TestServer>();

beforeAll(async () => {
  const built = buildCli();
  key = await makeClientKey({ type: "rsa", bits: 3072, comment: "fips-rsa" });
  work = mkdtempSync(join(tmpdir(), "mcp-ssh-fips-"));
  for (const version of VERSIONS) {
    const s = await startSshd({ openssh: version, hostKeyTypes: ["ecdsa"], authorizedKeys: [key.publicKeyLine], config: FIPS_CONFIG });
    servers.set(version, s);
    writeFileSync(join(work, `known_hosts_${version}`), `${s.knownHostsLine}\n`);
  }
  removeCli = await built;
}, 120_000);

afterAll(async () => {
  await Promise.all([...servers.values()].map((s) => s.stop()));
  if (work) rmSync(work, { recursive: true, force: true });
  removeCli?.();
});

/** exec (ForceCommand runs the MCP fixture), send initialize, return the first line it answers. */
async function initializeOverExec(client: SSHClient): Promise<{ result?: { serverInfo?: { name?: string } } }> {
  const ch = await client.exec("ignored-by-ForceCommand");
  const writer = ch.stdin.getWriter();
  await writer.write(new TextEncoder().encode(INITIALIZE));
  const reader = ch.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  await writer.close();
  reader.releaseLock();
  await ch.close();
  return JSON.parse(text.slice(0, text.indexOf("\n")));
}

describe.each(VERSIONS)("FIPS-like OpenSSH %s", (version) => {
  it("the library with its defaults: ECDH-NIST, ECDSA host key, AES, RSA-SHA2 user key; exec answers", async () => {
    const s = servers.get(version)!;
    const client = await connectTo(s, key);
    try {
      expect(client.algorithms.kex).toBe("ecdh-sha2-nistp256");
      expect(client.algorithms.hostKey).toBe("ecdsa-sha2-nistp256");
      expect(client.algorithms.cipher.clientToServer).toBe("aes128-gcm@openssh.com");
      expect(client.algorithms.mac.clientToServer).toBeNull();
      expect((await initializeOverExec(client)).result?.serverInfo?.name).toBe("fips");
    } finally {
      await client.close();
    }
    await waitForLog(s, /kex: algorithm: ecdh-sha2-nistp256/);
    expect(s.log()).toMatch(/kex: host key algorithm: ecdsa-sha2-nistp256/);
    expect(s.log()).toMatch(/kex: client->server cipher: aes128-gcm@openssh.com/);
    await waitForLog(s, /Accepted publickey for \S+ from 127\.0\.0\.1 port \d+ ssh2: RSA /);
    expect(s.log()).toMatch(/userauth_pubkey: .*pkalg rsa-sha2-512/);
  });

  it("the library restricted to DH group 16, aes256-ctr and hmac-sha2-512-etm", async () => {
    const s = servers.get(version)!;
    const client = await connectTo(s, key, {
      algorithms: { kex: ["diffie-hellman-group16-sha512"], cipher: ["aes256-ctr"], mac: ["hmac-sha2-512-etm@openssh.com"] },
    });
    try {
      expect(client.algorithms.mac).toEqual({ clientToServer: "hmac-sha2-512-etm@openssh.com", serverToClient: "hmac-sha2-512-etm@openssh.com" });
      expect((await initializeOverExec(client)).result?.serverInfo?.name).toBe("fips");
    } finally {
      await client.close();
    }
    await waitForLog(s, /kex: algorithm: diffie-hellman-group16-sha512/);
    expect(s.log()).toMatch(/kex: client->server cipher: aes256-ctr MAC: hmac-sha2-512-etm@openssh.com/);
  });

  it("the mcp-ssh CLI under the SDK's StdioClientTransport: initialize, tools/call", async () => {
    const s = servers.get(version)!;
    const before = s.log().match(/kex: algorithm: ecdh-sha2-nistp256/g)?.length ?? 0;
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [
        CLI,
        "--host", s.host,
        "--port", String(s.port),
        "--username", s.username,
        "--client-key", key.path,
        "--known-hosts", join(work, `known_hosts_${version}`),
      ],
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    const { client } = recordingClient();
    try {
      await client.connect(transport);
      expect(client.getServerVersion()?.name).toBe("fips");
      expect(textOf(await client.callTool({ name: "add", arguments: { a: 40, b: 2 } }))).toBe("42");
      expect(textOf(await client.callTool({ name: "echo", arguments: { text: "fips ✓" } }))).toBe("fips ✓");
    } catch (error) {
      throw new Error(`${(error as Error).message}\nCLI stderr:\n${stderr}`);
    } finally {
      await client.close();
    }
    for (let i = 0; i < 200 && (s.log().match(/kex: algorithm: ecdh-sha2-nistp256/g)?.length ?? 0) <= before; i++) await new Promise((r) => setTimeout(r, 25));
    expect(s.log().match(/kex: algorithm: ecdh-sha2-nistp256/g)?.length).toBe(before + 1);
  });
});
