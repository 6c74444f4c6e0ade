// A private OpenSSH sshd on 127.0.0.1 for the demos (scripts/demo.mjs, web/serve-demo.mjs) and
// the benchmarks (bench/lib/sshd.mjs): a free port, a config in a throwaway directory, the
// foreground sshd started by absolute path, and a stop by PID. Node built-ins only, so that it
// runs from a checkout with nothing but `npm install`; the test suite has its own helper
// (test/helpers/servers.ts) because tests must not depend on scripts.
import { execFileSync, spawn } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { join } from "node:path";

export const HOST = "127.0.0.1";
/** sshd must be started by absolute path: it re-executes itself for each connection. */
export const SSHD_CANDIDATES = ["/usr/sbin/sshd", "/usr/bin/sshd", "/usr/local/sbin/sshd"];
export const SSH_KEYGEN_CANDIDATES = ["/usr/bin/ssh-keygen", "/usr/local/bin/ssh-keygen"];
/** The tail of sshd's stderr kept for error messages; the benchmarks run it for minutes. */
const LOG_LIMIT = 64 * 1024;

/** A setup problem the caller should show as a plain message (what is missing, what to do). */
export class PrivateSshdError extends Error {
  name = "PrivateSshdError";
}

function findExecutable(candidates, what, pkg) {
  const found = candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (!found) {
    throw new PrivateSshdError(
      `${what} is not installed (looked for ${candidates.join(", ")}). ` +
        `Install it (Debian/Ubuntu: apt-get install ${pkg}) and try again.`,
    );
  }
  return found;
}

/** The absolute path of OpenSSH's sshd, or a PrivateSshdError saying what to install. */
export function findSshd(candidates = SSHD_CANDIDATES) {
  return findExecutable(candidates, "OpenSSH's sshd", "openssh-server");
}

/** The absolute path of ssh-keygen, or a PrivateSshdError saying what to install. */
export function findSshKeygen(candidates = SSH_KEYGEN_CANDIDATES) {
  return findExecutable(candidates, "OpenSSH's ssh-keygen", "openssh-client");
}

/** An unencrypted ed25519 key pair at `path` and `path`.pub, made by ssh-keygen. */
export function sshKeygen(path, comment, keygen = findSshKeygen()) {
  execFileSync(keygen, ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path]);
}

/** The SHA256 fingerprint of a public key file, as `ssh-keygen -lf` prints it. */
export function fingerprintOf(publicKeyPath, keygen = findSshKeygen()) {
  return execFileSync(keygen, ["-l", "-E", "sha256", "-f", publicKeyPath], { encoding: "utf8" }).split(/\s+/)[1];
}

/** The known_hosts line for a server on HOST:port with the key in `publicKeyPath` (sshd(8) § SSH_KNOWN_HOSTS FILE FORMAT). */
export function knownHostsLine(port, publicKeyPath) {
  const key = readFileSync(publicKeyPath, "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
  return `[${HOST}]:${port} ${key}`;
}

/** A port of HOST that was free a moment ago (sshd may still lose a race for it: startPrivateSshd then tries again). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ host: HOST, port: 0, exclusive: true }, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Resolves once HOST:port sends an SSH identification line (RFC 4253 §4.2); rejects if `child`
 * exits first or after `ms`.
 */
export function waitForBanner(port, child, ms = 10_000) {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.pid === undefined) return reject(new Error("sshd could not be started"));
      if (child.exitCode !== null || child.signalCode !== null) {
        return reject(new Error(`sshd exited with status ${child.exitCode ?? child.signalCode}`));
      }
      if (Date.now() > deadline) return reject(new Error(`sshd did not answer on ${HOST}:${port} within ${ms} ms`));
      const socket = createConnection({ host: HOST, port });
      let seen = "";
      let done = false;
      // One outcome per attempt: "error" is followed by "close", and only one retry may follow.
      const finish = (ok) => {
        if (done) return;
        done = true;
        socket.destroy();
        if (ok) resolve();
        else setTimeout(attempt, 50);
      };
      socket.setEncoding("latin1");
      socket.setTimeout(1000, () => finish(false));
      socket.on("data", (d) => {
        seen += d;
        if (seen.includes("\n")) finish(seen.startsWith("SSH-"));
      });
      socket.on("error", () => finish(false));
      socket.on("close", () => finish(false));
    };
    attempt();
  });
}

/** The settings every private sshd shares: keys and files in `dir`, public-key login only. */
function baseConfig(dir, port, hostKey, authorizedKeys) {
  return [
    `ListenAddress ${HOST}:${port}`,
    `HostKey ${hostKey}`,
    `AuthorizedKeysFile ${authorizedKeys}`,
    `PidFile ${join(dir, "sshd.pid")}`,
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "PermitRootLogin prohibit-password",
    // The throwaway directory lives under /tmp, which StrictModes would reject.
    "StrictModes no",
    "UsePAM no",
    "UseDNS no",
    "PrintMotd no",
  ];
}

/** Kills sshd if this process exits without stopping it; removed again by stopSshd. */
const exitHooks = new WeakMap();

/**
 * Start sshd in the foreground on a free port of HOST, with the host key and authorized_keys the
 * caller made in `dir` and `extraConfig` lines after the shared ones. Resolves once it speaks SSH
 * with `{ child, pid, host, port, configPath, log() }`, `log()` being sshd's stderr so far.
 * `echoStderr` also copies that stderr to ours. A port lost to a race is retried (`attempts`).
 */
export async function startPrivateSshd({
  dir,
  sshd = findSshd(),
  hostKey = join(dir, "host_key"),
  authorizedKeys = join(dir, "authorized_keys"),
  extraConfig = [],
  echoStderr = false,
  attempts = 4,
  timeoutMs = 10_000,
}) {
  if (process.getuid?.() === 0 && !existsSync("/run/sshd")) {
    // sshd's privilege separation directory, normally made by its init script.
    mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  }
  const configPath = join(dir, "sshd_config");
  let lastError;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = await freePort();
    const config = [...baseConfig(dir, port, hostKey, authorizedKeys), ...extraConfig];
    writeFileSync(configPath, `${config.join("\n")}\n`, { mode: 0o600 });
    const child = spawn(sshd, ["-D", "-e", "-f", configPath], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    child.stderr.setEncoding("utf8").on("data", (d) => {
      if (echoStderr) process.stderr.write(d);
      log = (log + d).slice(-LOG_LIMIT);
    });
    child.on("error", () => {});
    const kill = () => child.kill("SIGKILL");
    process.once("exit", kill);
    exitHooks.set(child, kill);
    try {
      await waitForBanner(port, child, timeoutMs);
      return { child, pid: child.pid, host: HOST, port, configPath, log: () => log };
    } catch (error) {
      await stopSshd(child, 0);
      lastError = new PrivateSshdError(`could not start sshd: ${error.message}\n${log.trim()}`.trim());
      if (!/address already in use/i.test(log)) break;
    }
  }
  throw lastError;
}

/** Stop a child process: SIGTERM, then SIGKILL if it has not exited after `graceMs`; resolves once it has exited. */
export function stopChild(child, graceMs = 3000) {
  if (!child || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill(graceMs > 0 ? "SIGTERM" : "SIGKILL");
  });
}

/** Stop an sshd from startPrivateSshd (see stopChild) and drop its kill-on-exit hook. */
export function stopSshd(child, graceMs = 3000) {
  const hook = child && exitHooks.get(child);
  if (hook) process.off("exit", hook);
  return stopChild(child, graceMs);
}
