#!/usr/bin/env node
// `npm run demo`: a real MCP call over a real SSH connection, with nothing to configure and
// nothing else installed (`npm run demo:openssh` does the same against OpenSSH's sshd).
//
// 1. Starts `mcp-ssh serve` on 127.0.0.1 (a free port, a throwaway directory holding its host key,
//    the client key and authorized_keys; its default MCP server is fixtures/mcp/demo-server.mjs).
//    Both keys are made by `mcp-ssh keygen`.
// 2. Runs the built `mcp-ssh` command (dist/cli.js) as an MCP host would: the MCP SDK's Client
//    over StdioClientTransport, with the host key pinned in a known_hosts file.
// 3. Prints the server's tools and the results of two calls, then stops serve (by its PID),
//    removes the directory and exits 0.
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DemoError, runDemoHost, runDemoMain, say, shellQuote } from "./lib/demo-host.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The built command; MCP_SSH_DEMO_CLI points elsewhere (the tests run a fresh bundle of the sources). */
const CLI = process.env.MCP_SSH_DEMO_CLI ?? join(ROOT, "dist", "cli.js");
const SERVER = join(ROOT, "fixtures", "mcp", "demo-server.mjs");
const HOST = "127.0.0.1";
/** The whole demo normally takes a second or two; never hang. */
const DEADLINE_MS = 60_000;
const START_MS = 20_000;

function runNode(args) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { timeout: 30_000 }, (error, stdout, stderr) =>
      error ? reject(new DemoError(`node ${args.join(" ")} failed: ${stderr || error.message}`)) : resolve(stdout),
    );
  });
}

/** Start `mcp-ssh serve` on a free port; resolves once it listens, with its port. */
function startServe(dir) {
  const args = [
    CLI, "serve",
    "--host", HOST, "--port", "0",
    "--host-key", join(dir, "host_key"),
    "--authorized-keys", join(dir, "authorized_keys"),
    // info: the "serving ... port N" line says which port it took; the log is shown only on failure.
    "--log-level", "info",
    "--", process.execPath, SERVER,
  ];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new DemoError(`mcp-ssh serve did not start within ${START_MS / 1000} s:\n${log}`)), START_MS);
    const fail = (why) => {
      clearTimeout(timer);
      reject(new DemoError(`mcp-ssh serve ${why}:\n${log.trim()}`));
    };
    child.once("error", (e) => fail(`could not run: ${e.message}`));
    child.once("exit", (code) => fail(`exited with status ${code}`));
    child.stderr.setEncoding("utf8").on("data", (d) => {
      log += d;
      const m = /serving MCP over SSH on \S+ port (\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        child.removeAllListeners("exit");
        resolve({ child, port: Number(m[1]), log: () => log });
      }
    });
  });
}

/** SIGTERM, SIGKILL after 5 s; done when the process is gone (polled: the exit event alone was seen to go missing). */
function stopServe(child) {
  const gone = () => {
    try {
      process.kill(child.pid, 0);
      return false;
    } catch {
      return true;
    }
  };
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || gone()) return resolve();
    const started = Date.now();
    child.kill("SIGTERM");
    const poll = setInterval(() => {
      if (gone()) {
        clearInterval(poll);
        resolve();
      } else if (Date.now() - started > 5000) {
        child.kill("SIGKILL");
      }
    }, 50);
  });
}

async function demo(cleanups) {
  if (!existsSync(CLI)) throw new DemoError(`${CLI} is missing: build it with npm install (or npm run build) first`);
  const dir = mkdtempSync(join(tmpdir(), "mcp-ssh-demo-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));

  await runNode([CLI, "keygen", "--file", join(dir, "host_key"), "--comment", "mcp-ssh-demo-host"]);
  await runNode([CLI, "keygen", "--file", join(dir, "client_key"), "--comment", "mcp-ssh-demo-client"]);
  const clientPub = readFileSync(join(dir, "client_key.pub"), "utf8").trim();
  writeFileSync(join(dir, "authorized_keys"), `restrict ${clientPub}\n`, { mode: 0o600 });

  const serve = await startServe(dir);
  cleanups.push(() => stopServe(serve.child));
  const hostKey = readFileSync(join(dir, "host_key.pub"), "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
  writeFileSync(join(dir, "known_hosts"), `[${HOST}]:${serve.port} ${hostKey}\n`);

  const args = [
    CLI,
    "--host", HOST,
    "--port", String(serve.port),
    "--username", "mcp",
    "--client-key", join(dir, "client_key"),
    "--known-hosts", join(dir, "known_hosts"),
    "--log-level", "warn",
  ];
  say("mcp-ssh demo");
  say(`  serve    ${HOST}:${serve.port} (pid ${serve.child.pid}), mcp-ssh serve -- node fixtures/mcp/demo-server.mjs`);
  say(`  command  node dist/cli.js ${args.slice(1).map(shellQuote).join(" ")}`);
  say();

  await runDemoHost(args, cleanups, { serverLog: () => serve.log() });
}

await runDemoMain(demo, { deadlineMs: DEADLINE_MS, explained: [DemoError], done: "Stopped mcp-ssh serve and removed its directory. Done." });
