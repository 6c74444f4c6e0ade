#!/usr/bin/env node
// `npm run demo`: a real MCP call over a real SSH connection, with nothing to configure.
//
// 1. Starts a private OpenSSH sshd on 127.0.0.1 (a free port, a throwaway directory holding its
//    host key, the client key, authorized_keys and a ForceCommand that runs the MCP server in
//    fixtures/mcp/demo-server.mjs). Both keys are made by `mcp-ssh keygen`.
// 2. Runs the built `mcp-ssh` command (dist/cli.js) as an MCP host would: the MCP SDK's Client
//    over StdioClientTransport, with the host key pinned in a known_hosts file.
// 3. Prints the server's tools and the results of two calls, then stops sshd (by its PID),
//    removes the directory and exits 0.
import { execFile, spawn } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The built command; MCP_SSH_DEMO_CLI points elsewhere (the tests run a fresh bundle of the sources). */
const CLI = process.env.MCP_SSH_DEMO_CLI ?? join(ROOT, "dist", "cli.js");
const SERVER = join(ROOT, "fixtures", "mcp", "demo-server.mjs");
/** sshd must be started by absolute path (it re-executes itself for each connection). */
const SSHD_CANDIDATES = ["/usr/sbin/sshd", "/usr/bin/sshd", "/usr/local/sbin/sshd"];
const HOST = "127.0.0.1";
/** The whole demo normally takes a second or two; never hang. */
const DEADLINE_MS = 60_000;

const say = (line = "") => process.stdout.write(`${line}\n`);

class DemoError extends Error {}

function shellQuote(s) {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where sshd is; MCP_SSH_DEMO_SSHD overrides the usual places. */
function findSshd() {
  const candidates = process.env.MCP_SSH_DEMO_SSHD ? [process.env.MCP_SSH_DEMO_SSHD] : SSHD_CANDIDATES;
  const found = candidates.find(isExecutable);
  if (!found) {
    throw new DemoError(
      `OpenSSH's sshd is not installed (looked for ${candidates.join(", ")}). ` +
        `Install it (Debian/Ubuntu: apt-get install openssh-server) and run npm run demo again.`,
    );
  }
  return found;
}

function preflight() {
  if (!existsSync(CLI)) {
    throw new DemoError(`${CLI} is missing: build it with npm install (or npm run build) first`);
  }
}

function runNode(args) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { timeout: 30_000 }, (error, stdout, stderr) =>
      error ? reject(new DemoError(`node ${args.join(" ")} failed: ${stderr || error.message}`)) : resolve(stdout),
    );
  });
}

/** A port that was free a moment ago (sshd may still lose a race for it: we then try again). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something on host:port speaks SSH (its identification line, RFC 4253 §4.2). */
function waitForBanner(port, child, ms) {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new DemoError(`sshd exited with status ${child.exitCode}`));
      if (Date.now() > deadline) return reject(new DemoError(`sshd did not answer on ${HOST}:${port} within ${ms} ms`));
      const socket = createConnection({ host: HOST, port });
      let seen = "";
      const retry = () => {
        socket.destroy();
        setTimeout(attempt, 50);
      };
      socket.setEncoding("latin1");
      socket.on("data", (d) => {
        seen += d;
        if (seen.startsWith("SSH-")) {
          socket.destroy();
          resolve();
        }
      });
      socket.on("error", retry);
      socket.on("close", () => {
        if (!seen.startsWith("SSH-")) retry();
      });
    };
    attempt();
  });
}

