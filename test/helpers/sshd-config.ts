// sshd_config for a test server. sshd keeps the FIRST value it reads for most keywords, so the
// caller's lines come before the harness defaults and win; keywords the harness needs to manage
// the server (ListenAddress, HostKey, AuthorizedKeysFile, PidFile) must not be set by callers.
import { join } from "node:path";

export interface SshdConfigOptions {
  config?: string[];
  logLevel?: string;
  /** Host key files in the server's directory; default the harness's one ed25519 key. */
  hostKeyFiles?: string[];
}

/**
 * The config file: the caller's lines first (first value wins in sshd_config), then the
 * harness's, then any Match blocks of the caller (a Match runs to the end of the file, so global
 * lines must come before it).
 */
export function sshdConfig(dir: string, host: string, port: number, opts: SshdConfigOptions): string {
  const user = opts.config ?? [];
  const matchAt = user.findIndex((line) => /^\s*match\s/i.test(line));
  const global = matchAt < 0 ? user : user.slice(0, matchAt);
  const matches = matchAt < 0 ? [] : user.slice(matchAt);
  const defaults = [
    `ListenAddress ${host}:${port}`,
    ...(opts.hostKeyFiles ?? ["ssh_host_ed25519_key"]).map((file) => `HostKey ${join(dir, file)}`),
    `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
    `PidFile ${join(dir, "sshd.pid")}`,
    `LogLevel ${opts.logLevel ?? "DEBUG"}`,
    "StrictModes no",
    "UsePAM no",
    "PermitRootLogin prohibit-password",
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "UseDNS no",
    "PrintMotd no",
    "PrintLastLog no",
    // sshd runs every command through the user's shell, and Debian's bash reads ~/.bashrc when
    // started by sshd; a ~/.bashrc that does real work (this machine's root initialises pyenv,
    // ~0.45 s per exec) would be paid by every test's exec. SetEnv is applied after sshd sets
    // HOME, so bash looks in the server's throwaway directory, which has no .bashrc.
    `SetEnv HOME=${dir}`,
  ];
  return [...global, ...defaults, ...matches].join("\n") + "\n";
}
