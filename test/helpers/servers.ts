// Real SSH servers for tests: OpenSSH's sshd (the system's 9.2, or with { openssh: "10.0" } the
// 10.0 that scripts/fetch-openssh10.sh unpacks) and Dropbear on 127.0.0.1, each on a free port with
// a throwaway directory (config, ed25519 host key, authorized_keys, log, pid file), plus client
// keys made by ssh-keygen. Everything about a key that a test compares with (fingerprint, public
// line) comes from the OpenSSH tools, never from our code.
//
// Works as root (CI: /run/sshd is created for sshd's privilege separation) and as an ordinary
// user (each server can then only log in that user, which is the user tests log in as).
//
// Dropbear 2022.83 only reads ~/.ssh/authorized_keys of the login user: its keys are appended to
// the real file with a per-server marker and removed on stop (see user-authorized-keys.ts).
//
// Nothing outlives the test process: live servers are killed by an exit hook, and servers left
// by a test process that was SIGKILLed are swept by the next one (see process.ts).
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { userInfo } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.js";
import { sshdConfig } from "./sshd-config.js";
import {
  ServerExitedError,
  killNow,
  makeOwnedDir,
  readFileOr,
  spawnLogged,
  stopChild,
  track,
  untrack,
  waitForBanner,
  writeOwner,
} from "./process.js";
import { fingerprintOf, requireOpenssh10, requireProgram, run, typeAndBlob } from "./tools.js";
import { addUserKeys, removeUserKeys } from "./user-authorized-keys.js";

export { waitForLog } from "./server-log.js";

/**
 * A host key type the harness can make: "ecdsa" is P-256, "rsa" is 3072 bits. "rsa1024" is for the
 * tests of our refusal of RSA under 2048 bits: sshd 9.2 and 10.0 serve it (their RequiredRSASize
 * default is 1024), Dropbear 2022.83 too.
 */
export type HostKeyType = "ed25519" | "rsa" | "rsa1024" | "ecdsa" | "ecdsa384" | "ecdsa521";

export interface HostKeyInfo {
  type: HostKeyType;
  /** The private key file (the public key is `${path}.pub`). */
  path: string;
  hostKeyLine: string;
  hostKeyFingerprint: string;
  knownHostsLine: string;
}

export interface TestServer {
  host: "127.0.0.1";
  port: number;
  pid: number;
  /** The throwaway directory (removed by stop()). */
  dir: string;
  /** The user tests log in as: the current user. */
  username: string;
  /** `<type> <base64>` of the host key. */
  hostKeyLine: string;
  /** `SHA256:...` as printed by `ssh-keygen -lf`. */
  hostKeyFingerprint: string;
  /** `[127.0.0.1]:PORT <type> <base64>`. */
  knownHostsLine: string;
  /** Every host key, in the order of the `hostKeyTypes` option (hostKeyLine etc. are the first's). */
  hostKeys?: HostKeyInfo[];
  /**
   * Everything the server logged so far. It starts with the harness's readiness probe (a TCP
   * connection that reads the banner and closes: sshd logs "kex_exchange_identification:
   * Connection closed by remote host"). sshd logs strict kex ("will use strict KEX ordering")
   * only at LogLevel DEBUG3. Lines of a connection may be written after the client has seen it
   * close: wait for them with waitForLog().
   */
  log(): string;
  /** SIGTERM (SIGKILL after a grace period), wait for exit, remove the directory. */
  stop(): Promise<void>;
}

export interface ClientKey {
  path: string;
  /** The private key file contents (openssh-key-v1). */
  privateKey: string;
  /** The `.pub` line as ssh-keygen wrote it (`ssh-ed25519 AAAA... comment`). */
  publicKeyLine: string;
  /** `SHA256:...` as printed by `ssh-keygen -lf`. */
  fingerprint: string;
}

const HOST = "127.0.0.1";
const START_ATTEMPTS = 4;

