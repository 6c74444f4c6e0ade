// A private OpenSSH sshd for benchmarks, standalone (benchmarks do not import test code): a
// throwaway directory with an ed25519 host key, a client key made by ssh-keygen, authorized_keys,
// a known_hosts file, and a config that forces one algorithm of each kind so that every client
// measured against it runs exactly the same kex, host key and cipher.
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

export const HOST = "127.0.0.1";
export const FORCED = {
  kex: "curve25519-sha256",
  cipher: "chacha20-poly1305@openssh.com",
  hostKey: "ssh-ed25519",
};
const SSHD = "/usr/sbin/sshd";

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen({ host: HOST, port: 0, exclusive: true }, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once the server sent its identification line; rejects after `ms`. */
function waitForBanner(port, child, ms) {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`sshd exited with code ${child.exitCode}`));
      if (Date.now() > deadline) return reject(new Error(`sshd did not answer on port ${port} within ${ms} ms`));
      const sock = createConnection({ host: HOST, port });
      let got = "";
      sock.setTimeout(1000, () => sock.destroy());
      sock.on("data", (d) => {
        got += d.toString("latin1");
        if (got.startsWith("SSH-2.0-") && got.includes("\n")) {
          sock.destroy();
          resolve();
        }
      });
      sock.on("error", () => {});
      sock.on("close", () => {
        if (!got.includes("\n")) setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

function configText(dir, port) {
  return [
    `ListenAddress ${HOST}:${port}`,
    `HostKey ${join(dir, "ssh_host_ed25519_key")}`,
    `PidFile ${join(dir, "sshd.pid")}`,
    `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
    `KexAlgorithms ${FORCED.kex}`,
    `Ciphers ${FORCED.cipher}`,
    `HostKeyAlgorithms ${FORCED.hostKey}`,
    `PubkeyAcceptedAlgorithms ${FORCED.hostKey}`,
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "PermitRootLogin prohibit-password",
    "StrictModes no",
    "UsePAM no",
    "UseDNS no",
    "PrintMotd no",
    "PrintLastLog no",
    "Compression no",
    // Benchmarks open many sessions and connections in quick succession.
    "MaxSessions 1100",
    "MaxStartups 200:30:400",
    "LogLevel ERROR",
    // The MCP benchmark's fixture server needs node on the PATH of the session.
    `SetEnv PATH=${process.env.PATH}`,
  ].join("\n") + "\n";
}

/**
 * Start sshd on a free port of 127.0.0.1. Returns what clients need (port, key paths and text,
 * known_hosts, fingerprint) and `stop()`. Exits with a message saying what to install when sshd or
 * ssh-keygen is missing.
 */
export async function startBenchSshd() {
  for (const p of [SSHD, "/usr/bin/ssh-keygen"]) {
    if (!existsSync(p)) throw new Error(`${p} is missing: install OpenSSH (apt-get install openssh-server openssh-client)`);
  }
  if (process.getuid?.() === 0 && !existsSync("/run/sshd")) mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), "mcp-ssh-bench-sshd-"));
  const hostKey = join(dir, "ssh_host_ed25519_key");
  const clientKey = join(dir, "id_ed25519");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "bench-host", "-f", hostKey]);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "bench-client", "-f", clientKey]);
  writeFileSync(join(dir, "authorized_keys"), readFileSync(`${clientKey}.pub`), { mode: 0o600 });
  const hostPub = readFileSync(`${hostKey}.pub`, "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
  const fingerprint = execFileSync("ssh-keygen", ["-lf", `${hostKey}.pub`], { encoding: "utf8" }).split(/\s+/)[1];
  const logPath = join(dir, "sshd.log");
  let lastError;
  for (let attempt = 0; attempt < 4; attempt++) {
    const port = await freePort();
    const config = join(dir, "sshd_config");
    writeFileSync(config, configText(dir, port), { mode: 0o600 });
    const child = spawn(SSHD, ["-D", "-E", logPath, "-f", config], { stdio: "ignore" });
    const kill = () => child.kill("SIGKILL");
    process.once("exit", kill);
    try {
      await waitForBanner(port, child, 10_000);
    } catch (e) {
      lastError = e;
      kill();
      process.off("exit", kill);
      continue;
    }
    const knownHostsLine = `[${HOST}]:${port} ${hostPub}`;
    const knownHostsPath = join(dir, "known_hosts");
    writeFileSync(knownHostsPath, `${knownHostsLine}\n`);
    return {
      host: HOST,
      port,
      dir,
      pid: child.pid,
      username: userInfo().username,
      clientKeyPath: clientKey,
      privateKey: readFileSync(clientKey, "utf8"),
      knownHostsPath,
      knownHostsLine,
      fingerprint,
      log: () => (existsSync(logPath) ? readFileSync(logPath, "utf8") : ""),
      /**
       * CPU seconds of the finished sessions: sshd reaps each connection's process, which reaped
       * the command it ran, so the listener's cutime + cstime grows by sshd's and the command's
       * share of every connection once it has ended (see waitIdle).
       */
      sessionCpuSeconds: () => childrenCpuSeconds(child.pid),
      /** Resolves once sshd has no connection process left (at most `ms`). */
      waitIdle: (ms = 3000) => waitNoChildren(child.pid, ms),
      async stop() {
        process.off("exit", kill);
        if (child.exitCode === null) {
          const exited = new Promise((r) => child.once("exit", r));
          child.kill("SIGTERM");
          await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
          if (child.exitCode === null) kill();
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`could not start sshd: ${lastError?.message}\n${existsSync(logPath) ? readFileSync(logPath, "utf8") : ""}`);
}

function childrenCpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

async function waitNoChildren(pid, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim() === "") return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

/** The arguments of OpenSSH's `ssh` for this server with the same forced algorithms (no config file). */
export function sshArgs(server, { options = [], command = [] } = {}) {
  return [
    "-F", "/dev/null",
    "-i", server.clientKeyPath,
    "-o", "IdentitiesOnly=yes",
    "-o", `UserKnownHostsFile=${server.knownHostsPath}`,
    "-o", "StrictHostKeyChecking=yes",
    "-o", "BatchMode=yes",
    "-o", `KexAlgorithms=${FORCED.kex}`,
    "-o", `Ciphers=${FORCED.cipher}`,
    "-o", `HostKeyAlgorithms=${FORCED.hostKey}`,
    "-o", "Compression=no",
    "-p", String(server.port),
    ...options,
    `${server.username}@${server.host}`,
    ...command,
  ];
}
