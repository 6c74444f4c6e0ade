// Python asyncssh (Debian's python3-asyncssh; 2.10.1 on Debian 12) as a test peer, in both roles:
//
// - startAsyncsshServer(): an asyncssh SSH server on 127.0.0.1 (a small Python script written into
//   a throwaway directory), with an ed25519 host key made by ssh-keygen and the given authorized
//   keys. Each session runs a command with the channel's stdin/stdout/stderr wired to it: a fixed
//   argv (`command`, e.g. an MCP server), else the client's exec request through /bin/sh -c. Its
//   log (asyncssh's logger at DEBUG, debug level 2: "Key exchange alg: ...") is server.log().
// - runAsyncsshClient(): asyncssh's client against any server: a key, the host key pinned,
//   exec a command, its output and exit status.
//
// Always /usr/bin/python3: `python3` on $PATH may be another Python (pyenv) without asyncssh.
// Started, watched and stopped like sshd (servers.ts: free port, banner wait, stop by PID).
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeOwnedDir, readFileOr, spawnLogged, track, untrack } from "./process.js";
import { hostKeyFacts, launch, makeServer, type TestServer } from "./servers.js";
import { requireProgram, run, runProgram, type ClientRunOptions, type ClientRunResult } from "./tools.js";

export const PYTHON = "/usr/bin/python3";
const HOST = "127.0.0.1";

/** Throws unless Debian's python3 can import asyncssh; says what to install. */
export function requireAsyncssh(): string {
  if (!existsSync(PYTHON)) {
    throw new Error(`${PYTHON} not found; install it: apt-get install python3-asyncssh`);
  }
  if (!existsSync("/usr/lib/python3/dist-packages/asyncssh/__init__.py")) {
    throw new Error("asyncssh not found for /usr/bin/python3; install it: apt-get install python3-asyncssh");
  }
  return PYTHON;
}

// Shared by both scripts: logging to a file (or stderr) at DEBUG, without the deprecation
// warnings that Debian 12's cryptography prints for asyncssh's legacy ciphers.
const PRELUDE = `
import asyncio, json, logging, os, signal, sys, warnings
warnings.simplefilter("ignore")
import asyncssh

cfg = json.load(open(sys.argv[1]))
logging.basicConfig(
    **({"filename": cfg["log"]} if cfg.get("log") else {"stream": sys.stderr}),
    level=logging.DEBUG,
    format="%(asctime)s %(name)s %(levelname)s %(message)s",
)
asyncssh.set_log_level(logging.DEBUG)
asyncssh.set_debug_level(2)
`;

const SERVER_SCRIPT = `${PRELUDE}
PIPE = asyncio.subprocess.PIPE

def tree(pid):
    children = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open("/proc/%s/stat" % name) as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(name))
            except (OSError, ValueError, IndexError):
                pass
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found

def kill_tree(pid):
    """SIGTERM to pid and all its descendants (a shell's children hold the channel's pipes too).
    Stopped first, until no new process appears, so none forks after being looked for."""
    stopped = set()
    while True:
        new = [p for p in tree(pid) if p not in stopped]
        if not new:
            break
        for p in new:
            stopped.add(p)
            try:
                os.kill(p, signal.SIGSTOP)
            except OSError:
                pass
    for p in stopped:
        for sig in (signal.SIGTERM, signal.SIGCONT):
            try:
                os.kill(p, sig)
            except OSError:
                pass

async def pump(read, write, drain, close):
    try:
        while True:
            data = await read(65536)
            if not data:
                break
            write(data)
            await drain()
    except Exception:
        pass
    finally:
        try:
            close()
        except Exception:
            pass

async def handle(process):
    argv = cfg.get("command")
    if argv is None:
        if not process.command:
            process.stderr.write(b"asyncssh test server: sessions need an exec request\\n")
            process.exit(1)
            return
        argv = ["/bin/sh", "-c", process.command]
    child = await asyncio.create_subprocess_exec(*argv, stdin=PIPE, stdout=PIPE, stderr=PIPE)
    to_child = asyncio.ensure_future(
        pump(process.stdin.read, child.stdin.write, child.stdin.drain, child.stdin.close))

    async def kill_on_close():
        # The client closed the channel (or the connection is gone): end the command.
        await process.channel.wait_closed()
        if child.returncode is None:
            logging.info("channel closed: ending command %r", argv)
            kill_tree(child.pid)
    watcher = asyncio.ensure_future(kill_on_close())
    try:
        await asyncio.gather(
            pump(child.stdout.read, process.stdout.write, process.stdout.drain, lambda: None),
            pump(child.stderr.read, process.stderr.write, process.stderr.drain, lambda: None),
        )
        code = await child.wait()
        logging.info("session command %r exited with %d", argv, code)
        if code < 0:
            process.exit_with_signal(signal.Signals(-code).name[3:])
        else:
            process.exit(code)
    finally:
        to_child.cancel()
        watcher.cancel()
        if child.returncode is None:
            logging.info("session ended: ending command %r", argv)
            kill_tree(child.pid)

async def main():
    await asyncssh.create_server(
        asyncssh.SSHServer, cfg["host"], cfg["port"],
        server_host_keys=[cfg["hostKey"]],
        authorized_client_keys=cfg["authorizedKeys"],
        process_factory=handle,
        encoding=None,
        line_editor=False,
        **cfg.get("options", {}),
    )
    logging.info("listening on %s:%d", cfg["host"], cfg["port"])
    await asyncio.Event().wait()

asyncio.run(main())
`;

