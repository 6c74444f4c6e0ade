// The private OpenSSH sshd for benchmarks (scripts/lib/private-sshd.mjs; benchmarks do not import
// test code): a throwaway directory with an ed25519 host key, a client key made by ssh-keygen,
// authorized_keys, a known_hosts file, and a config that forces one algorithm of each kind so that
// every client measured against it runs exactly the same kex, host key and cipher.
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { findSshKeygen, fingerprintOf, HOST, knownHostsLine, sshKeygen, startPrivateSshd, stopSshd } from "../../scripts/lib/private-sshd.mjs";

export { HOST };
export const FORCED = {
  kex: "curve25519-sha256",
  cipher: "chacha20-poly1305@openssh.com",
  hostKey: "ssh-ed25519",
};

const BENCH_CONFIG = [
  `KexAlgorithms ${FORCED.kex}`,
  `Ciphers ${FORCED.cipher}`,
  `HostKeyAlgorithms ${FORCED.hostKey}`,
  `PubkeyAcceptedAlgorithms ${FORCED.hostKey}`,
  "PrintLastLog no",
  "Compression no",
  // Benchmarks open many sessions and connections in quick succession.
  "MaxSessions 1100",
  "MaxStartups 200:30:400",
  "LogLevel ERROR",
  // The MCP benchmark's fixture server needs node on the PATH of the session.
  `SetEnv PATH=${process.env.PATH}`,
];

/**
 * Start sshd on a free port of 127.0.0.1. Returns what clients need (port, key paths and text,
 * known_hosts, fingerprint) and `stop()`. Throws a message saying what to install when sshd or
 * ssh-keygen is missing.
 */
export async function startBenchSshd() {
  const keygen = findSshKeygen();
  const dir = mkdtempSync(join(tmpdir(), "mcp-ssh-bench-sshd-"));
  const hostKey = join(dir, "ssh_host_ed25519_key");
  const clientKey = join(dir, "id_ed25519");
  let server;
  try {
    sshKeygen(hostKey, "bench-host", keygen);
    sshKeygen(clientKey, "bench-client", keygen);
    writeFileSync(join(dir, "authorized_keys"), readFileSync(`${clientKey}.pub`), { mode: 0o600 });
    server = await startPrivateSshd({ dir, hostKey, extraConfig: BENCH_CONFIG });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const { child, port } = server;
  const knownHostsPath = join(dir, "known_hosts");
  const knownHosts = knownHostsLine(port, `${hostKey}.pub`);
  writeFileSync(knownHostsPath, `${knownHosts}\n`);
  return {
    host: HOST,
    port,
    dir,
    pid: child.pid,
    username: userInfo().username,
    clientKeyPath: clientKey,
    privateKey: readFileSync(clientKey, "utf8"),
    knownHostsPath,
    knownHostsLine: knownHosts,
    fingerprint: fingerprintOf(`${hostKey}.pub`, keygen),
    log: server.log,
    /**
     * CPU seconds of the finished sessions: sshd reaps each connection's process, which reaped
     * the command it ran, so the listener's cutime + cstime grows by sshd's and the command's
     * share of every connection once it has ended (see waitIdle).
     */
    sessionCpuSeconds: () => childrenCpuSeconds(child.pid),
    /** Resolves once sshd has no connection process left (at most `ms`). */
    waitIdle: (ms = 3000) => waitNoChildren(child.pid, ms),
    async stop() {
      await stopSshd(child, 2000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
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
