// Life cycle of a server process started for a test: spawn with its log in a file, wait until it
// speaks SSH, stop it by PID, and make sure nothing outlives the test process.
//
// Every throwaway directory holds an `owner` file (test process PID, server PID). A test process
// that dies without running its exit hook (SIGKILL, OOM) leaves such directories behind; the next
// test process that starts a server sweeps them: a server whose owner is gone is killed (after
// checking /proc that the PID still runs from that directory, so a reused PID is never hit).
import { spawn, type ChildProcess } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const DIR_PREFIX = "mcp-ssh-test-";
const SETPRIV = "/usr/bin/setpriv";

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** mkdtemp (mode 0700) under the system temp dir, marked with its owner for the stale sweep. */
export function makeOwnedDir(kind: string): string {
  sweepStaleDirs();
  const dir = mkdtempSync(join(tmpdir(), `${DIR_PREFIX}${kind}-`));
  writeOwner(dir, 0);
  return dir;
}

export function writeOwner(dir: string, serverPid: number): void {
  writeFileSync(join(dir, "owner"), `${process.pid} ${serverPid}\n`);
}

let swept = false;

function sweepStaleDirs(): void {
  if (swept) return;
  swept = true;
  let names: string[];
  try {
    names = readdirSync(tmpdir()).filter((name) => name.startsWith(DIR_PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = join(tmpdir(), name);
    let owner: number;
    let server: number;
    try {
      [owner = 0, server = 0] = readFileSync(join(dir, "owner"), "utf8").trim().split(" ").map(Number);
    } catch {
      continue; // not ours, or not fully created yet
    }
    if (owner === 0 || isAlive(owner)) continue;
    if (server > 0 && runsFrom(server, dir)) {
      try {
        process.kill(server, "SIGKILL");
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function runsFrom(pid: number, dir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(dir);
  } catch {
    return false;
  }
}

// ---- exit hook: synchronous, because 'exit' handlers cannot wait ----

const onExit = new Map<object, () => void>();
let hookInstalled = false;
const FATAL_SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP"] as const;

function runCleanups(): void {
  for (const [token, fn] of [...onExit]) {
    onExit.delete(token);
    try {
      fn();
    } catch {
      // best effort: the process is going away
    }
  }
}

/**
 * Clean up, then die of the same signal as if we had not listened (vitest ends its workers with
 * SIGTERM, which skips 'exit' handlers). If someone else also listens, they decide instead.
 */
function onFatalSignal(signal: NodeJS.Signals): void {
  runCleanups();
  for (const sig of FATAL_SIGNALS) process.off(sig, onFatalSignal);
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/** Run `cleanup` when the process exits unless `untrack(token)` is called first. */
export function track(cleanup: () => void): object {
  if (!hookInstalled) {
    hookInstalled = true;
    process.on("exit", runCleanups);
    for (const sig of FATAL_SIGNALS) process.on(sig, onFatalSignal);
  }
  const token = {};
  onExit.set(token, cleanup);
  return token;
}

export function untrack(token: object): void {
  onExit.delete(token);
}

// ---- spawning and waiting ----

/**
 * Start `file args` in its own process group with stdout and stderr appended to `logPath`.
 * The child is unref'd: a server a test forgot to stop must not keep the test process alive
 * (the exit hook kills it).
 */
export function spawnLogged(file: string, args: string[], logPath: string): ChildProcess {
  const fd = openSync(logPath, "a", 0o600);
  try {
    // On Linux, util-linux's setpriv asks the kernel to SIGKILL the server when the test process
    // dies, even by SIGKILL; it execs the server, so the PID stays the server's.
    const [command, argv] = existsSync(SETPRIV)
      ? [SETPRIV, ["--pdeathsig", "KILL", "--", file, ...args]]
      : [file, args];
    const child = spawn(command, argv, { detached: true, stdio: ["ignore", fd, fd] });
    child.unref();
    return child;
  } finally {
    closeSync(fd);
  }
}

export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves once the child has exited and been reaped (so `kill(pid, 0)` fails afterwards). */
export function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off("exit", done);
      resolve(false);
    }, timeoutMs);
    function done(): void {
      clearTimeout(timer);
      resolve(true);
    }
    child.once("exit", done);
  });
}

function signal(target: number, sig: NodeJS.Signals): void {
  try {
    process.kill(target, sig);
  } catch {
    // gone already
  }
}

/**
 * The child leads its own process group (detached), so signalling -pid also reaches the
 * per-connection children that stayed in the group (Dropbear's), and nothing else.
 */
function signalGroup(pid: number, sig: NodeJS.Signals): void {
  signal(-pid, sig);
  signal(pid, sig);
}

/** SIGTERM, then SIGKILL if it has not exited after `graceMs`; resolves when it is reaped. */
export async function stopChild(child: ChildProcess, graceMs = 3_000): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  if (!exited(child)) signalGroup(pid, "SIGTERM");
  if (await waitExit(child, graceMs)) {
    // Leftover per-connection children in the group. Only the group: the leader's PID is
    // reaped now and could belong to someone else.
    signal(-pid, "SIGKILL");
    return;
  }
  signalGroup(pid, "SIGKILL");
  if (!(await waitExit(child, 5_000))) {
    throw new Error(`process ${pid} did not exit after SIGKILL`);
  }
}

/** Synchronous variant for the exit hook. */
export function killNow(child: ChildProcess): void {
  if (child.pid !== undefined) signalGroup(child.pid, "SIGKILL");
}

/** One attempt: connect and read up to the first line starting with `SSH-`. */
function readBanner(host: string, port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let buffered = "";
    const timer = setTimeout(() => finish(new Error("no SSH banner in time")), timeoutMs);
    function finish(error: Error | null, banner?: string): void {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(banner as string);
    }
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      buffered += chunk;
      // RFC 4253 §4.2: the server may send other lines before the version line.
      for (const line of buffered.split("\n").slice(0, -1)) {
        if (line.startsWith("SSH-")) return finish(null, line.replace(/\r$/, ""));
      }
      if (buffered.length > 8192) finish(new Error("no SSH banner in the first 8 KiB"));
    });
    socket.on("error", (error) => finish(error));
    socket.on("close", () => finish(new Error("closed before the SSH banner")));
  });
}

export class ServerExitedError extends Error {}

/**
 * Poll until the server on `port` sends its SSH version line. Fails early if the process exits
 * (ServerExitedError, so the caller can retry on a port clash) and after `timeoutMs`; both
 * errors carry the server log.
 */
export async function waitForBanner(
  child: ChildProcess,
  host: string,
  port: number,
  readLog: () => string,
  timeoutMs = 10_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  while (Date.now() < deadline) {
    if (exited(child)) {
      throw new ServerExitedError(
        `server exited (code ${child.exitCode}, signal ${child.signalCode}) before it accepted ` +
          `connections on ${host}:${port}. Log:\n${readLog()}`,
      );
    }
    try {
      return await readBanner(host, port, Math.max(100, Math.min(2_000, deadline - Date.now())));
    } catch (error) {
      lastError = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `server on ${host}:${port} sent no SSH banner within ${timeoutMs} ms (${lastError}). Log:\n${readLog()}`,
  );
}

export function readFileOr(path: string, fallback: string): string {
  return existsSync(path) ? readFileSync(path, "utf8") : fallback;
}
