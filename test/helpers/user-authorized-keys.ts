// Test keys for Dropbear, which (2022.83) has no AuthorizedKeysFile option: it reads only
// ~/.ssh/authorized_keys of the login user, found through the passwd database, not $HOME.
//
// Choice: append each test key to that real file with a marker as the last token of the line
// (`mcp-ssh-test:<test process pid>:<random>`) and remove exactly those lines when the server
// stops. Every read-modify-write holds a lock file (O_EXCL create) so parallel test processes do
// not lose each other's lines. Lines whose owning test process is dead (it crashed before
// cleaning up) are swept on the next add. The user's own lines are never rewritten. A dedicated
// test user was rejected: it needs root, edits /etc/passwd, and the tests log in as the current
// user (TestServer.username) for OpenSSH too.
//
// Side effect while a Dropbear test runs: its keys also open the real account, for the test's
// lifetime, to whoever holds the throwaway private key (a freshly made key in a 0700 temp dir).
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { isAlive } from "./process.js";

const MARK = "mcp-ssh-test";
const STALE_LOCK_MS = 15_000;
const LOCK_WAIT_MS = 15_000;

function sshDir(): string {
  return join(userInfo().homedir, ".ssh");
}

export function userAuthorizedKeysPath(): string {
  return join(sshDir(), "authorized_keys");
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function withLock<T>(fn: () => T): T {
  const lock = join(sshDir(), `.${MARK}.lock`);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(lock, "wx", 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    if (lockIsStale(lock)) {
      try {
        unlinkSync(lock);
      } catch {
        // someone else removed it first
      }
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`could not take ${lock} within ${LOCK_WAIT_MS} ms; remove it if no test runs`);
    }
    sleepSync(20);
  }
  try {
    return fn();
  } finally {
    unlinkSync(lock);
  }
}

function lockIsStale(lock: string): boolean {
  try {
    const holder = Number(readFileSync(lock, "utf8").trim());
    if (holder > 0 && !isAlive(holder)) return true;
    return Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS;
  } catch {
    return false; // vanished meanwhile: the next open decides
  }
}

function markerOf(line: string): string | undefined {
  const last = line.trim().split(/\s+/).pop() ?? "";
  return last.startsWith(`${MARK}:`) ? last : undefined;
}

function ownerAlive(marker: string): boolean {
  const pid = Number(marker.split(":")[1]);
  return pid === process.pid || (pid > 0 && isAlive(pid));
}

function rewrite(keep: (line: string) => boolean): void {
  const path = userAuthorizedKeysPath();
  if (!existsSync(path)) return;
  const lines = readFileSync(path, "utf8").split("\n");
  const kept = lines.filter(keep);
  if (kept.length === lines.length) return;
  if (kept.every((line) => line.trim() === "")) {
    // Only our lines were there: leave no empty file behind for the user to wonder about.
    unlinkSync(path);
    return;
  }
  // Written in place (not renamed over) so a symlinked file stays a symlink.
  writeFileSync(path, kept.join("\n"));
}

/** Add keys for the current user; returns the tag to pass to removeUserKeys. */
export function addUserKeys(keys: string[]): string {
  const tag = `${MARK}:${process.pid}:${randomBytes(6).toString("hex")}`;
  const lines = keys
    .flatMap((key) => key.split("\n"))
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  mkdirSync(sshDir(), { recursive: true, mode: 0o700 });
  withLock(() => {
    rewrite((line) => {
      const marker = markerOf(line);
      return marker === undefined || ownerAlive(marker);
    });
    if (lines.length === 0) return;
    const path = userAuthorizedKeysPath();
    const before = existsSync(path) ? readFileSync(path, "utf8") : "";
    const separator = before === "" || before.endsWith("\n") ? "" : "\n";
    writeFileSync(path, separator + lines.map((line) => `${line} ${tag}\n`).join(""), {
      flag: "a",
      mode: 0o600,
    });
    // Dropbear refuses a group/world-writable authorized_keys.
    if (before === "") chmodSync(path, 0o600);
  });
  return tag;
}

/** Remove exactly the lines added under `tag`. Synchronous: also used by the exit hook. */
export function removeUserKeys(tag: string): void {
  if (!existsSync(sshDir())) return;
  withLock(() => rewrite((line) => markerOf(line) !== tag));
}
