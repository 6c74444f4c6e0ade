// `mcp-ssh --use-key-server` against `mcp-ssh keyserver` and a real sshd: the proxy fetches the
// host key, enrolls its client key into sshd's authorized_keys, pins the key in memory and logs in.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toolsServerCommand } from "../fixtures/mcp/fixture-client.js";
import { buildCli, spawnCli, waitForStdoutLine, type CliRun } from "./cli-helpers.js";
import { freePort } from "./helpers/free-port.js";
import { makeClientKey, startSshd, type ClientKey, type TestServer } from "./helpers/servers.js";

const TOKEN = "enroll-me-please-0123456789";
const INITIALIZE =
  '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}';

let removeCli: (() => void) | undefined;
let sshd: TestServer;
let other: TestServer;
const keyServers: CliRun[] = [];

beforeAll(async () => {
  const built = buildCli();
  [sshd, other] = await Promise.all([
    startSshd({ config: [`ForceCommand ${toolsServerCommand(["--name", "enrolled"])}`] }),
    startSshd(),
  ]);
  removeCli = await built;
});

afterAll(async () => {
  for (const run of keyServers) run.child.kill("SIGTERM");
  await Promise.all(keyServers.map((run) => run.exited(10_000).catch(() => {})));
  await Promise.all([sshd?.stop(), other?.stop()]);
  removeCli?.();
});

/** `mcp-ssh keyserver` on a free loopback port, serving `hostKeyOf`'s host key, enrolling into `sshd`. */
async function startKeyServer(hostKeyOf: TestServer): Promise<number> {
  const port = await freePort();
  const run = spawnCli([
    "keyserver",
    "--host", "127.0.0.1",
    "--port", String(port),
    "--server-pub-key", `${hostKeyOf.dir}/ssh_host_ed25519_key.pub`,
    "--authorized-keys", `${sshd.dir}/authorized_keys`,
    "--token", TOKEN,
  ]);
  keyServers.push(run);
  const deadline = Date.now() + 10_000;
  while (!run.stderr().includes("listening")) {
    if (run.child.exitCode !== null || Date.now() > deadline) throw new Error(`key server did not start:\n${run.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return port;
}

function proxyArgs(keyServerPort: number, key: ClientKey): string[] {
  return [
    "--host", "127.0.0.1",
    "--port", String(sshd.port),
    "--username", sshd.username,
    "--client-key", key.path,
    // No known_hosts entry for this server: the key server's answer is the only trust anchor.
    "--known-hosts", "/nonexistent/known_hosts",
    "--use-key-server",
    "--key-server-port", String(keyServerPort),
  ];
}

describe("mcp-ssh --use-key-server", () => {
  it("enrolls the client key, pins the served host key and relays MCP", async () => {
    const keyServerPort = await startKeyServer(sshd);
    const key = await makeClientKey({ comment: "enrolled-key" });
    expect(readFileSync(`${sshd.dir}/authorized_keys`, "utf8")).not.toContain(key.publicKeyLine.split(" ")[1]);

    const run = spawnCli(proxyArgs(keyServerPort, key), { MCP_SSH_KEY_SERVER_TOKEN: TOKEN });
    run.child.stdin.write(`${INITIALIZE}\n`);
    const reply = JSON.parse(await waitForStdoutLine(run, (l) => l.includes('"id":1'), 20_000));
    expect(reply.result.serverInfo.name).toBe("enrolled");
    run.child.stdin.end();
    expect((await run.exited(10_000)).code).toBe(0);

    expect(readFileSync(`${sshd.dir}/authorized_keys`, "utf8")).toContain(key.publicKeyLine.split(" ")[1]);
    expect(run.stderr()).toContain(`pinning host key ${sshd.hostKeyFingerprint}`);
  });

  it("refuses the server when the key server vouches for a different host key", async () => {
    const keyServerPort = await startKeyServer(other);
    const key = await makeClientKey();
    const run = spawnCli(proxyArgs(keyServerPort, key), { MCP_SSH_KEY_SERVER_TOKEN: TOKEN });
    run.child.stdin.write(`${INITIALIZE}\n`);
    const status = await run.exited(10_000);
    expect(status.code).toBe(255);
    expect(run.stdout()).toBe("");
    const errors = run.stderr().split("\n").filter((l) => l.includes("error:"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/host key for .* does not match/);
  });

  it("fails with one clear line when the token is missing", async () => {
    const keyServerPort = await startKeyServer(sshd);
    const key = await makeClientKey();
    const run = spawnCli(proxyArgs(keyServerPort, key), { MCP_SSH_KEY_SERVER_TOKEN: "" });
    run.child.stdin.write(`${INITIALIZE}\n`);
    expect((await run.exited(10_000)).code).toBe(255);
    expect(run.stdout()).toBe("");
    const errors = run.stderr().split("\n").filter((l) => l.includes("error:"));
    expect(errors).toEqual([expect.stringMatching(/refused the enrollment \(HTTP 401/)]);
  });
});
