// A throwaway system user with a password, for password and keyboard-interactive logins against a
// real sshd (which checks /etc/shadow, or PAM). Needs root: useradd/chpasswd/userdel. The user has
// no home directory (-M) and /bin/sh; it is removed by remove(), and by the exit hook if a test
// process ends without it.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, constants } from "node:fs";
import { track, untrack } from "./process.js";

export interface SystemUser {
  name: string;
  password: string;
  /** userdel; idempotent. */
  remove(): void;
}

function sbin(name: string): string {
  for (const dir of ["/usr/sbin", "/sbin", "/usr/bin"]) {
    try {
      accessSync(`${dir}/${name}`, constants.X_OK);
      return `${dir}/${name}`;
    } catch {
      // keep looking
    }
  }
  throw new Error(`${name} not found in /usr/sbin, /sbin or /usr/bin; install it: apt-get install passwd`);
}

/** Create `mcpssh-pw-<random>` with a random password; throws (saying why) unless running as root. */
export function createSystemUser(): SystemUser {
  if (process.getuid?.() !== 0) {
    throw new Error(
      "password and keyboard-interactive interop tests create a throwaway system user (useradd, chpasswd, userdel) " +
        "and must run as root; run them as root (CI does) or skip this file",
    );
  }
  const useradd = sbin("useradd");
  const chpasswd = sbin("chpasswd");
  const userdel = sbin("userdel");
  const name = `mcpssh-pw-${randomBytes(4).toString("hex")}`;
  const password = `pw-${randomBytes(9).toString("base64url")}`;
  execFileSync(useradd, ["-M", "-s", "/bin/sh", name], { stdio: "pipe" });
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    try {
      execFileSync(userdel, [name], { stdio: "pipe" });
    } catch (error) {
      // Gone already is fine; anything else is worth seeing.
      if (!/does not exist/.test(String((error as { stderr?: Buffer }).stderr ?? ""))) throw error;
    }
  };
  const guard = track(remove);
  try {
    execFileSync(chpasswd, [], { input: `${name}:${password}\n`, stdio: ["pipe", "pipe", "pipe"] });
  } catch (error) {
    untrack(guard);
    remove();
    throw error;
  }
  return {
    name,
    password,
    remove() {
      untrack(guard);
      remove();
    },
  };
}