const CLIENT_SCRIPT = `${PRELUDE}
async def main():
    async with asyncssh.connect(
        cfg["host"], cfg["port"],
        username=cfg["username"],
        client_keys=[cfg["key"]],
        known_hosts=cfg["knownHosts"],
        agent_path=None,
        config=None,
        **cfg.get("options", {}),
    ) as conn:
        result = await conn.run(cfg["command"], input=cfg["stdin"].encode(), encoding=None)
    sys.stdout.buffer.write(result.stdout)
    sys.stderr.buffer.write(result.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    status = result.exit_status
    os._exit(status if status is not None and status >= 0 else 128)

asyncio.run(main())
`;

export interface AsyncsshServerOptions {
  /** authorized_keys lines (public key lines; asyncssh also takes OpenSSH options). */
  authorizedKeys?: string[];
  /** argv every session runs (e.g. an MCP server); default: the client's exec command via /bin/sh -c. */
  command?: string[];
  /**
   * Extra keyword arguments for asyncssh.create_server, as JSON: e.g.
   * `{ kex_algs: ["curve25519-sha256"], encryption_algs: ["chacha20-poly1305@openssh.com"] }`.
   */
  options?: Record<string, unknown>;
}

/** An asyncssh server on 127.0.0.1 (see the top of this file). */
export async function startAsyncsshServer(opts: AsyncsshServerOptions = {}): Promise<TestServer> {
  const python = requireAsyncssh();
  requireProgram("ssh-keygen");
  const dir = makeOwnedDir("asyncssh");
  try {
    const hostKey = join(dir, "ssh_host_ed25519_key");
    await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "mcp-ssh-test-host", "-f", hostKey]);
    const authorizedKeys = join(dir, "authorized_keys");
    writeFileSync(authorizedKeys, (opts.authorizedKeys ?? []).map((l) => `${l}\n`).join(""), { mode: 0o600 });
    const script = join(dir, "asyncssh_server.py");
    writeFileSync(script, SERVER_SCRIPT);
    const logPath = join(dir, "asyncssh.log");
    const readLog = () => readFileOr(logPath, "");
    const configPath = join(dir, "config.json");
    const launched = await launch(
      "asyncssh",
      (port) => {
        const config = {
          host: HOST,
          port,
          hostKey,
          authorizedKeys,
          log: logPath,
          ...(opts.command ? { command: opts.command } : {}),
          options: opts.options ?? {},
        };
        writeFileSync(configPath, JSON.stringify(config), { mode: 0o600 });
        return spawnLogged(python, [script, configPath], logPath);
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

export interface AsyncsshClientOptions extends Omit<ClientRunOptions, "args"> {
  /** Extra keyword arguments for asyncssh.connect, as JSON (e.g. `{ kex_algs: [...] }`). */
  options?: Record<string, unknown>;
}

/**
 * asyncssh's client: connect with the key, the host key pinned through a throwaway known_hosts
 * file, run the command, print its output. `stderr` holds the command's stderr and then asyncssh's
 * DEBUG log ("Key exchange alg: ..."); `code` is the command's exit status (1 with a traceback in
 * stderr when the connection failed).
 */
export async function runAsyncsshClient(opts: AsyncsshClientOptions): Promise<ClientRunResult> {
  const python = requireAsyncssh();
  const dir = makeOwnedDir("asyncssh-client");
  const guard = track(() => rmSync(dir, { recursive: true, force: true }));
  try {
    const knownHosts = join(dir, "known_hosts");
    const hostPattern = opts.port === 22 ? opts.host : `[${opts.host}]:${opts.port}`;
    writeFileSync(knownHosts, `${hostPattern} ${opts.hostKeyLine}\n`);
    const script = join(dir, "asyncssh_client.py");
    writeFileSync(script, CLIENT_SCRIPT);
    const configPath = join(dir, "config.json");
    const config = {
      host: opts.host,
      port: opts.port,
      username: opts.username,
      key: opts.privateKeyPath,
      knownHosts,
      command: opts.command,
      stdin: opts.stdin ?? "",
      options: opts.options ?? {},
    };
    writeFileSync(configPath, JSON.stringify(config), { mode: 0o600 });
    return await runProgram(python, [script, configPath], undefined, opts.timeoutMs ?? 20_000);
  } finally {
    untrack(guard);
    rmSync(dir, { recursive: true, force: true });
  }
}