function sshdConfig(dir, port) {
  return [
    `ListenAddress ${HOST}:${port}`,
    `HostKey ${join(dir, "host_key")}`,
    `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
    `PidFile ${join(dir, "sshd.pid")}`,
    // Every session runs the MCP server, whatever the client asks for (the reference's setup).
    `ForceCommand ${[process.execPath, SERVER].map(shellQuote).join(" ")}`,
    "LogLevel INFO",
    "StrictModes no",
    "UsePAM no",
    "PermitRootLogin prohibit-password",
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "UseDNS no",
    "PrintMotd no",
  ].join("\n") + "\n";
}

/** Start sshd in the foreground on a free port; returns the child once it speaks SSH. */
async function startSshd(sshd, dir) {
  if (process.getuid?.() === 0 && !existsSync("/run/sshd")) {
    // sshd's privilege separation directory, normally made by its init script.
    mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  }
  let lastError;
  for (let attempt = 0; attempt < 4; attempt++) {
    const port = await freePort();
    writeFileSync(join(dir, "sshd_config"), sshdConfig(dir, port), { mode: 0o600 });
    const child = spawn(sshd, ["-D", "-e", "-f", join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    child.stderr.setEncoding("utf8").on("data", (d) => (log += d));
    child.on("error", () => {});
    try {
      await waitForBanner(port, child, 10_000);
      return { child, port, log: () => log };
    } catch (error) {
      child.kill("SIGKILL");
      lastError = new DemoError(`${error.message}\n${log.trim()}`);
      if (!/address already in use/i.test(log)) break;
    }
  }
  throw lastError;
}

/** SIGTERM, then SIGKILL if sshd has not exited after 3 s. */
function stopSshd(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 3000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

async function demo(cleanups) {
  const sshdPath = findSshd();
  preflight();
  const dir = mkdtempSync(join(tmpdir(), "mcp-ssh-demo-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));

  // Both keys with our own keygen: sshd reads the openssh-key-v1 files it writes.
  await runNode([CLI, "keygen", "--file", join(dir, "host_key"), "--comment", "mcp-ssh-demo-host"]);
  await runNode([CLI, "keygen", "--file", join(dir, "client_key"), "--comment", "mcp-ssh-demo-client"]);
  const clientPub = readFileSync(join(dir, "client_key.pub"), "utf8").trim();
  writeFileSync(join(dir, "authorized_keys"), `restrict ${clientPub}\n`, { mode: 0o600 });

  const sshd = await startSshd(sshdPath, dir);
  cleanups.push(() => stopSshd(sshd.child));
  const hostPub = readFileSync(join(dir, "host_key.pub"), "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
  writeFileSync(join(dir, "known_hosts"), `[${HOST}]:${sshd.port} ${hostPub}\n`);

  const args = [
    CLI,
    "--host", HOST,
    "--port", String(sshd.port),
    "--username", userInfo().username,
    "--client-key", join(dir, "client_key"),
    "--known-hosts", join(dir, "known_hosts"),
    "--log-level", "warn",
  ];
  say("mcp-ssh demo");
  say(`  sshd     ${HOST}:${sshd.port} (pid ${sshd.child.pid}), ForceCommand: node fixtures/mcp/demo-server.mjs`);
  say(`  command  node dist/cli.js ${args.slice(1).map(shellQuote).join(" ")}`);
  say();

  const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
  const { StdioClientTransport } = await import("@modelcontextprotocol/sdk/client/stdio.js");
  const transport = new StdioClientTransport({ command: process.execPath, args, stderr: "pipe" });
  let cliStderr = "";
  transport.stderr?.on("data", (d) => (cliStderr += d));
  const client = new Client({ name: "mcp-ssh-demo-host", version: "1.0.0" });
  cleanups.push(() => client.close());
  try {
    await client.connect(transport);
  } catch (error) {
    throw new DemoError(`could not reach the MCP server through mcp-ssh: ${error.message}\n${cliStderr.trim()}`);
  }
  const info = client.getServerVersion();
  say(`Connected over SSH to MCP server "${info?.name}" ${info?.version}.`);
  say("Tools:");
  const { tools } = await client.listTools();
  const width = Math.max(...tools.map((t) => t.name.length));
  for (const tool of tools) say(`  ${tool.name.padEnd(width)}  ${tool.description ?? ""}`);
  say();
  const calls = [
    { name: "add", arguments: { a: 2, b: 40 } },
    { name: "whereami", arguments: {} },
  ];
  for (const call of calls) {
    const result = await client.callTool(call);
    const text = result.content.map((c) => (c.type === "text" ? c.text : `[${c.type}]`)).join(" ");
    say(`call ${call.name} ${JSON.stringify(call.arguments)}`);
    say(`  -> ${text}`);
  }
  say();
  if (cliStderr.trim()) say(`mcp-ssh logged:\n${cliStderr.trim()}\n`);
}

async function main() {
  const cleanups = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse().splice(0)) await Promise.resolve().then(step).catch(() => {});
  };
  const watchdog = setTimeout(async () => {
    process.stderr.write(`demo: still not done after ${DEADLINE_MS / 1000} s; giving up\n`);
    await cleanup();
    process.exit(1);
  }, DEADLINE_MS);
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, async () => {
      await cleanup();
      process.exit(130);
    });
  }
  let code = 0;
  try {
    await demo(cleanups);
  } catch (error) {
    process.stderr.write(`demo failed: ${error instanceof DemoError ? error.message : error.stack}\n`);
    code = 1;
  }
  await cleanup();
  clearTimeout(watchdog);
  if (code === 0) say("Stopped sshd and removed its directory. Done.");
  process.exit(code);
}

await main();
