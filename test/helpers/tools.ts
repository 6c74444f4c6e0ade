// Locating the real peer programs and running the short-lived ones (ssh-keygen, dropbearkey).
// A missing program is a setup problem, not a test result: the error names the Debian package.
import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

interface Program {
  /** Where Debian puts it; checked first. */
  path: string;
  /** Debian package that provides it. */
  pkg: string;
}

const PROGRAMS = {
  sshd: { path: "/usr/sbin/sshd", pkg: "openssh-server" },
  dropbear: { path: "/usr/sbin/dropbear", pkg: "dropbear-bin" },
  dropbearkey: { path: "/usr/bin/dropbearkey", pkg: "dropbear-bin" },
  "ssh-keygen": { path: "/usr/bin/ssh-keygen", pkg: "openssh-client" },
  ssh: { path: "/usr/bin/ssh", pkg: "openssh-client" },
} satisfies Record<string, Program>;

export type ProgramName = keyof typeof PROGRAMS;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Absolute path of a peer program. sshd must be started by absolute path (it re-executes
 * itself for every connection), so the Debian location wins over $PATH.
 */
export function requireProgram(name: ProgramName): string {
  const program: Program = PROGRAMS[name];
  if (isExecutable(program.path)) return program.path;
  if (name !== "sshd") {
    for (const dir of (process.env.PATH ?? "").split(delimiter)) {
      if (dir !== "" && isExecutable(join(dir, name))) return join(dir, name);
    }
  }
  throw new Error(
    `${name} not found (looked at ${program.path}${name === "sshd" ? "" : " and $PATH"}); ` +
      `install it: apt-get install ${program.pkg}`,
  );
}

/** Run a program to completion; rejects with its stderr on a non-zero exit. */
export function run(
  name: ProgramName,
  args: string[],
  timeoutMs = 30_000,
): Promise<{ stdout: string; stderr: string }> {
  const file = requireProgram(name);
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, encoding: "utf8" }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`${file} ${args.join(" ")} failed: ${error.message}\n${stderr}`));
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}

/** The `SHA256:...` fingerprint exactly as `ssh-keygen -lf` prints it for a public key file. */
export async function fingerprintOf(publicKeyPath: string): Promise<string> {
  const { stdout } = await run("ssh-keygen", ["-l", "-E", "sha256", "-f", publicKeyPath]);
  const fingerprint = stdout.trim().split(/\s+/)[1];
  if (fingerprint === undefined || !fingerprint.startsWith("SHA256:")) {
    throw new Error(`unexpected ssh-keygen -lf output for ${publicKeyPath}: ${stdout}`);
  }
  return fingerprint;
}

/** `<type> <base64>` of an OpenSSH public key line, dropping options-free trailing comment. */
export function typeAndBlob(publicKeyLine: string): string {
  const [type, blob] = publicKeyLine.trim().split(/\s+/);
  if (type === undefined || blob === undefined) {
    throw new Error(`not an OpenSSH public key line: ${JSON.stringify(publicKeyLine)}`);
  }
  return `${type} ${blob}`;
}

/** The unpacked OpenSSH 10.0 (scripts/fetch-openssh10.sh), beside the system's OpenSSH. */
export interface Openssh10 {
  /** The folder the packages were unpacked into (`usr/` is inside it). */
  root: string;
  sshd: string;
  /** For sshd_config's SshdSessionPath. */
  sshdSession: string;
  /** For sshd_config's SshdAuthPath. */
  sshdAuth: string;
  /** The 10.0 client. */
  ssh: string;
  sshKeygen: string;
}

/** Where scripts/fetch-openssh10.sh unpacks by default: `.tmp/openssh10` of this repository. */
export const OPENSSH10_DEFAULT_DIR = resolve(fileURLToPath(new URL("../../.tmp/openssh10", import.meta.url)));

/**
 * Paths of the unpacked OpenSSH 10.0 programs ($OPENSSH10_DIR, else .tmp/openssh10). A missing one
 * throws: the tests that need 10.0 then fail with what to run, they are not skipped.
 */
export function requireOpenssh10(): Openssh10 {
  const root = resolve(process.env.OPENSSH10_DIR ?? OPENSSH10_DEFAULT_DIR);
  const paths: Openssh10 = {
    root,
    sshd: join(root, "usr/sbin/sshd"),
    sshdSession: join(root, "usr/lib/openssh/sshd-session"),
    sshdAuth: join(root, "usr/lib/openssh/sshd-auth"),
    ssh: join(root, "usr/bin/ssh"),
    sshKeygen: join(root, "usr/bin/ssh-keygen"),
  };
  const missing = Object.entries(paths).filter(([key, path]) => key !== "root" && !isExecutable(path));
  if (missing.length > 0) {
    throw new Error(
      `OpenSSH 10.0 not found (missing ${missing.map(([, path]) => path).join(", ")}); ` +
        "run: bash scripts/fetch-openssh10.sh (it unpacks Debian's bookworm-backports openssh-server " +
        "and openssh-client into .tmp/openssh10; .ci/run does this itself)",
    );
  }
  return paths;
}

// ---- client peers (OpenSSH 10.0 ssh, asyncssh): the options and result they share ----

export interface ClientRunOptions {
  host: string;
  port: number;
  username: string;
  /** Private key file (mode 0600). */
  privateKeyPath: string;
  /** The server's host key, `<type> <base64>` (pinned: nothing else is accepted). */
  hostKeyLine: string;
  /** The command to exec on the server. */
  command: string;
  /** Written to the command's stdin (then EOF); default: nothing. */
  stdin?: string;
  /** Extra `-o` options / arguments before the destination (e.g. ["-o", "KexAlgorithms=..."]). */
  args?: string[];
  timeoutMs?: number;
}

export interface ClientRunResult {
  stdout: string;
  stderr: string;
  /** The client's exit code: the remote command's, or 255 for an SSH error. */
  code: number | null;
}

/** Run a program with `stdin`, never rejecting: the caller looks at the code and output. */
export function runProgram(
  file: string,
  args: string[],
  stdin: string | undefined,
  timeoutMs: number,
  env?: NodeJS.ProcessEnv,
): Promise<ClientRunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      { timeout: timeoutMs, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...(env ? { env } : {}) },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
        resolve({ stdout, stderr: error && code === null ? `${stderr}\n${error.message}` : stderr, code });
      },
    );
    child.stdin?.end(stdin ?? "");
  });
}
