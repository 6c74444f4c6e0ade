import type { SshConfigReader } from "./reader.js";

/**
 * The shapes of ssh_config(5) resolution: what resolveSshConfig takes and returns, the error it
 * throws (file and line, as ssh reports a bad config), and the internal record of what the config
 * has set so far. The "first obtained value wins" rule of ssh_config(5) is why Settings fields are
 * optional: undefined means no line has set it yet (OpenSSH readconf.c keeps -1/NULL for this).
 */

export interface ResolveSshConfigOptions {
  /** Config files read as `ssh -F` reads one (each must exist). Default: ~/.ssh/config then /etc/ssh/ssh_config. */
  files?: string[];
  /** Config text instead of files (read as a user config file named "(text)"). */
  text?: string;
  /** Read no configuration at all (`-F none`). */
  none?: boolean;
  /** `-l user`: beats both `user@host` and the User keyword. */
  user?: string;
  /** `-p port`: beats the Port keyword. */
  port?: number;
  reader: SshConfigReader;
  /**
   * The algorithm names the client knows. When given, Ciphers/MACs/KexAlgorithms values must
   * name only these (HostKeyAlgorithms/PubkeyAcceptedAlgorithms may use wildcards), and a config
   * that ssh would refuse for an unknown name is refused too. `-` lists are never checked.
   */
  supportedAlgorithms?: { kex: string[]; cipher: string[]; mac: string[]; key: string[] };
}

export type StrictHostKeyChecking = "yes" | "no" | "ask" | "accept-new";

export interface JumpHop {
  user?: string;
  host: string;
  port?: number;
}

export interface ResolvedSshConfig {
  /** The host as given (user@ removed): what Host patterns matched and `%n` expands to. */
  host: string;
  /** Where to connect: HostName with %h substituted, lowercased unless an address. */
  hostName: string;
  port: number;
  user: string;
  /** Key files to try, in order, `~` and tokens expanded; OpenSSH's defaults when none is set; `none` dropped. */
  identityFile: string[];
  identitiesOnly: boolean;
  /** Agent socket (`~`, tokens, `${VAR}` expanded); also "none" or "SSH_AUTH_SOCK" or "$VAR" as written. */
  identityAgent?: string;
  certificateFile: string[];
  /** Expanded; empty for `none`. */
  userKnownHostsFile: string[];
  /** `~` expanded; empty for `none`. */
  globalKnownHostsFile: string[];
  strictHostKeyChecking: StrictHostKeyChecking;
  hashKnownHosts: boolean;
  /** ProxyJump hops, first hop first (`none` and unset: undefined). */
  proxyJump?: JumpHop[];
  /** ProxyCommand with %h %p %r %n %k expanded (without OpenSSH's leading "exec "). */
  proxyCommand?: string;
  /** Seconds; undefined is OpenSSH's "none" (the system's TCP timeout). */
  connectTimeout?: number;
  serverAliveInterval: number;
  serverAliveCountMax: number;
  /** Raw algorithm values, `+`/`-`/`^` kept; apply with applyAlgorithmModifier. */
  kexAlgorithms?: string;
  ciphers?: string;
  macs?: string;
  hostKeyAlgorithms?: string;
  pubkeyAcceptedAlgorithms?: string;
  /** Patterns of local environment variables to send. */
  sendEnv: string[];
  /** Variables to set remotely, in order. */
  setEnv: Array<[name: string, value: string]>;
  /** Bytes (0 = the cipher's default) and seconds (0 = none) before rekeying. */
  rekeyLimit: { bytes: number; seconds: number };
  /** HostKeyAlias, lowercased as ssh uses it. */
  hostKeyAlias?: string;
  /** The values as `ssh -G` prints them (before the late expansion ssh does when it uses them). */
  unexpanded: {
    identityFile: string[];
    certificateFile: string[];
    globalKnownHostsFile: string[];
    proxyCommand?: string;
    /** In ssh -G's form: earlier hops as written, then [user@]host[:port] of the last. */
    proxyJump?: string;
  };
  /** Debug notes: ignored keywords, Match exec, canonicalization, Include that matched nothing. */
  notes: string[];
}

/** A config error, naming the file and line as ssh does. */
export class SshConfigError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file} line ${line}: ${message}`);
    this.name = "SshConfigError";
  }
}

export interface PathEntry {
  path: string;
  userProvided: boolean;
}

export interface Jump {
  host: string;
  user?: string;
  port?: number;
  /** The hops before the last, as written (ssh passes them on with -J). */
  extra?: string;
  /** Every hop, parsed. */
  hops: JumpHop[];
}

/** What the config has set so far: undefined means "not yet obtained". */
export interface Settings {
  hostName?: string;
  port?: number;
  user?: string;
  identityFiles: PathEntry[];
  identitiesOnly?: boolean;
  identityAgent?: string;
  certificateFiles: PathEntry[];
  userKnownHostsFiles: string[];
  globalKnownHostsFiles: string[];
  strictHostKeyChecking?: StrictHostKeyChecking;
  hashKnownHosts?: boolean;
  jump?: Jump | "none";
  proxyCommand?: string;
  connectTimeout?: number;
  serverAliveInterval?: number;
  serverAliveCountMax?: number;
  kexAlgorithms?: string;
  ciphers?: string;
  macs?: string;
  hostKeyAlgorithms?: string;
  pubkeyAcceptedAlgorithms?: string;
  sendEnv: string[];
  setEnv: string[];
  rekeyBytes?: number;
  rekeySeconds?: number;
  hostKeyAlias?: string;
  canonicalizeHostname?: "no" | "yes" | "always";
  ignoreUnknown?: string;
}

/**
 * Where and how one file is being read, as readconf.c's read_config_file_depth and
 * process_config_line_depth carry it in their arguments (filename, linenum, flags, activep,
 * depth). Each file read gets its own; an Include makes one for the file it includes.
 */
export interface ReadState {
  /** The file's name as errors and notes give it. */
  readonly file: string;
  /** The line being read (1-based), for errors and notes. */
  lineNumber: number;
  /** A user config (~/.ssh/config, -F, text): relative Includes resolve against ~/.ssh (SSHCONF_USERCONF). */
  readonly userConfig: boolean;
  /** Parse only: included from an inactive section, nothing in it may apply (SSHCONF_NEVERMATCH). */
  readonly neverMatch: boolean;
  readonly pass: Pass;
  /** How many Includes deep this file is (0: read at the top). */
  readonly depth: number;
  /** Whether the current Host/Match section applies: when not, lines are checked but set nothing. */
  active: boolean;
}

export interface Pass {
  /** What Host patterns and (first pass) %h in HostName see. */
  host: string;
  /** The host as typed. */
  originalHost: string;
  final: boolean;
}
