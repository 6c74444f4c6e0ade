#!/usr/bin/env node
// `npm run demo:openssh`: the demo against OpenSSH's sshd (`npm run demo` uses `mcp-ssh serve`).
//
// 1. Starts a private OpenSSH sshd on 127.0.0.1 (a free port, a throwaway directory holding its
//    host key, the client key, authorized_keys and a ForceCommand that runs the MCP server in
//    fixtures/mcp/demo-server.mjs). Both keys are made by `mcp-ssh keygen`.
// 2. Runs the built `mcp-ssh` command (dist/cli.js) as an MCP host would: the MCP SDK's Client
//    over StdioClientTransport, with the host key pinned in a known_hosts file.
// 3. Prints the server's tools and the results of two calls, then stops sshd (by its PID),
//    removes the directory and exits 0.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { findSshd, HOST, knownHostsLine, PrivateSshdError, SSHD_CANDIDATES, startPrivateSshd, stopSshd } from "./lib/private-sshd.mjs";
import { DemoError, runDemoHost, runDemoMain, say, shellQuote } from "./lib/demo-host.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The built command; MCP_SSH_DEMO_CLI points elsewhere (the tests run a fresh bundle of the sources). */
const CLI = process.env.MCP_SSH_DEMO_CLI ?? join(ROOT, "dist", "cli.js");
const SERVER = join(ROOT, "fixtures", "mcp", "demo-server.mjs");
/** The whole demo normally takes a second or two; never hang. */
const DEADLINE_MS = 60_000;

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

async function demo(cleanups) {
  // MCP_SSH_DEMO_SSHD overrides the usual places.
  const sshdPath = findSshd(process.env.MCP_SSH_DEMO_SSHD ? [process.env.MCP_SSH_DEMO_SSHD] : SSHD_CANDIDATES);
  preflight();
  const dir = mkdtempSync(join(tmpdir(), "mcp-ssh-demo-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));

  // Both keys with our own keygen: sshd reads the openssh-key-v1 files it writes.
  await runNode([CLI, "keygen", "--file", join(dir, "host_key"), "--comment", "mcp-ssh-demo-host"]);
  await runNode([CLI, "keygen", "--file", join(dir, "client_key"), "--comment", "mcp-ssh-demo-client"]);
  const clientPub = readFileSync(join(dir, "client_key.pub"), "utf8").trim();
  writeFileSync(join(dir, "authorized_keys"), `restrict ${clientPub}\n`, { mode: 0o600 });

  const sshd = await startPrivateSshd({
    dir,
    sshd: sshdPath,
    extraConfig: [
      // Every session runs the MCP server, whatever the client asks for (the reference's setup).
      `ForceCommand ${[process.execPath, SERVER].map(shellQuote).join(" ")}`,
      "LogLevel INFO",
    ],
  });
  cleanups.push(() => stopSshd(sshd.child));
  writeFileSync(join(dir, "known_hosts"), `${knownHostsLine(sshd.port, join(dir, "host_key.pub"))}\n`);

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

  await runDemoHost(args, cleanups);
}

await runDemoMain(demo, { deadlineMs: DEADLINE_MS, explained: [DemoError, PrivateSshdError], done: "Stopped sshd and removed its directory. Done." });