export interface SshdOptions {
  /** sshd_config lines; they win over the harness defaults (sshd keeps a keyword's first value). */
  config?: string[];
  /** authorized_keys lines (options allowed). */
  authorizedKeys?: string[];
  /** LogLevel; default DEBUG so tests can assert on what the server saw. */
  logLevel?: string;
  /**
   * Which OpenSSH: "9.2" (default) is the system's /usr/sbin/sshd; "10.0" is the one that
   * scripts/fetch-openssh10.sh unpacks into .tmp/openssh10 (started with SshdSessionPath and
   * SshdAuthPath set to its own binaries, and PerSourcePenalties off so refused logins do not
   * slow 127.0.0.1 down). A missing 10.0 throws, naming the script.
   */
  openssh?: "9.2" | "10.0";
  /** Host keys to make (ssh-keygen) and serve, in this order; default ["ed25519"]. */
  hostKeyTypes?: HostKeyType[];
  /**
   * Called once the server's directory and host keys exist, before it starts; returns more
   * sshd_config lines (placed before `config`), e.g. a HostCertificate for a key it signed.
   */
  prepare?: (dir: string, hostKeys: { type: HostKeyType; path: string }[]) => string[] | Promise<string[]>;
}

export interface DropbearOptions {
  /** Extra command-line arguments, after the harness's own. */
  args?: string[];
  /** Lines added to the current user's ~/.ssh/authorized_keys while the server runs. */
  authorizedKeys?: string[];
  /** Host keys to make (dropbearkey) and serve, in this order; default ["ed25519"]. */
  hostKeyTypes?: HostKeyType[];
}

const KEYGEN_ARGS: Record<HostKeyType, string[]> = {
  ed25519: ["-t", "ed25519"],
  rsa: ["-t", "rsa", "-b", "3072"],
  rsa1024: ["-t", "rsa", "-b", "1024"],
  ecdsa: ["-t", "ecdsa", "-b", "256"],
  ecdsa384: ["-t", "ecdsa", "-b", "384"],
  ecdsa521: ["-t", "ecdsa", "-b", "521"],
};
const DROPBEARKEY_ARGS: Record<HostKeyType, string[]> = {
  ed25519: ["-t", "ed25519"],
  rsa: ["-t", "rsa", "-s", "3072"],
  rsa1024: ["-t", "rsa", "-s", "1024"],
  ecdsa: ["-t", "ecdsa", "-s", "256"],
  ecdsa384: ["-t", "ecdsa", "-s", "384"],
  ecdsa521: ["-t", "ecdsa", "-s", "521"],
};

async function hostKeysFacts(keys: { type: HostKeyType; path: string }[], port: number): Promise<HostKeyInfo[]> {
  return Promise.all(keys.map(async (k) => ({ ...k, ...(await hostKeyFacts(`${k.path}.pub`, port)) })));
}

export interface ClientKeyOptions {
  passphrase?: string;
  /** bcrypt_pbkdf rounds (`ssh-keygen -a`). */
  rounds?: number;
  comment?: string;
  /** Directory for the key; default a fresh temp dir removed at exit. */
  dir?: string;
  /** `ssh-keygen -t`; default ed25519. */
  type?: "ed25519" | "ecdsa" | "rsa";
  /** `ssh-keygen -b`. */
  bits?: number;
  /** `ssh-keygen -m` (PEM, PKCS8); default openssh-key-v1. */
  format?: "PEM" | "PKCS8";
  /** `ssh-keygen -Z`: the cipher of an encrypted file. */
  cipher?: string;
}

// hostKeyFacts, launch and makeServer are exported for the other peers' starters (asyncssh.ts,
// ssh2-server.ts), so every test server starts, reports and stops the same way.
export async function hostKeyFacts(publicKeyPath: string, port: number) {
  const hostKeyLine = typeAndBlob(await readFile(publicKeyPath, "utf8"));
  return {
    hostKeyLine,
    hostKeyFingerprint: await fingerprintOf(publicKeyPath),
    knownHostsLine: `[${HOST}]:${port} ${hostKeyLine}`,
  };
}

export interface Launch {
  port: number;
  child: ChildProcess;
}

