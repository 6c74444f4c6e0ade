#!/usr/bin/env node
// `npm run demo:browser`: the browser demo with nothing to set up.
//
// 1. Starts a private OpenSSH sshd on 127.0.0.1 (free port, throwaway directory with a host key,
//    a client key and a ForceCommand that runs fixtures/mcp/demo-server.mjs), unless
//    MCP_SSH_TARGET=HOST:PORT names a server of your own.
// 2. Runs `mcp-ssh relay --demo` (dist/cli.js) in front of it on MCP_SSH_RELAY_LISTEN
//    (default 127.0.0.1:8080): the page, the browser build and the WebSocket on one port.
// 3. Prints what to enter in the page, and runs until Ctrl-C; then stops both (by PID) and
//    removes the directory.
import { execFileSync, spawn } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(ROOT, "dist", "cli.js");
const MCP_SERVER = join(ROOT, "fixtures", "mcp", "demo-server.mjs");
const HOST = "127.0.0.1";
const LISTEN = process.env.MCP_SSH_RELAY_LISTEN || "127.0.0.1:8080";
const say = (line = "") => process.stdout.write(`${line}\n`);
const quote = (s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

function fail(message) {
  process.stderr.write(`demo:browser: ${message}\n`);
  process.exit(1);
}

function findProgram(candidates, pkg) {
  const found = candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (!found) fail(`${candidates[0]} not found; install it (Debian/Ubuntu: apt-get install ${pkg})`);
  return found;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().once("error", reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once host:port answers with an SSH identification line (RFC 4253 §4.2). */
function waitForSsh(port, child, ms = 10_000) {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`sshd exited with status ${child.exitCode}`));
      if (Date.now() > deadline) return reject(new Error(`sshd did not answer on ${HOST}:${port}`));
      const socket = createConnection({ host: HOST, port });
      socket.once("data", (d) => {
        socket.destroy();
        if (String(d).startsWith("SSH-")) resolve();
        else setTimeout(attempt, 50);
      });
      socket.once("error", () => setTimeout(attempt, 50));
    };
    attempt();
  });
}

/** A throwaway sshd whose every session runs the demo MCP server; returns what the page needs. */
async function startSshd(dir) {
  const sshd = findProgram(["/usr/sbin/sshd", "/usr/bin/sshd", "/usr/local/sbin/sshd"], "openssh-server");
  const keygen = findProgram(["/usr/bin/ssh-keygen", "/usr/local/bin/ssh-keygen"], "openssh-client");
  if (process.getuid?.() === 0 && !existsSync("/run/sshd")) mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  for (const [name, comment] of [["host_key", "mcp-ssh-demo-host"], ["client_key", "mcp-ssh-browser-demo"]]) {
    execFileSync(keygen, ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", join(dir, name)]);
  }
  writeFileSync(join(dir, "authorized_keys"), `restrict ${readFileSync(join(dir, "client_key.pub"), "utf8")}`, { mode: 0o600 });
  const port = await freePort();
  const config = [
    `ListenAddress ${HOST}:${port}`,
    `HostKey ${join(dir, "host_key")}`,
    `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
    `PidFile ${join(dir, "sshd.pid")}`,
    `ForceCommand ${[process.execPath, MCP_SERVER].map(quote).join(" ")}`,
    "StrictModes no",
    "UsePAM no",
    "PermitRootLogin prohibit-password",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "UseDNS no",
  ];
  writeFileSync(join(dir, "sshd_config"), `${config.join("\n")}\n`, { mode: 0o600 });
  const child = spawn(sshd, ["-D", "-e", "-f", join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "inherit"] });
  await waitForSsh(port, child);
  const fingerprint = execFileSync(keygen, ["-l", "-E", "sha256", "-f", join(dir, "host_key.pub")], { encoding: "utf8" }).split(/\s+/)[1];
  return { child, target: `${HOST}:${port}`, fingerprint, privateKey: readFileSync(join(dir, "client_key"), "utf8") };
}

function stop(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 3000);
    child.once("exit", () => (clearTimeout(kill), resolve()));
    child.kill("SIGTERM");
  });
}

async function main() {
  if (!existsSync(CLI)) fail(`${CLI} is missing; build it first: npm run build`);
  let dir;
  let sshd;
  let target = process.env.MCP_SSH_TARGET;
  if (!target) {
    dir = mkdtempSync(join(tmpdir(), "mcp-ssh-browser-demo-"));
    try {
      sshd = await startSshd(dir);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      fail(`cannot start sshd: ${error.message}`);
    }
    target = sshd.target;
  }
  const relay = spawn(process.execPath, [CLI, "relay", "--demo", "--listen", LISTEN, "--target", target], {
    stdio: ["ignore", "inherit", "pipe"],
  });
  let shownHelp = false;
  relay.stderr.setEncoding("utf8").on("data", (text) => {
    process.stderr.write(text);
    const page = /demo page at (\S+)/.exec(text)?.[1];
    if (page && !shownHelp) {
      shownHelp = true;
      say();
      say(`Open ${page} and enter:`);
      if (sshd) {
        say(`  host key fingerprint  ${sshd.fingerprint}`);
        say(`  user name             ${userInfo().username}`);
        say("  private key           (a throwaway key made for this demo; paste all of it)");
        say();
        say(sshd.privateKey.trim());
        say();
        say("  MCP server command    (leave empty: this sshd runs fixtures/mcp/demo-server.mjs for every session)");
      } else {
        say(`  the fingerprint, user name and key for ${target}`);
      }
      say();
      say("Ctrl-C stops the relay" + (sshd ? " and sshd, and removes the throwaway keys." : "."));
    }
  });
  const cleanup = async () => {
    await stop(relay);
    await stop(sshd?.child);
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
  relay.once("exit", async (code) => {
    await cleanup();
    process.exit(code ?? 1);
  });
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, async () => {
      await cleanup();
      process.exit(0);
    });
  }
}

await main();
