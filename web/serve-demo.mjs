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
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { findSshd, findSshKeygen, fingerprintOf, HOST, sshKeygen, startPrivateSshd, stopChild, stopSshd } from "../scripts/lib/private-sshd.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(ROOT, "dist", "cli.js");
const MCP_SERVER = join(ROOT, "fixtures", "mcp", "demo-server.mjs");
const LISTEN = process.env.MCP_SSH_RELAY_LISTEN || "127.0.0.1:8080";
const say = (line = "") => process.stdout.write(`${line}\n`);
const quote = (s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

function fail(message) {
  process.stderr.write(`demo:browser: ${message}\n`);
  process.exit(1);
}

/** A throwaway sshd whose every session runs the demo MCP server; returns what the page needs. */
async function startSshd(dir) {
  const sshd = findSshd();
  const keygen = findSshKeygen();
  for (const [name, comment] of [["host_key", "mcp-ssh-demo-host"], ["client_key", "mcp-ssh-browser-demo"]]) {
    sshKeygen(join(dir, name), comment, keygen);
  }
  writeFileSync(join(dir, "authorized_keys"), `restrict ${readFileSync(join(dir, "client_key.pub"), "utf8")}`, { mode: 0o600 });
  const server = await startPrivateSshd({
    dir,
    sshd,
    extraConfig: [`ForceCommand ${[process.execPath, MCP_SERVER].map(quote).join(" ")}`],
    // sshd's log goes to the console, next to the relay's.
    echoStderr: true,
  });
  return {
    child: server.child,
    target: `${HOST}:${server.port}`,
    fingerprint: fingerprintOf(join(dir, "host_key.pub"), keygen),
    privateKey: readFileSync(join(dir, "client_key"), "utf8"),
  };
}

async function main() {
  if (!existsSync(CLI)) fail(`${CLI} is missing; build it first: node scripts/build.mjs`);
  let dir;
  let sshd;
  let target = process.env.MCP_SSH_TARGET;
  if (!target) {
    dir = mkdtempSync(join(tmpdir(), "mcp-ssh-browser-demo-"));
    try {
      sshd = await startSshd(dir);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      fail(error.message);
    }
    target = sshd.target;
  }
  // The page prefills what the demo knows: its own server's fingerprint and user.
  const prefill = sshd ? ["--demo-fingerprint", sshd.fingerprint, "--demo-username", userInfo().username] : [];
  const relay = spawn(process.execPath, [CLI, "relay", "--demo", "--listen", LISTEN, "--target", target, ...prefill], {
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
        say(`  host key fingerprint  ${sshd.fingerprint}   (prefilled by the page)`);
        say(`  user name             ${userInfo().username}   (prefilled by the page)`);
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
    await stopChild(relay);
    await stopSshd(sshd?.child);
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