/**
 * Pick a free port, start, wait for the banner; on a port clash (another process took the port
 * between our probe and the server's bind) try again with a new port.
 */
export async function launch(
  name: string,
  start: (port: number) => ChildProcess,
  readLog: () => string,
): Promise<Launch> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const logStart = readLog().length; // judge each attempt by its own log lines
    const port = await freePort(HOST);
    const child = start(port);
    const guard = track(() => killNow(child));
    try {
      await waitForBanner(child, HOST, port, readLog);
      untrack(guard);
      return { port, child };
    } catch (error) {
      untrack(guard);
      await stopChild(child);
      lastError = error as Error;
      const clash = /address already in use/i.test(readLog().slice(logStart));
      if (!(error instanceof ServerExitedError) || !clash) {
        throw error;
      }
    }
  }
  throw new Error(`${name} could not bind a free port in ${START_ATTEMPTS} attempts: ${lastError?.message}`);
}

export function makeServer(
  dir: string,
  { port, child }: Launch,
  facts: Awaited<ReturnType<typeof hostKeyFacts>> & { hostKeys?: HostKeyInfo[] },
  readLog: () => string,
  cleanup: () => void,
): TestServer {
  const pid = child.pid as number;
  writeOwner(dir, pid);
  const guard = track(() => {
    killNow(child);
    cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  let stopping: Promise<void> | undefined;
  return {
    host: HOST,
    port,
    pid,
    dir,
    username: userInfo().username,
    ...facts,
    log: readLog,
    stop() {
      stopping ??= (async () => {
        try {
          await stopChild(child);
        } finally {
          untrack(guard);
          cleanup();
          rmSync(dir, { recursive: true, force: true });
        }
      })();
      return stopping;
    },
  };
}

/** OpenSSH sshd in the foreground (-D), logging to a file in its directory (-E). */
export async function startSshd(opts: SshdOptions = {}): Promise<TestServer> {
  let sshd: string;
  if (opts.openssh === "10.0") {
    const openssh10 = requireOpenssh10();
    sshd = openssh10.sshd;
    // Before the caller's Match blocks, after the caller's global lines (first value wins).
    const user = opts.config ?? [];
    const matchAt = user.findIndex((line) => /^\s*match\s/i.test(line));
    const at = matchAt < 0 ? user.length : matchAt;
    const lines = [
      `SshdSessionPath ${openssh10.sshdSession}`,
      `SshdAuthPath ${openssh10.sshdAuth}`,
      "PerSourcePenalties no",
    ];
    opts = { ...opts, config: [...user.slice(0, at), ...lines, ...user.slice(at)] };
  } else {
    sshd = requireProgram("sshd");
  }
  requireProgram("ssh-keygen");
  if (process.getuid?.() === 0 && !existsSync("/run/sshd")) {
    // Privilege separation directory; Debian's init script creates it, we may have no init.
    mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  }
  const dir = makeOwnedDir(opts.openssh === "10.0" ? "sshd10" : "sshd");
  try {
    const hostKeys = (opts.hostKeyTypes ?? ["ed25519"]).map((type) => ({ type, path: join(dir, `ssh_host_${type}_key`) }));
    for (const { type, path } of hostKeys) {
      await run("ssh-keygen", ["-q", ...KEYGEN_ARGS[type], "-N", "", "-C", "mcp-ssh-test-host", "-f", path]);
    }
    const hostKeyFiles = hostKeys.map((k) => k.path.slice(dir.length + 1));
    if (opts.prepare) opts = { ...opts, config: [...(await opts.prepare(dir, hostKeys)), ...(opts.config ?? [])] };
    writeFileSync(join(dir, "authorized_keys"), (opts.authorizedKeys ?? []).map((l) => `${l}\n`).join(""), {
      mode: 0o600,
    });
    const logPath = join(dir, "sshd.log");
    const readLog = () => readFileOr(logPath, "");
    const config = join(dir, "sshd_config");
    const launched = await launch(
      "sshd",
      (port) => {
        writeFileSync(config, sshdConfig(dir, HOST, port, { ...opts, hostKeyFiles }), { mode: 0o600 });
        return spawnLogged(sshd, ["-D", "-E", logPath, "-f", config], logPath);
      },
      readLog,
    );
    const all = await hostKeysFacts(hostKeys, launched.port);
    const { hostKeyLine, hostKeyFingerprint, knownHostsLine } = all[0]!;
    return makeServer(dir, launched, { hostKeyLine, hostKeyFingerprint, knownHostsLine, hostKeys: all }, readLog, () => {});
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Dropbear in the foreground (-F), logging to stderr (-E) captured in a file, no passwords (-s). */
export async function startDropbear(opts: DropbearOptions = {}): Promise<TestServer> {
  const dropbear = requireProgram("dropbear");
  requireProgram("dropbearkey");
  requireProgram("ssh-keygen");
  const dir = makeOwnedDir("dropbear");
  let tag: string | undefined;
  const cleanup = () => {
    if (tag !== undefined) removeUserKeys(tag);
    tag = undefined;
  };
  try {
    const hostKeys = (opts.hostKeyTypes ?? ["ed25519"]).map((type) => ({ type, path: join(dir, `dropbear_${type}_host_key`) }));
    for (const { type, path } of hostKeys) {
      const { stdout } = await run("dropbearkey", [...DROPBEARKEY_ARGS[type], "-f", path]);
      const publicLine = stdout.split("\n").find((line) => /^(ssh-|ecdsa-)\S+ AAAA/.test(line));
      if (publicLine === undefined) throw new Error(`dropbearkey printed no public key:\n${stdout}`);
      writeFileSync(`${path}.pub`, `${typeAndBlob(publicLine)} mcp-ssh-test-host\n`);
    }
    const logPath = join(dir, "dropbear.log");
    const readLog = () => readFileOr(logPath, "");
    tag = addUserKeys(opts.authorizedKeys ?? []);
    const launched = await launch(
      "dropbear",
      (port) =>
        spawnLogged(
          dropbear,
          ["-F", "-E", "-s", "-p", `${HOST}:${port}`, ...hostKeys.flatMap((k) => ["-r", k.path]), "-P", join(dir, "dropbear.pid"), ...(opts.args ?? [])],
          logPath,
        ),
      readLog,
    );
    const all = await hostKeysFacts(hostKeys, launched.port);
    const { hostKeyLine, hostKeyFingerprint, knownHostsLine } = all[0]!;
    return makeServer(dir, launched, { hostKeyLine, hostKeyFingerprint, knownHostsLine, hostKeys: all }, readLog, cleanup);
  } catch (error) {
    cleanup();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** A key made by ssh-keygen (mode 0600; ed25519 unless `type` says), optionally passphrase-protected. */
export async function makeClientKey(opts: ClientKeyOptions = {}): Promise<ClientKey> {
  requireProgram("ssh-keygen");
  let dir = opts.dir;
  if (dir === undefined) {
    const own = makeOwnedDir("key");
    track(() => rmSync(own, { recursive: true, force: true }));
    dir = own;
  }
  const type = opts.type ?? "ed25519";
  let path = join(dir, `id_${type}`);
  for (let n = 2; existsSync(path) || existsSync(`${path}.pub`); n++) path = join(dir, `id_${type}_${n}`);
  const args = ["-q", "-t", type, "-N", opts.passphrase ?? "", "-C", opts.comment ?? "mcp-ssh-test", "-f", path];
  if (opts.rounds !== undefined) args.splice(3, 0, "-a", String(opts.rounds));
  if (opts.bits !== undefined) args.splice(3, 0, "-b", String(opts.bits));
  if (opts.format !== undefined) args.splice(3, 0, "-m", opts.format);
  if (opts.cipher !== undefined) args.splice(3, 0, "-Z", opts.cipher);
  await run("ssh-keygen", args);
  return {
    path,
    privateKey: await readFile(path, "utf8"),
    publicKeyLine: (await readFile(`${path}.pub`, "utf8")).trim(),
    fingerprint: await fingerprintOf(`${path}.pub`),
  };
}
