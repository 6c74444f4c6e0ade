// The private OpenSSH sshd for benchmarks (scripts/lib/private-sshd.mjs; benchmarks do not import
// test code): a throwaway directory with an ed25519 host key, a client key made by ssh-keygen,
// authorized_keys, a known_hosts file, and a config that forces one algorithm of each kind so that
// every client measured against it runs exactly the same kex, host key and cipher.
// Options widen what it accepts (several kex methods, ciphers or MACs, each client then forcing
// one), add an RSA user key, or run OpenSSH 10.0's sshd (scripts/fetch-openssh10.sh) instead of
// the system's.
import { execFileSync } from "node:child_process";
import { accessSync, constants, readFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { findSshd, findSshKeygen, fingerprintOf, HOST, knownHostsLine, sshKeygen, startPrivateSshd, stopSshd } from "../../scripts/lib/private-sshd.mjs";
import { fileURLToPath } from "node:url";

export { HOST };
// Not imported from library.mjs: the client workers import this file, and must not load esbuild.
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const FORCED = {
  kex: "curve25519-sha256",
  cipher: "chacha20-poly1305@openssh.com",
  hostKey: "ssh-ed25519",
};

/**
 * OpenSSH 10.0 as unpacked by scripts/fetch-openssh10.sh (OPENSSH10_DIR, else .tmp/openssh10 of
 * this checkout): `{ sshd, sshdSession, sshdAuth, ssh, version }`, or null when it is not there.
 */
export function openssh10() {
  const root = process.env.OPENSSH10_DIR ?? join(ROOT, ".tmp/openssh10");
  const paths = {
    sshd: join(root, "usr/sbin/sshd"),
    sshdSession: join(root, "usr/lib/openssh/sshd-session"),
    sshdAuth: join(root, "usr/lib/openssh/sshd-auth"),
    ssh: join(root, "usr/bin/ssh"),
  };
  try {
    for (const p of Object.values(paths)) accessSync(p, constants.X_OK);
  } catch {
    return null;
  }
  return paths;
}

const list = (x) => (Array.isArray(x) ? x : [x]);

const benchConfig = ({ kex, ciphers, macs, hostKey, pubkey, home }) => [
  `KexAlgorithms ${list(kex).join(",")}`,
  `Ciphers ${list(ciphers).join(",")}`,
  ...(macs ? [`MACs ${list(macs).join(",")}`] : []),
  `HostKeyAlgorithms ${hostKey}`,
  `PubkeyAcceptedAlgorithms ${list(pubkey).join(",")}`,
  "PrintLastLog no",
  "Compression no",
  // Benchmarks open many sessions and connections in quick succession.
  "MaxSessions 1100",
  "MaxStartups 200:30:400",
  "LogLevel ERROR",
  sessionEnv(home),
];

/**
 * sshd_config's SetEnv for a benchmark session: node on the PATH (the MCP benchmarks' fixture
 * servers), and HOME set to the throwaway directory `home`. sshd runs every command through the
 * user's shell, and Debian's bash reads ~/.bashrc when started by sshd: on a machine whose
 * ~/.bashrc does real work (this one's root initialises pyenv: ~0.45 s and ~0.5 s of CPU per exec)
 * that would be timed inside every download and counted as server CPU. SetEnv is applied after
 * sshd sets HOME, so bash looks in `home`, where there is no .bashrc.
 */
export const sessionEnv = (home) => `SetEnv PATH=${process.env.PATH} HOME=${home}`;

/**
 * Start sshd on a free port of 127.0.0.1. Returns what clients need (port, key paths and text,
 * known_hosts, fingerprint) and `stop()`. Throws a message saying what to install when sshd or
 * ssh-keygen is missing. Options (default: FORCED, the system's sshd, one ed25519 user key):
 *   kex, ciphers, macs   what sshd accepts (a name or a list; macs default: sshd's own)
 *   rsaBits              also an RSA user key of that size (`rsaKeyPath`, `rsaPrivateKey`)
 *   openssh: "10.0"      OpenSSH 10.0's sshd (see openssh10()) instead of the system's
 * `forced` in the result is what clients should force by default: the first of each list.
 */
export async function startBenchSshd({ kex = FORCED.kex, ciphers = FORCED.cipher, macs, rsaBits, openssh } = {}) {
  const keygen = findSshKeygen();
  let sshd = findSshd();
  const extra = [];
  if (openssh === "10.0") {
    const o = openssh10();
    if (!o) throw new Error("OpenSSH 10.0 is not unpacked: run `bash scripts/fetch-openssh10.sh` (or set OPENSSH10_DIR)");
    sshd = o.sshd;
    // sshd 10 runs its per-connection halves from these paths; penalties would slow a benchmark's
    // rapid reconnects.
    extra.push(`SshdSessionPath ${o.sshdSession}`, `SshdAuthPath ${o.sshdAuth}`, "PerSourcePenalties no");
  }
  const pubkey = [FORCED.hostKey, ...(rsaBits ? ["rsa-sha2-512", "rsa-sha2-256"] : [])];
  const dir = mkdtempSync(join(tmpdir(), "mcp-ssh-bench-sshd-"));
  const hostKey = join(dir, "ssh_host_ed25519_key");
  const clientKey = join(dir, "id_ed25519");
  const rsaKey = join(dir, "id_rsa");
  let server;
  try {
    sshKeygen(hostKey, "bench-host", keygen);
    sshKeygen(clientKey, "bench-client", keygen);
    let authorized = readFileSync(`${clientKey}.pub`, "utf8");
    if (rsaBits) {
      execFileSync(keygen, ["-q", "-t", "rsa", "-b", String(rsaBits), "-N", "", "-C", "bench-client-rsa", "-f", rsaKey]);
      authorized += readFileSync(`${rsaKey}.pub`, "utf8");
    }
    writeFileSync(join(dir, "authorized_keys"), authorized, { mode: 0o600 });
    const config = [...extra, ...benchConfig({ kex, ciphers, macs, hostKey: FORCED.hostKey, pubkey, home: dir })];
    server = await startPrivateSshd({ dir, sshd, hostKey, extraConfig: config });
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
    sshd,
    forced: { kex: list(kex)[0], cipher: list(ciphers)[0], hostKey: FORCED.hostKey, ...(macs ? { mac: list(macs)[0] } : {}) },
    username: userInfo().username,
    clientKeyPath: clientKey,
    privateKey: readFileSync(clientKey, "utf8"),
    ...(rsaBits ? { rsaKeyPath: rsaKey, rsaPrivateKey: readFileSync(rsaKey, "utf8") } : {}),
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

/**
 * The arguments of OpenSSH's `ssh` for this server with the same forced algorithms (no config
 * file): the server's `forced` ones, or `algorithms` ({ kex, cipher, mac }, each one name) instead.
 */
export function sshArgs(server, { options = [], command = [], algorithms = {}, identity = server.clientKeyPath } = {}) {
  const forced = { ...(server.forced ?? FORCED), ...algorithms };
  return [
    "-F", "/dev/null",
    "-i", identity,
    "-o", "IdentitiesOnly=yes",
    "-o", `UserKnownHostsFile=${server.knownHostsPath}`,
    "-o", "StrictHostKeyChecking=yes",
    "-o", "BatchMode=yes",
    "-o", `KexAlgorithms=${forced.kex}`,
    "-o", `Ciphers=${forced.cipher}`,
    ...(forced.mac ? ["-o", `MACs=${forced.mac}`] : []),
    "-o", `HostKeyAlgorithms=${forced.hostKey}`,
    "-o", "Compression=no",
    "-p", String(server.port),
    ...options,
    `${server.username}@${server.host}`,
    ...command,
  ];
}
