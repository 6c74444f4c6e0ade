import { connectionHash, percentExpand, tildeExpand } from "./expand.js";
import { asciiLower } from "./patterns.js";
import type { SshConfigReader } from "./reader.js";
import type { ResolvedSshConfig, Settings } from "./types.js";
import { formatJump } from "./values.js";

/**
 * The last step of resolution: from what the config files set (Settings) to what ssh would use
 * (ResolvedSshConfig). OpenSSH's defaults fill what no line set (readconf.c's
 * fill_default_options: Port 22, the local user, the id_* key files, the known_hosts pairs,
 * StrictHostKeyChecking ask, ServerAliveCountMax 3), and path and command values get ssh's `~`
 * and `%` expansion (ssh_config(5) TOKENS: %d %h %k %n %p %r %u, and %i %l %L %C when the reader
 * knows them; ProxyCommand only %h %k %n %p %r). The values as written are kept for `ssh -G`.
 */

const DEFAULT_IDENTITY_FILES = [
  "~/.ssh/id_rsa",
  "~/.ssh/id_ecdsa",
  "~/.ssh/id_ecdsa_sk",
  "~/.ssh/id_ed25519",
  "~/.ssh/id_ed25519_sk",
  "~/.ssh/id_xmss",
  "~/.ssh/id_dsa",
];

/**
 * Fills defaults and expands tokens. `typed` is the host as typed (%n), `target` the final host
 * name (%h); `notes` become the result's notes.
 */
export function finishSettings(
  s: Settings,
  typed: string,
  target: string,
  reader: SshConfigReader,
  notes: string[],
): ResolvedSshConfig {
  const user = s.user ?? reader.localUser;
  const port = s.port ?? 22;
  const jump = s.jump === "none" ? undefined : s.jump;
  if (jump !== undefined && jump.host === target && (jump.port ?? 22) === port && (jump.user ?? user) === user) {
    throw new Error(`jumphost loop via ${jump.host}`);
  }

  const home = reader.homeDir;
  const tilde = (p: string): string => tildeExpand(p, home, reader.localUser);
  const portText = String(port);
  const tokens: Record<string, string> = {
    d: home,
    h: target,
    k: s.hostKeyAlias !== undefined ? asciiLower(s.hostKeyAlias) : typed,
    n: typed,
    p: portText,
    r: user,
    u: reader.localUser,
  };
  if (reader.uid !== undefined) tokens.i = String(reader.uid);
  if (reader.localHostName !== undefined) {
    tokens.l = reader.localHostName;
    tokens.L = reader.localHostName.split(".")[0]!;
    tokens.C = connectionHash(reader.localHostName, target, portText, user);
  }
  const expand = (what: string, value: string, env: boolean, only?: Record<string, string>): string => {
    try {
      return percentExpand(value, only ?? tokens, env ? (reader.env ?? (() => undefined)) : undefined);
    } catch (e) {
      const hint = only === undefined && /%[lLCi]/.test(value) ? " (the reader gives no local host name or uid)" : "";
      throw new Error(`${what}: ${(e as Error).message}${hint}`);
    }
  };

  const identityRaw = s.identityFiles.length > 0 ? s.identityFiles.map((e) => e.path) : DEFAULT_IDENTITY_FILES;
  const certificateRaw = s.certificateFiles.map((e) => e.path);
  const userKnown =
    s.userKnownHostsFiles.length === 0 ? ["~/.ssh/known_hosts", "~/.ssh/known_hosts2"] : s.userKnownHostsFiles;
  const globalKnown =
    s.globalKnownHostsFiles.length === 0
      ? ["/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"]
      : s.globalKnownHostsFiles;
  const proxyCommandRaw =
    s.proxyCommand === undefined || asciiLower(s.proxyCommand) === "none" ? undefined : s.proxyCommand;

  const out: ResolvedSshConfig = {
    host: typed,
    hostName: target,
    port,
    user,
    identityFile: identityRaw
      .filter((p) => asciiLower(p) !== "none")
      .map((p) => expand("IdentityFile", tilde(p), true)),
    identitiesOnly: s.identitiesOnly ?? false,
    certificateFile: certificateRaw.map((p) => expand("CertificateFile", tilde(p), true)),
    userKnownHostsFile:
      asciiLower(userKnown[0]!) === "none" ? [] : userKnown.map((p) => expand("UserKnownHostsFile", tilde(p), true)),
    globalKnownHostsFile: asciiLower(globalKnown[0]!) === "none" ? [] : globalKnown.map(tilde),
    strictHostKeyChecking: s.strictHostKeyChecking ?? "ask",
    hashKnownHosts: s.hashKnownHosts ?? false,
    serverAliveInterval: s.serverAliveInterval === undefined || s.serverAliveInterval < 0 ? 0 : s.serverAliveInterval,
    serverAliveCountMax: s.serverAliveCountMax ?? 3,
    sendEnv: [...s.sendEnv],
    setEnv: s.setEnv.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]),
    rekeyLimit: { bytes: s.rekeyBytes ?? 0, seconds: s.rekeySeconds === undefined || s.rekeySeconds < 0 ? 0 : s.rekeySeconds },
    unexpanded: {
      identityFile: [...identityRaw],
      certificateFile: certificateRaw,
      globalKnownHostsFile: asciiLower(globalKnown[0]!) === "none" ? [] : [...globalKnown],
    },
    notes,
  };
  if (s.identityAgent !== undefined) {
    out.identityAgent = expand("IdentityAgent", tilde(s.identityAgent), true);
  }
  if (jump !== undefined) {
    out.proxyJump = jump.hops;
    out.unexpanded.proxyJump = formatJump(jump);
  } else if (proxyCommandRaw !== undefined) {
    out.unexpanded.proxyCommand = proxyCommandRaw;
    out.proxyCommand = expand("ProxyCommand", proxyCommandRaw, false, {
      h: target,
      k: tokens.k!,
      n: typed,
      p: portText,
      r: user,
    });
  }
  if (s.connectTimeout !== undefined && s.connectTimeout >= 0) out.connectTimeout = s.connectTimeout;
  if (s.kexAlgorithms !== undefined) out.kexAlgorithms = s.kexAlgorithms;
  if (s.ciphers !== undefined) out.ciphers = s.ciphers;
  if (s.macs !== undefined) out.macs = s.macs;
  if (s.hostKeyAlgorithms !== undefined) out.hostKeyAlgorithms = s.hostKeyAlgorithms;
  if (s.pubkeyAcceptedAlgorithms !== undefined) out.pubkeyAcceptedAlgorithms = s.pubkeyAcceptedAlgorithms;
  if (s.hostKeyAlias !== undefined) out.hostKeyAlias = asciiLower(s.hostKeyAlias);
  return out;
}
