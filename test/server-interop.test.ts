// Issue 18: real SSH clients against `serve` running the SDK-built fixture MCP server: OpenSSH's ssh
// (subsystem, exec, default shell; an 8 MiB argument and result), Dropbear's dbclient, the ssh2
// npm Client, Python asyncssh, and our CLI on both ends (mcp-ssh serve + the mcp-ssh proxy,
// with the key server built into serve enrolling a fresh key).
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client as Ssh2Client } from "ssh2";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { recordingClient, textOf } from "../fixtures/mcp/fixture-client.js";
import { makeClientKey, type ClientKey } from "./helpers/servers.js";
import { startServe, toolsServer, type ServeHarness } from "./helpers/serve.js";
import { buildCli, CLI, spawnCli } from "./cli-helpers.js";

let key: ClientKey;
let serve: ServeHarness;
let work: string;
let removeCli: () => void;

const INIT = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } } };
const INITIALIZED = { jsonrpc: "2.0", method: "notifications/initialized" };
const CALL = { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "add", arguments: { a: 20, b: 22 } } };

beforeAll(async () => {
  [key, removeCli] = await Promise.all([makeClientKey(), buildCli()]);
  serve = await startServe({ authorizedKeys: [key.publicKeyLine], servers: { second: toolsServer("serve-second") } });
  work = mkdtempSync(join(tmpdir(), "mcp-ssh-serve-interop-"));
});
afterAll(async () => {
  await serve?.stop();
  removeCli?.();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Run a program without blocking this process (the server under test runs in it). */
function runAsync(command: string, args: string[], opts: { input?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, ...opts.env }, stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.once("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.stdin.end(opts.input ?? "");
  });
}

function sshArgs(extra: string[]): string[] {
  return [
    "-F", "/dev/null",
    "-p", String(serve.port),
    "-i", key.path,
    "-o", "IdentitiesOnly=yes",
    "-o", "BatchMode=yes",
    "-o", `UserKnownHostsFile=${serve.knownHostsPath}`,
    "-o", "StrictHostKeyChecking=yes",
    "-o", "LogLevel=ERROR",
    "-T",
    "mcp@127.0.0.1",
    ...extra,
  ];
}

/** The SDK Client over a command's stdio (ssh, dbclient, the mcp-ssh proxy): initialize, then add. */
async function mcpThroughCommand(command: string, args: string[], env?: Record<string, string>) {
  const transport = new StdioClientTransport({ command, args, env: { ...(process.env as Record<string, string>), ...env }, stderr: "pipe" });
  let stderr = "";
  transport.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const { client } = recordingClient();
  try {
    await client.connect(transport);
  } catch (e) {
    throw new Error(`${command} ${args.join(" ")}: ${(e as Error).message}\nstderr: ${stderr}`);
  }
  return { client, stderr: () => stderr };
}

describe("OpenSSH ssh 9.2 against serve", () => {
  it("ssh -s mcp, ssh host cmd, and the default shell each reach the MCP server", async () => {
    const version = spawnSync("ssh", ["-V"], { encoding: "utf8" }).stderr.trim();
    console.log(`client: ${version}`);
    for (const [extra, name] of [[["-s", "mcp"], "serve-default"], [["-s", "second"], "serve-second"], [["any", "command"], "serve-default"], [["second"], "serve-second"], [[], "serve-default"]] as const) {
      const { client } = await mcpThroughCommand("ssh", sshArgs([...extra]));
      expect(client.getServerVersion()?.name).toBe(name);
      expect(textOf(await client.callTool({ name: "add", arguments: { a: 2, b: 40 } }))).toBe("42");
      await client.close();
    }
  });

  it("an 8 MiB argument and an 8 MiB result through ssh -s mcp", async () => {
    const { client } = await mcpThroughCommand("ssh", sshArgs(["-s", "mcp"]));
    const big = "y".repeat(8 * 1024 * 1024);
    const started = Date.now();
    const back = textOf(await client.callTool({ name: "echo", arguments: { text: big } }));
    expect(back.length).toBe(big.length);
    expect(back === big).toBe(true);
    console.log(`8 MiB echo through OpenSSH ssh and serve: ${Date.now() - started} ms`);
    await client.close();
  });

  it("an unknown subsystem is refused and ssh says so", async () => {
    const r = await runAsync("ssh", sshArgs(["-s", "nope"]));
    expect(r.status).not.toBe(0);
    // ssh exits through fatal() on the failure, before it writes the stderr text we sent first.
    expect(r.stderr).toMatch(/subsystem request failed/);
    expect(serve.log()).toMatch(/session refused for mcp from 127\.0\.0\.1: subsystem "nope"/);
  });

  it("a pty request is refused (ssh -tt says so)", async () => {
    const r = await runAsync("ssh", sshArgs(["-s", "mcp"]).map((a) => (a === "-T" ? "-tt" : a)), { input: `${JSON.stringify(INIT)}\n`, timeoutMs: 10_000 });
    expect(r.stderr).toMatch(/PTY allocation request failed/);
  });
});

describe("Dropbear dbclient against serve", () => {
  it("exec reaches the MCP server (initialize + tools/call)", async () => {
    const home = join(work, "dbhome");
    execFileSync("mkdir", ["-p", join(home, ".ssh")]);
    const dbKey = join(work, "db_key");
    rmSync(dbKey, { force: true });
    execFileSync("dropbearconvert", ["openssh", "dropbear", key.path, dbKey], { stdio: "pipe" });
    const { client } = await mcpThroughCommand("dbclient", ["-y", "-i", dbKey, "-p", String(serve.port), "mcp@127.0.0.1", "mcp"], { HOME: home });
    expect(client.getServerVersion()?.name).toBe("serve-default");
    expect(textOf(await client.callTool({ name: "add", arguments: { a: 2, b: 40 } }))).toBe("42");
    await client.close();
  });
});

describe("ssh2 (npm) Client against serve", () => {
  it("subsystem mcp: initialize + tools/call as JSON lines", async () => {
    const conn = new Ssh2Client();
    const lines: string[] = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("ssh2 exchange timed out")), 30_000);
      conn
        .on("ready", () => {
          conn.subsys("mcp", (err, stream) => {
            if (err) return reject(err);
            let buf = "";
            const got: string[] = [];
            stream.on("data", (d: Buffer) => {
              buf += d.toString();
              let nl;
              while ((nl = buf.indexOf("\n")) >= 0) {
                got.push(buf.slice(0, nl));
                buf = buf.slice(nl + 1);
                if (got.length === 1) stream.write(`${JSON.stringify(INITIALIZED)}\n${JSON.stringify(CALL)}\n`);
                if (got.length === 2) {
                  clearTimeout(timer);
                  stream.end();
                  resolve(got);
                }
              }
            });
            stream.write(`${JSON.stringify(INIT)}\n`);
          });
        })
        .on("error", reject)
        .connect({
          host: "127.0.0.1",
          port: serve.port,
          username: "mcp",
          privateKey: key.privateKey,
          hostVerifier: (k: Buffer) => k.toString("base64") === serve.hostKeyLine.split(" ")[1],
        });
    });
    conn.end();
    expect(JSON.parse(lines[0]!).result.serverInfo.name).toBe("serve-default");
    expect(JSON.parse(lines[1]!).result.content[0].text).toBe("42");
  });
});

