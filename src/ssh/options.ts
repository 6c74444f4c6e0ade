import type { ByteStream } from "./io/byte-stream.js";
import type { Logger } from "./logger.js";
import type { Signer } from "./keys/signature.js";

import type { HostKeyInfo, HostKeyPolicy } from "./keys/host-key-policy.js";
export type { HostKeyInfo, HostKeyPolicy } from "./keys/host-key-policy.js";
import type { AlgorithmPreferences } from "./algorithms/offer.js";
import type { KeyboardInteractiveHandler } from "./auth/keyboard-interactive.js";
import type { SshConfigReader } from "./config/reader.js";

export interface ConnectOptions {
  host?: string;
  /** Default 22. */
  port?: number;
  /** A ready duplex instead of host/port (e.g. a WebSocket through a relay). */
  stream?: ByteStream;
  /**
   * Required unless `sshConfig` is given (then ssh_config's User, else the local user name, as
   * for `ssh`).
   */
  username?: string;
  /** OpenSSH private key file contents. */
  privateKey?: string | Uint8Array;
  /** Where a filesystem exists. */
  privateKeyPath?: string;
  passphrase?: string;
  /** A certificate line for the private key (PROTOCOL.certkeys); else `<privateKeyPath>-cert.pub` when it exists. */
  certificate?: string;
  certificatePath?: string;
  /** Password login (RFC 4252 §8), and the answer to a keyboard-interactive request of one hidden prompt. */
  password?: string;
  /** Answers keyboard-interactive prompts (RFC 4256); one answer per prompt. */
  keyboardInteractive?: KeyboardInteractiveHandler;
  /** Extra signers (e.g. ssh-agent identities) tried after the explicit keys. */
  signers?: Signer[];
  /** ssh-agent socket path; true = $SSH_AUTH_SOCK. */
  agent?: string | boolean;
  /** known_hosts file contents. */
  knownHosts?: string;
  knownHostsPath?: string;
  /** Pinned "SHA256:..." fingerprints. */
  hostKeyFingerprints?: string[];
  hostVerifier?: (key: HostKeyInfo) => boolean | Promise<boolean>;
  /** Like OpenSSH's StrictHostKeyChecking; default "yes". "no" must be asked for and warns loudly. */
  hostKeyPolicy?: HostKeyPolicy;
  /** With "accept-new": record new hosts hashed (`|1|...`), like OpenSSH's HashKnownHosts. */
  hashKnownHosts?: boolean;
  /**
   * Per category: exactly these, in order; or OpenSSH's "+name" (append), "-pattern" (remove),
   * "^name" (put first) forms on our defaults.
   */
  algorithms?: AlgorithmPreferences;
  /** Whole connect (TCP + version + kex + auth) deadline. Default 30 s. */
  readyTimeoutMs?: number;
  /** Per-step deadlines; each expiry is a TimeoutError naming the step. */
  timeouts?: {
    /** TCP connect (default 10 s). */
    connectMs?: number;
    /** Server identification line (default 10 s). */
    versionMs?: number;
    /** Each key exchange, initial or rekey (default 15 s). */
    kexMs?: number;
    /** User authentication (default 20 s: agents and slow key decryption included). */
    authMs?: number;
    /** Each channel open and channel request (default 15 s). */
    channelOpenMs?: number;
  };
  /** Rekey after this many bytes per direction (default and maximum 1 GiB, chacha20-poly1305's limit). */
  rekeyBytes?: number;
  /** Rekey after this much time (default 1 hour; 0 = never on time alone). */
  rekeyIntervalMs?: number;
  /** Most channels open at once (default 256). */
  maxChannels?: number;
  /** Client keepalive: send keepalive@openssh.com every interval when idle; 0 = off (default). */
  keepaliveIntervalMs?: number;
  /** Missed keepalives before the connection is declared lost. Default 3. */
  keepaliveCountMax?: number;
  logger?: Logger;
  /**
   * Read ssh_config as `ssh` does, with `host` as the name typed on the command line (an alias):
   * true = ~/.ssh/config then /etc/ssh/ssh_config (needs a filesystem); `{ path }` = that file only
   * (`ssh -F`); `{ text }` = this text (any runtime). Options given here beat ssh_config, which
   * beats the defaults. See src/ssh/client-config.ts for the keywords applied.
   */
  sshConfig?: boolean | { path: string } | { text: string };
  /** Files, home directory and environment for `sshConfig` (default: the runtime's, where it has one). */
  sshConfigReader?: SshConfigReader;
  /**
   * ProxyJump hops, first to last (like `ssh -J`): each a full SSH connection with its own host key
   * check, carried in a direct-tcpip channel of the one before. A string is `[user@]host[:port]`
   * and uses this call's keys, agent and known_hosts (and, with `sshConfig`, that host's
   * ssh_config); an object gives a hop its own options (unset ones inherited the same way).
   * An explicit `jump` (even `[]`) replaces ssh_config's ProxyJump.
   */
  jump?: Array<string | JumpHostOptions>;
}

/** A ProxyJump hop given as options: ConnectOptions with `host` required and `username` optional. */
export type JumpHostOptions = Omit<ConnectOptions, "host" | "jump" | "stream" | "sshConfig"> & { host: string };

export interface ChannelOptions {
  env?: Record<string, string>;
  /** Request a pseudo-terminal first (only shell/exec). */
  pty?: boolean | { term?: string; cols?: number; rows?: number };
}

export type { ExitStatus, SSHChannel } from "./connection/channel-types.js";
