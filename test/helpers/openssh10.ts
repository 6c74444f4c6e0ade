// OpenSSH 10.0 as a test peer, beside the system's OpenSSH 9.2: Debian's bookworm-backports
// packages, unpacked by scripts/fetch-openssh10.sh into .tmp/openssh10 (.ci/run runs it). Nothing
// is installed over the system's OpenSSH.
//
// - startSshd10(): the 10.0 sshd, started by servers.ts' startSshd({ openssh: "10.0" }) (free
//   port, throwaway host key and config, LogLevel DEBUG = DEBUG1 so `kex: algorithm: ...` lines
//   are in server.log(), stopped by PID).
// - runOpenssh10Client(): the 10.0 `ssh` client against any server (client-role tests).
//
// A missing 10.0 fails the test with an error that says to run scripts/fetch-openssh10.sh.
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeOwnedDir, track, untrack } from "./process.js";
import { startSshd, type SshdOptions, type TestServer } from "./servers.js";
import { requireOpenssh10, runProgram, type ClientRunOptions, type ClientRunResult, type Openssh10 } from "./tools.js";

export { requireOpenssh10, type ClientRunOptions, type ClientRunResult, type Openssh10 };

/** startSshd() with the unpacked OpenSSH 10.0 sshd. */
export function startSshd10(opts: Omit<SshdOptions, "openssh"> = {}): Promise<TestServer> {
  return startSshd({ ...opts, openssh: "10.0" });
}

/**
 * The OpenSSH 10.0 `ssh` client: no config files (-F none), only the given key, the host key
 * pinned through a throwaway known_hosts file, batch mode, verbose (-v) so stderr shows the
 * negotiated algorithms ("debug1: kex: algorithm: ...").
 */
export async function runOpenssh10Client(opts: ClientRunOptions): Promise<ClientRunResult> {
  const { ssh } = requireOpenssh10();
  const dir = makeOwnedDir("ssh10-client");
  const guard = track(() => rmSync(dir, { recursive: true, force: true }));
  try {
    const knownHosts = join(dir, "known_hosts");
    const hostPattern = opts.port === 22 ? opts.host : `[${opts.host}]:${opts.port}`;
    writeFileSync(knownHosts, `${hostPattern} ${opts.hostKeyLine}\n`);
    const args = [
      "-F", "none",
      "-v",
      "-p", String(opts.port),
      "-l", opts.username,
      "-i", opts.privateKeyPath,
      "-o", "IdentitiesOnly=yes",
      "-o", "IdentityAgent=none",
      "-o", "BatchMode=yes",
      "-o", "StrictHostKeyChecking=yes",
      "-o", `UserKnownHostsFile=${knownHosts}`,
      "-o", "GlobalKnownHostsFile=/dev/null",
      "-o", "UpdateHostKeys=no",
      "-o", "ConnectTimeout=10",
      ...(opts.args ?? []),
      opts.host,
      "--",
      opts.command,
    ];
    return await runProgram(ssh, args, opts.stdin, opts.timeoutMs ?? 20_000);
  } finally {
    untrack(guard);
    rmSync(dir, { recursive: true, force: true });
  }
}