describe("Python asyncssh client against serve", () => {
  it("subsystem mcp: initialize + tools/call", async () => {
    const probe = spawnSync("/usr/bin/python3", ["-c", "import asyncssh"], { encoding: "utf8" });
    if (probe.status !== 0) throw new Error(`python3-asyncssh is missing: apt-get install python3-asyncssh (${probe.stderr.trim()})`);
    const script = `
import asyncio, json, sys, warnings
warnings.filterwarnings("ignore")
import asyncssh
async def main():
    async with asyncssh.connect("127.0.0.1", port=${serve.port}, username="mcp", client_keys=[${JSON.stringify(key.path)}], known_hosts=${JSON.stringify(serve.knownHostsPath)}) as conn:
        proc = await conn.create_process(subsystem="mcp", encoding="utf-8")
        proc.stdin.write(${JSON.stringify(JSON.stringify(INIT))} + "\\n")
        first = await proc.stdout.readline()
        proc.stdin.write(${JSON.stringify(JSON.stringify(INITIALIZED))} + "\\n" + ${JSON.stringify(JSON.stringify(CALL))} + "\\n")
        second = await proc.stdout.readline()
        proc.stdin.write_eof()
        await proc.wait()
        print(first.strip()); print(second.strip()); print(conn.get_extra_info("server_version"))
asyncio.run(main())
`;
    const scriptPath = join(work, "asyncssh_client.py");
    writeFileSync(scriptPath, script);
    const r = await runAsync("/usr/bin/python3", [scriptPath]);
    if (/No matching MAC algorithm found/.test(r.stderr)) {
      // asyncssh 2.10 insists on a MAC even for chacha20-poly1305, and our MAC table is still empty.
      throw new Error("asyncssh refused our KEXINIT: it needs a MAC in the list even with chacha20-poly1305@openssh.com; this passes once src/ssh/algorithms/macs.ts has rows (hmac-sha2-*)");
    }
    if (r.status !== 0) throw new Error(`asyncssh client failed: ${r.stderr}`);
    const [first, second, version] = r.stdout.trim().split("\n");
    expect(JSON.parse(first!).result.serverInfo.name).toBe("serve-default");
    expect(JSON.parse(second!).result.content[0].text).toBe("42");
    expect(version).toMatch(/^SSH-2\.0-mcp_ssh_/);
  });
});

