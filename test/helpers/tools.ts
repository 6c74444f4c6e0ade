// Locating the real peer programs and running the short-lived ones (ssh-keygen, dropbearkey).
// A missing program is a setup problem, not a test result: the error names the Debian package.
import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

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
