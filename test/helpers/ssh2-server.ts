// The npm `ssh2` package's SSH server as a test peer (ssh2 is a devDependency). It runs in its own
// Node process, like every other peer, so it never shares an event loop with the client under
// test: a small .mjs script written into a throwaway directory, started, watched and stopped like
// sshd (servers.ts: free port, banner wait, stop by PID and process group).
//
// Public-key login with the given authorized keys (signatures checked by ssh2). Each session's
// exec request runs a command through child_process with the channel wired to it (stdin, stdout,
// stderr, exit status or signal): a fixed argv (`command`, e.g. an MCP server; then shell requests
// run it too), else the requested command via /bin/sh -c. ssh2's debug output ("Handshake: KEX
// algorithm: ...") and the script's own lines are server.log().
import { rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { makeOwnedDir, readFileOr, spawnLogged } from "./process.js";
import { hostKeyFacts, launch, makeServer, type TestServer } from "./servers.js";
import { requireProgram, run } from "./tools.js";

const HOST = "127.0.0.1";

const SERVER_SCRIPT = `
import { spawn } from "node:child_process";
import { appendFileSync, readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";

const cfg = JSON.parse(readFileSync(process.argv[2], "utf8"));
const { Server, utils } = createRequire(import.meta.url)(cfg.ssh2);
const log = (line) => appendFileSync(cfg.log, line + "\\n");

const allowed = cfg.authorizedKeys.map((line) => {
  const key = utils.parseKey(line);
  if (key instanceof Error) throw new Error("authorized key " + JSON.stringify(line) + ": " + key.message);
  return key;
});

function allowedKey(ctx) {
  return allowed.find((key) => key.type === ctx.key.algo && key.getPublicSSH().equals(ctx.key.data));
}

function tree(pid) {
  const children = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\\d+$/.test(name)) continue;
    try {
      const stat = readFileSync("/proc/" + name + "/stat", "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {}
  }
  const found = [];
  const todo = [pid];
  while (todo.length > 0) {
    const p = todo.pop();
    found.push(p);
    todo.push(...(children.get(p) ?? []));
  }
  return found;
}

function signal(pid, sig) {
  try {
    process.kill(pid, sig);
  } catch {}
}

// SIGTERM to pid and all its descendants (a shell's children hold the channel's pipes too).
// Stopped first, until no new process appears, so none forks after being looked for.
function killTree(pid) {
  const stopped = new Set();
  for (;;) {
    const found = tree(pid).filter((p) => !stopped.has(p));
    if (found.length === 0) break;
    for (const p of found) {
      stopped.add(p);
      signal(p, "SIGSTOP");
    }
  }
  for (const p of stopped) {
    signal(p, "SIGTERM");
    signal(p, "SIGCONT");
  }
}

function runCommand(stream, argv, running) {
  log("session runs " + JSON.stringify(argv));
  const child = spawn(argv[0], argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
  running.add(child);
  child.on("error", (error) => {
    log("spawn failed: " + error.message);
    stream.stderr.write(error.message + "\\n");
    stream.exit(127);
    stream.end();
  });
  child.stdin.on("error", () => {});
  stream.pipe(child.stdin);
  child.stdout.pipe(stream, { end: false });
  child.stderr.pipe(stream.stderr, { end: false });
  stream.on("close", () => {
    if (child.exitCode === null && child.signalCode === null) {
      log("channel closed: ending the command");
      killTree(child.pid);
    }
  });
  child.on("close", (code, signal) => {
    running.delete(child);
    log("session command exited: " + (signal ?? code));
    if (signal) stream.exit(signal.replace(/^SIG/, ""), false, "");
    else stream.exit(code);
    stream.end();
  });
}

const server = new Server(
  {
    hostKeys: [readFileSync(cfg.hostKey)],
    ident: "mcp-ssh-test-ssh2",
    debug: (line) => log(line),
    ...(cfg.algorithms ? { algorithms: cfg.algorithms } : {}),
  },
  (client) => {
    log("client connected");
    // Commands still running when the connection goes (ssh2 does not close its channels then).
    const running = new Set();
    client.on("error", (error) => log("client error: " + error.message));
    client.on("close", () => {
      log("client closed; ending " + running.size + " command(s)");
      for (const child of running) {
        if (child.exitCode === null && child.signalCode === null) killTree(child.pid);
        child.stdin.destroy();
      }
    });
    client.on("authentication", (ctx) => {
      if (ctx.method !== "publickey") return ctx.reject(["publickey"]);
      const key = allowedKey(ctx);
      if (key === undefined) return ctx.reject(["publickey"]);
      if (ctx.signature && key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) {
        log("bad signature for " + ctx.username);
        return ctx.reject(["publickey"]);
      }
      if (ctx.signature) log("accepted publickey for " + ctx.username);
      ctx.accept();
    });
    client.on("ready", () => {
      client.on("session", (accept) => {
        const session = accept();
        session.on("exec", (accept, _reject, info) => {
          runCommand(accept(), cfg.command ?? ["/bin/sh", "-c", info.command], running);
        });
        session.on("shell", (accept, reject) => {
          if (!cfg.command) return reject();
          runCommand(accept(), cfg.command, running);
        });
      });
    });
  },
);
server.on("error", (error) => {
  log("server error: " + error.message);
  process.exit(1);
});
server.listen(cfg.port, cfg.host, () => log("listening on " + cfg.host + ":" + cfg.port));
`;

export interface Ssh2ServerOptions {
  /** authorized_keys lines (`<type> <base64> [comment]`, no options). */
  authorizedKeys?: string[];
  /** argv every exec and shell session runs (e.g. an MCP server); default: the exec command via /bin/sh -c. */
  command?: string[];
  /**
   * ssh2's `algorithms` server option, e.g. `{ kex: ["curve25519-sha256"], cipher:
   * ["chacha20-poly1305@openssh.com"], serverHostKey: ["ssh-ed25519"] }`.
   */
  algorithms?: Record<string, string[]>;
}

/** An ssh2 server on 127.0.0.1 in its own Node process (see the top of this file). */
export async function startSsh2Server(opts: Ssh2ServerOptions = {}): Promise<TestServer> {
  requireProgram("ssh-keygen");
  const ssh2 = createRequire(import.meta.url).resolve("ssh2");
  const dir = makeOwnedDir("ssh2");
  try {
    const hostKey = join(dir, "ssh_host_ed25519_key");
    await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "mcp-ssh-test-host", "-f", hostKey]);
    const script = join(dir, "ssh2_server.mjs");
    writeFileSync(script, SERVER_SCRIPT);
    const logPath = join(dir, "ssh2.log");
    const readLog = () => readFileOr(logPath, "");
    const configPath = join(dir, "config.json");
    const launched = await launch(
      "ssh2",
      (port) => {
        const config = {
          host: HOST,
          port,
          ssh2,
          hostKey,
          log: logPath,
          authorizedKeys: opts.authorizedKeys ?? [],
          ...(opts.command ? { command: opts.command } : {}),
          ...(opts.algorithms ? { algorithms: opts.algorithms } : {}),
        };
        writeFileSync(configPath, JSON.stringify(config), { mode: 0o600 });
        return spawnLogged(process.execPath, [script, configPath], logPath);
      },
      readLog,
    );
    const facts = await hostKeyFacts(`${hostKey}.pub`, launched.port);
    return makeServer(dir, launched, facts, readLog, () => {});
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
