// Issue 18: serve's authentication is as strict as sshd's. Real logins with our SSHClient (and one
// with OpenSSH's ssh) against serveMcp, authorized_keys options honoured, refusals logged.
import { appendFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../src/platform/node.js";
import { SSHClient } from "../src/ssh/client.js";
import { AuthenticationError, SSHError } from "../src/ssh/errors.js";
import { parsePrivateKey } from "../src/ssh/keys/openssh-private-key.js";
import { makeClientKey, type ClientKey } from "./helpers/servers.js";
import { startServe, toolsServer, type ServeHarness } from "./helpers/serve.js";

let good: ClientKey;
let other: ClientKey;
let serve: ServeHarness;

beforeAll(async () => {
  [good, other] = await Promise.all([makeClientKey({ comment: "good" }), makeClientKey({ comment: "other" })]);
  serve = await startServe({ authorizedKeys: [good.publicKeyLine], servers: { second: toolsServer("serve-second") }, maxAuthTries: 3 });
});
afterAll(() => serve?.stop());

function connect(key: ClientKey, extra: Partial<Parameters<typeof SSHClient.connect>[0]> = {}) {
  return SSHClient.connect({ host: serve.host, port: serve.port, username: "mcp", privateKey: key.privateKey, knownHosts: `${serve.knownHostsLine}\n`, ...extra });
}

async function exitOf(client: SSHClient, command: string): Promise<string> {
  const ch = await client.exec(command);
  const w = ch.stdin.getWriter();
  await w.write(new TextEncoder().encode(`${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } })}\n`));
  await w.close();
  const text = await new Response(ch.stdout).text();
  return JSON.parse(text.split("\n")[0]!).result.serverInfo.name as string;
}

function setAuthorizedKeys(lines: string[]): void {
  writeFileSync(serve.authorizedKeysPath, lines.map((l) => `${l}\n`).join(""));
}

const keyPart = (k: ClientKey) => k.publicKeyLine.split(" ").slice(0, 2).join(" ");

describe("serve refuses what sshd refuses", () => {
  it("an unknown key", async () => {
    setAuthorizedKeys([good.publicKeyLine]);
    await expect(connect(other)).rejects.toBeInstanceOf(AuthenticationError);
    expect(serve.log()).toContain(`key ssh-ed25519 ${other.fingerprint} not authorized`);
  });

  it("a user other than --username", async () => {
    await expect(connect(good, { username: "root" })).rejects.toBeInstanceOf(AuthenticationError);
    expect(serve.log()).toMatch(/Invalid user root from 127\.0\.0\.1/);
  });

  it("a key whose expiry-time has passed (and accepts one whose has not)", async () => {
    setAuthorizedKeys([`expiry-time="20200101" ${keyPart(good)}`]);
    await expect(connect(good)).rejects.toBeInstanceOf(AuthenticationError);
    expect(serve.log()).toMatch(/key expired at 20(19|20)-/);
    setAuthorizedKeys([`expiry-time="29991231Z" ${keyPart(good)}`]);
    const c = await connect(good);
    await c.close();
  });

  it("a from= that does not match the client address (CIDR and negation), and one that does", async () => {
    setAuthorizedKeys([`from="10.0.0.0/8,192.168.*" ${keyPart(good)}`]);
    await expect(connect(good)).rejects.toBeInstanceOf(AuthenticationError);
    expect(serve.log()).toMatch(/address 127\.0\.0\.1 does not match from="10\.0\.0\.0\/8,192\.168\.\*"/);
    setAuthorizedKeys([`from="127.0.0.0/8,!127.0.0.1" ${keyPart(good)}`]);
    await expect(connect(good)).rejects.toBeInstanceOf(AuthenticationError);
    setAuthorizedKeys([`from="127.0.0.0/8" ${keyPart(good)}`]);
    const c = await connect(good);
    await c.close();
  });

  it("a key listed only as cert-authority (it may sign certificates, not log in)", async () => {
    setAuthorizedKeys([`cert-authority,principals="mcp" ${keyPart(good)}`]);
    await expect(connect(good)).rejects.toBeInstanceOf(AuthenticationError);
  });

  it("a line with an unknown option is skipped, not half-applied", async () => {
    setAuthorizedKeys([`no-such-option ${keyPart(good)}`]);
    await expect(connect(good)).rejects.toBeInstanceOf(AuthenticationError);
    expect(serve.log()).toMatch(/line 1: unknown option "no-such-option" \(line skipped\)/);
  });

  it("max-auth-tries: the third refused key ends the connection, as sshd does", async () => {
    setAuthorizedKeys([good.publicKeyLine]);
    const keys = await Promise.all([1, 2, 3, 4].map(async () => parsePrivateKey((await makeClientKey()).privateKey)));
    const error = await connect(other, { signers: keys }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SSHError);
    expect(String((error as Error).message)).toMatch(/Too many authentication failures/);
    expect(serve.log()).toMatch(/maximum authentication attempts exceeded from 127\.0\.0\.1/);
  });

  it("a key added to authorized_keys works at once, without a restart; restrict and command= apply", async () => {
    setAuthorizedKeys([]);
    await expect(connect(good)).rejects.toBeInstanceOf(AuthenticationError);
    appendFileSync(serve.authorizedKeysPath, `restrict,command="second" ${keyPart(good)}\n`);
    const c = await connect(good);
    // The forced command picks the server, whatever the client asks for.
    expect(await exitOf(c, "anything")).toBe("serve-second");
    await expect(c.exec("x", { pty: true })).rejects.toThrow(/pseudo-terminal/);
    await c.close();
  });
});
