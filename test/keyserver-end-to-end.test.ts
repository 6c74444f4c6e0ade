// End to end: `mcp-ssh keyserver` enrolls into the file that sshd's AuthorizedKeysFile names;
// `mcp-ssh --use-key-server` with a fresh key (made by ssh-keygen) fetches the host key, enrolls
// the key, logs in and carries an MCP tool call to the fixture server, which the key server's
// forced command starts. Before enrollment the same key cannot log in.
//
// The command is the CLI's own entry (src/cli/main.ts, what tsup builds into dist/cli.js),
// bundled by esbuild for this test so it is never stale and never races a concurrent `npm run
// build` that cleans dist/.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { textOf, toolsServerCommand } from "../fixtures/mcp/fixture-client.js";
import { makeClientKey, startSshd, type TestServer } from "./helpers/servers.js";
import { run } from "./helpers/tools.js";

const TOKEN = "end-to-end-token-0123456789abcdef";
const ROOT = fileURLToPath(new URL("..", import.meta.url));

let dir: string;
let cli: string;
let sshd: TestServer;
let enrolledFile: string;
let keyServer: ChildProcess;
let keyServerPort: number;
let keyServerLog = "";

/** The CLI as one file inside the repository, so its bare imports resolve to node_modules. */
async function buildCli(): Promise<string> {
  const out = join(ROOT, "node_modules", ".cache", `mcp-ssh-keyserver-e2e-${process.pid}`);
  await mkdir(out, { recursive: true });
  const file = join(out, "cli.mjs");
  await build({
    entryPoints: [join(ROOT, "src", "cli", "main.ts")],
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: file,
    logLevel: "silent",
  });
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcp-ssh-keyserver-e2e-"));
  cli = await buildCli();
  enrolledFile = join(dir, "enrolled_keys");
  sshd = await startSshd({ config: [`AuthorizedKeysFile ${enrolledFile}`] });
  const tokenFile = join(dir, "token");
  await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  keyServer = spawn(
    process.execPath,
    [
      cli, "keyserver",
      "--server-pub-key", join(sshd.dir, "ssh_host_ed25519_key.pub"),
      "--authorized-keys", enrolledFile,
      "--token-file", tokenFile,
      "--forced-command", toolsServerCommand(),
      "--port", "0",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  keyServerPort = await new Promise<number>((resolve, reject) => {
    keyServer.stderr!.on("data", (c: Buffer) => {
      keyServerLog += c.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(keyServerLog);
      if (m) resolve(Number(m[1]));
    });
    keyServer.once("exit", (code) => reject(new Error(`mcp-ssh keyserver exited (${code}):\n${keyServerLog}`)));
  });
});

afterAll(async () => {
  if (keyServer && keyServer.exitCode === null) {
    const exited = new Promise((resolve) => keyServer.once("exit", resolve));
    keyServer.kill("SIGTERM");
    await exited;
  }
  await sshd?.stop();
  await rm(dir, { recursive: true, force: true });
  if (cli) await rm(join(cli, ".."), { recursive: true, force: true });
});

/** `mcp-ssh ...` as an MCP host runs it: an SDK client on its stdio; stderr collected. */
async function connectThroughCli(args: string[]): Promise<{ client: Client; stderr: () => string; close: () => Promise<void> }> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [cli, ...args], stderr: "pipe", cwd: dir });
  let stderr = "";
  transport.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  // The child's stderr ends after its last line; bounded, so a stuck pipe cannot hang the test.
  const stderrEnded = new Promise<void>((resolve) => {
    transport.stderr?.once("end", resolve);
    setTimeout(resolve, 10_000).unref();
  });
  const client = new Client({ name: "keyserver-e2e", version: "1.0.0" });
  try {
    await client.connect(transport);
  } catch (e) {
    await transport.close().catch(() => {});
    await stderrEnded;
    throw Object.assign(e as Error, { stderr });
  }
  return { client, stderr: () => stderr, close: () => client.close() };
}

describe("mcp-ssh --use-key-server against sshd", () => {
  it("a fresh key cannot log in before enrollment, and after it an MCP call succeeds", async () => {
    const key = await makeClientKey({ comment: "fresh@client" });
    const knownHosts = join(dir, "known_hosts");
    await writeFile(knownHosts, `${sshd.knownHostsLine}\n`);
    const base = ["--host", sshd.host, "--port", String(sshd.port), "--username", sshd.username, "--client-key", key.path];

    // Not enrolled: the host key is known, the login is refused.
    const refused = await connectThroughCli([...base, "--known-hosts", knownHosts]).then(
      async (c) => {
        await c.close();
        return undefined;
      },
      (e: Error & { stderr?: string }) => e,
    );
    expect(refused, "login must fail before enrollment").toBeInstanceOf(Error);
    expect(refused!.stderr).toMatch(/authentication failed/i);
    expect(await readFile(enrolledFile, "utf8").catch(() => "")).toBe("");

    // Enrolled through the key server; known_hosts is an empty file, so the only trust anchor is
    // the host key the key server handed out.
    const emptyKnownHosts = join(dir, "known_hosts_empty");
    await writeFile(emptyKnownHosts, "");
    const session = await connectThroughCli([
      ...base,
      "--known-hosts", emptyKnownHosts,
      "--use-key-server",
      "--key-server-port", String(keyServerPort),
      "--key-server-token", TOKEN,
    ]);
    try {
      const result = await session.client.callTool({ name: "echo", arguments: { text: "through the key server" } });
      expect(textOf(result)).toBe("through the key server");
      expect(session.stderr()).toMatch(/plain HTTP http:\/\/127\.0\.0\.1:\d+ \(allowed because the host is a loopback address\)/);
    } finally {
      await session.close();
    }
    expect(await readFile(emptyKnownHosts, "utf8")).toBe("");
    const enrolled = await readFile(enrolledFile, "utf8");
    // Enrolled as "type base64": the key file's comment ("fresh@client") stays on this machine.
    expect(enrolled).toBe(`restrict,command="${toolsServerCommand().replace(/"/g, '\\"')}" ${key.publicKeyLine.split(" ").slice(0, 2).join(" ")}\n`);
    expect(enrolled).not.toContain("fresh@client");
    expect(await readFile(`${key.path}.pub`, "utf8")).toContain("fresh@client");
    const { stdout } = await run("ssh-keygen", ["-l", "-E", "sha256", "-f", enrolledFile]);
    expect(stdout.split(" ")[1]).toBe(key.fingerprint);
    expect(keyServerLog).toMatch(new RegExp(`${key.fingerprint.replace(/[+/]/g, "\\$&")} enrolled`));
  });

  it("refuses enrollment without the token, and the key stays locked out", async () => {
    const key = await makeClientKey({ comment: "no-token" });
    const emptyKnownHosts = join(dir, "known_hosts_empty2");
    await writeFile(emptyKnownHosts, "");
    const before = await readFile(enrolledFile, "utf8").catch(() => "");
    const error = await connectThroughCli([
      "--host", sshd.host, "--port", String(sshd.port), "--username", sshd.username, "--client-key", key.path,
      "--known-hosts", emptyKnownHosts, "--use-key-server", "--key-server-port", String(keyServerPort),
    ]).then(
      async (c) => {
        await c.close();
        return undefined;
      },
      (e: Error & { stderr?: string }) => e,
    );
    expect(error, "connect must fail without a token").toBeInstanceOf(Error);
    expect(error!.stderr).toMatch(/HTTP 401.*--key-server-token or set MCP_SSH_KEY_SERVER_TOKEN/);
    expect(await readFile(enrolledFile, "utf8").catch(() => "")).toBe(before);
  });
});