describe("mcp-ssh serve (the CLI) with the mcp-ssh proxy", () => {
  it("serves -- COMMAND; a fresh client enrolls through the built-in key server (--use-key-server) and calls a tool", async () => {
    const dir = join(work, "cli");
    execFileSync("mkdir", ["-p", dir]);
    const hostKey = join(dir, "host_key");
    const authorized = join(dir, "authorized_keys");
    const served = spawnCli([
      "serve", "--host", "127.0.0.1", "--port", "0", "--host-key", hostKey, "--authorized-keys", authorized,
      "--key-server-port", "0", "--open-registration",
      "--", ...[toolsServer("cli-served").command, ...toolsServer("cli-served").args],
    ]);
    try {
      // --host-key given and missing: serve refuses to invent a key at a path it was told to read.
      const refused = await served.exited(30_000);
      expect(refused.code).toBe(1);
      expect(served.stderr()).toMatch(/cannot read host key/);
      execFileSync(process.execPath, [CLI, "keygen", "--file", hostKey], { stdio: "pipe" });
    } finally {
      served.child.kill();
    }
    const run = spawnCli([
      "serve", "--host", "127.0.0.1", "--port", "0", "--host-key", hostKey, "--authorized-keys", authorized,
      "--key-server-port", "0", "--open-registration",
      "--", toolsServer("cli-served").command, ...toolsServer("cli-served").args,
    ]);
    try {
      const deadline = Date.now() + 30_000;
      let m: RegExpMatchArray | null = null;
      let k: RegExpMatchArray | null = null;
      while (Date.now() < deadline && !(m && k)) {
        await new Promise((r) => setTimeout(r, 100));
        m = run.stderr().match(/serving MCP over SSH on 127\.0\.0\.1 port (\d+)/);
        k = run.stderr().match(/key server listening on http:\/\/127\.0\.0\.1:(\d+)/);
      }
      if (!m || !k) throw new Error(`serve did not start:\n${run.stderr()}`);
      const fresh = await makeClientKey();
      const { client } = await mcpThroughCommand(process.execPath, [
        CLI, "--host", "127.0.0.1", "--port", m[1]!, "--username", "mcp", "--client-key", fresh.path,
        "--use-key-server", "--key-server-port", k[1]!, "--log-level", "warn",
      ]);
      expect(client.getServerVersion()?.name).toBe("cli-served");
      expect(textOf(await client.callTool({ name: "add", arguments: { a: 2, b: 40 } }))).toBe("42");
      await client.close();
      expect(run.stderr()).toMatch(new RegExp(`Accepted publickey for mcp from 127\\.0\\.0\\.1 port \\d+ ssh2: ssh-ed25519 ${fresh.fingerprint.replace(/[+/]/g, "\\$&")}`));
      expect(run.stderr()).toMatch(/host key: ssh-ed25519 SHA256:/);
    } finally {
      run.child.kill("SIGTERM");
      const status = await run.exited(30_000);
      expect(status.code).toBe(0);
    }
  });
});
