/**
 * ssh_config applied to SSHClient.connect: `host` is resolved as `ssh` resolves the name typed on
 * its command line, and the result fills in every option the caller left unset (an explicit
 * option beats ssh_config, which beats the defaults).
 *
 * Keywords applied: HostName, Port, User, IdentityFile (the files that exist and we can use),
 * IdentitiesOnly, IdentityAgent, UserKnownHostsFile (the first is where accept-new records a
 * host; the others are read), GlobalKnownHostsFile (read), StrictHostKeyChecking (yes,
 * accept-new, no; ask refuses an unknown host, since no terminal is ours), HashKnownHosts,
 * ProxyJump, ConnectTimeout, ServerAliveInterval/ServerAliveCountMax (keepalive), KexAlgorithms,
 * Ciphers, MACs, HostKeyAlgorithms, PubkeyAcceptedAlgorithms (OpenSSH's +, -, ^ forms and
 * wildcards; names we do not implement drop out), RekeyLimit, SendEnv/SetEnv (exposed as
 * `client.configEnv` for exec/shell/subsystem `env`), ProxyCommand (run by the runtime's
 * `platform.proxyCommand`; refused with advice where there is none, as in browsers),
 * CertificateFile (and `<IdentityFile>-cert.pub`). HostKeyAlias is not applied yet.
 */
import { ConfigurationError, KeyDecryptionError } from "./errors.js";
import type { Logger } from "./logger.js";
import type { ConnectOptions } from "./options.js";
import { platform } from "./platform.js";
import { fromUtf8, equalBytes } from "./wire/bytes.js";
import { applyAlgorithmModifier } from "./config/algorithms.js";
import { matchPattern } from "./config/patterns.js";
import { memorySshConfigReader, type SshConfigReader } from "./config/reader.js";
import { resolveSshConfig, type JumpHop, type ResolvedSshConfig } from "./config/resolve.js";
import type { AlgorithmTable } from "./algorithms/table.js";
import { kexMethods } from "./algorithms/kex.js";
import { ciphers } from "./algorithms/ciphers.js";
import { macs } from "./algorithms/macs.js";
import { hostKeyAlgorithms, publicKeyAlgorithms } from "./algorithms/host-keys.js";
import type { Signer } from "./keys/signature.js";
import { inspectPrivateKey, parsePrivateKey } from "./keys/openssh-private-key.js";
import { parsePublicKeyLine } from "./keys/public-key.js";
import { certifiedSigner } from "./keys/private-key.js";
import { parseCertificate } from "./keys/certificate.js";

export interface AppliedSshConfig {
  /** The options to connect with: the caller's, completed from ssh_config (no `sshConfig` left). */
  options: ConnectOptions & { host: string; port: number; username: string };
  config: ResolvedSshConfig;
  /** ProxyJump hops from ssh_config (undefined: none, or the caller gave `jump`). */
  jump?: JumpHop[];
  /** SendEnv (local variables matching its patterns) and SetEnv, SetEnv winning. */
  env: Record<string, string>;
  /** ProxyCommand (tokens expanded) to carry this connection; the runtime can run it. */
  proxyCommand?: string;
}

/** Resolve `options.host` with the ssh_config that `options.sshConfig` names and apply it. */
export async function applySshConfig(options: ConnectOptions, logger: Logger): Promise<AppliedSshConfig> {
  const spec = options.sshConfig;
  if (!spec) throw new TypeError("applySshConfig needs options.sshConfig");
  if (!options.host) throw new TypeError("sshConfig needs `host`: the name (alias) to look up, as typed after `ssh`");
  const reader = configReader(options, spec);
  let config: ResolvedSshConfig;
  try {
    config = resolveSshConfig(options.host, {
      reader,
      ...(typeof spec === "object" && "text" in spec ? { text: spec.text } : {}),
      ...(typeof spec === "object" && "path" in spec ? { files: [spec.path] } : {}),
      ...(options.username !== undefined ? { user: options.username } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
    });
  } catch (e) {
    throw new ConfigurationError(`ssh_config for "${options.host}": ${(e as Error).message}`, { cause: e });
  }
  for (const note of config.notes) logger.debug(`ssh_config: ${note}`);
  logger.debug(`ssh_config: "${config.host}" is ${config.user}@${config.hostName}:${config.port}`);
  // ProxyCommand carries the connection unless a jump or a stream of the caller's does (the
  // caller's `jump` is ssh's -J, which comes first); the caller starts it (connectPlanned).
  const proxyCommand =
    config.proxyCommand !== undefined && config.proxyJump === undefined && options.jump === undefined && !options.stream
      ? config.proxyCommand
      : undefined;
  if (proxyCommand !== undefined && !platform.proxyCommand) {
    throw new ConfigurationError(
      `ssh_config for "${options.host}" sets ProxyCommand (${proxyCommand}), which this runtime cannot run (no processes): use ProxyJump in the config, or the \`jump\` or \`stream\` option`,
    );
  }

  const o: ConnectOptions & { host: string; port: number; username: string } = {
    ...options,
    host: config.hostName,
    port: config.port,
    username: config.user,
  };
  delete o.sshConfig;
  delete o.sshConfigReader;

  // Identities: the caller's keys, if any, replace IdentityFile (an explicit -i with IdentitiesOnly).
  const explicitKeys = options.privateKey !== undefined || options.privateKeyPath !== undefined;
  const identities = explicitKeys ? { signers: [], publicBlobs: [] } : await loadIdentityFiles(config.identityFile, config.certificateFile, options.passphrase, logger);
  if (options.agent === undefined) {
    const agent = agentFromConfig(config.identityAgent);
    if (agent === false) o.agent = false;
    else if (agent !== undefined) {
      if (config.identitiesOnly && !explicitKeys && platform.agentSigners) {
        // IdentitiesOnly: only agent keys that are one of the IdentityFile keys (encrypted files
        // whose key sits unlocked in the agent).
        try {
          const fromAgent = await platform.agentSigners(agent);
          identities.signers.push(...fromAgent.filter((s) => identities.publicBlobs.some((b) => equalBytes(b, s.publicBlob))));
        } catch (e) {
          logger.debug(`ssh_config: agent not usable: ${(e as Error).message}`);
        }
      } else {
        o.agent = agent;
      }
    }
  }
  if (identities.signers.length > 0) {
    // The caller's signers first, then IdentityFile's: `ssh -i K` offers K before the config's
    // IdentityFile keys (`ssh -G -i K` lists it first).
    const own = options.signers ?? [];
    o.signers = [...own, ...identities.signers.filter((s) => !own.some((x) => equalBytes(x.publicBlob, s.publicBlob)))];
  }

  // Host trust: the caller's known_hosts or pins replace the config's files.
  const explicitTrust =
    options.knownHosts !== undefined || options.knownHostsPath !== undefined || options.hostKeyFingerprints !== undefined || options.hostVerifier !== undefined;
  if (!explicitTrust) {
    const [first, ...more] = config.userKnownHostsFile;
    if (first !== undefined) o.knownHostsPath = first;
    const extra = await readExisting([...more, ...config.globalKnownHostsFile], logger);
    if (extra !== "") o.knownHosts = extra;
  }
  if (options.hostKeyPolicy === undefined) {
    // "ask" (the default) needs a terminal we do not have: an unknown host is refused, as "yes".
    o.hostKeyPolicy = config.strictHostKeyChecking === "ask" ? "yes" : config.strictHostKeyChecking;
  }
  o.hashKnownHosts ??= config.hashKnownHosts;

  o.algorithms = {
    kex: options.algorithms?.kex ?? fromConfig(kexMethods, config.kexAlgorithms, "KexAlgorithms", logger),
    cipher: options.algorithms?.cipher ?? fromConfig(ciphers, config.ciphers, "Ciphers", logger),
    mac: options.algorithms?.mac ?? fromConfig(macs, config.macs, "MACs", logger),
    hostKey: options.algorithms?.hostKey ?? fromConfig(hostKeyAlgorithms, config.hostKeyAlgorithms, "HostKeyAlgorithms", logger),
    publicKey: options.algorithms?.publicKey ?? fromConfig(publicKeyAlgorithms, config.pubkeyAcceptedAlgorithms, "PubkeyAcceptedAlgorithms", logger),
  };
  for (const k of Object.keys(o.algorithms) as (keyof typeof o.algorithms)[]) if (o.algorithms[k] === undefined) delete o.algorithms[k];

  if (config.connectTimeout !== undefined && config.connectTimeout > 0 && options.timeouts?.connectMs === undefined) {
    o.timeouts = { ...options.timeouts, connectMs: config.connectTimeout * 1000 };
  }
  if (options.keepaliveIntervalMs === undefined && config.serverAliveInterval > 0) o.keepaliveIntervalMs = config.serverAliveInterval * 1000;
  o.keepaliveCountMax ??= config.serverAliveCountMax;
  if (options.rekeyBytes === undefined && config.rekeyLimit.bytes > 0) o.rekeyBytes = config.rekeyLimit.bytes;
  if (options.rekeyIntervalMs === undefined && config.rekeyLimit.seconds > 0) o.rekeyIntervalMs = config.rekeyLimit.seconds * 1000;

  const applied: AppliedSshConfig = { options: o, config, env: configEnv(config, reader), ...(proxyCommand !== undefined ? { proxyCommand } : {}) };
  if (options.jump === undefined && config.proxyJump !== undefined && !options.stream) applied.jump = config.proxyJump;
  return applied;
}

function configReader(options: ConnectOptions, spec: NonNullable<ConnectOptions["sshConfig"]>): SshConfigReader {
  if (options.sshConfigReader) return options.sshConfigReader;
  const fromRuntime = platform.sshConfigReader?.();
  if (fromRuntime) return fromRuntime;
  if (typeof spec === "object" && "text" in spec) {
    // No filesystem: Include finds nothing, `~` is "/", the local user is unknown.
    return { ...memorySshConfigReader(), env: platform.env };
  }
  throw new TypeError("sshConfig: this runtime has no filesystem to read ssh_config from: pass `sshConfig: { text }` (or a `sshConfigReader`)");
}

/** IdentityAgent: undefined = the caller's default; "none" = no agent. */
function agentFromConfig(value: string | undefined): string | boolean | undefined {
  if (value === undefined) {
    // OpenSSH uses $SSH_AUTH_SOCK's agent unless told otherwise.
    return platform.agentSigners && platform.env?.("SSH_AUTH_SOCK") ? true : undefined;
  }
  if (value.toLowerCase() === "none") return false;
  if (value === "SSH_AUTH_SOCK") return true;
  if (value.startsWith("$")) {
    const socket = platform.env?.(value.slice(1));
    return socket ? socket : undefined;
  }
  return value;
}

/**
 * The IdentityFile keys we can use now, in order. Missing files are skipped (OpenSSH's defaults
 * mostly do not exist); an encrypted key without the passphrase, or a type we do not support, is
 * skipped with a note, its public key kept so that the agent's copy may still be used.
 */
async function loadIdentityFiles(
  paths: string[],
  certificatePaths: string[],
  passphrase: string | undefined,
  logger: Logger,
): Promise<{ signers: Signer[]; publicBlobs: Uint8Array[] }> {
  const signers: Signer[] = [];
  const publicBlobs: Uint8Array[] = [];
  const read = platform.readFile;
  if (!read) {
    if (paths.length > 0) logger.debug("ssh_config: IdentityFile ignored (no filesystem in this runtime)");
    return { signers, publicBlobs };
  }
  for (const path of paths) {
    let bytes: Uint8Array;
    try {
      bytes = await read(path);
    } catch (e) {
      logger.debug(`ssh_config: IdentityFile ${path}: ${(e as { code?: string }).code === "ENOENT" ? "no such file" : (e as Error).message}`);
      // The agent may hold the key of a missing private file whose .pub is there.
      const pub = await read(`${path}.pub`).catch(() => null);
      if (pub) {
        try {
          publicBlobs.push(parsePublicKeyLine(fromUtf8(pub).trim()).blob);
        } catch {
          /* not a key we know */
        }
      }
      continue;
    }
    try {
      publicBlobs.push(inspectPrivateKey(bytes).publicBlob);
      signers.push(await parsePrivateKey(bytes, passphrase));
      logger.debug(`ssh_config: IdentityFile ${path} loaded`);
    } catch (e) {
      const why = e instanceof KeyDecryptionError ? "encrypted, and no (or a wrong) passphrase was given" : (e as Error).message;
      logger.warn(`ssh_config: IdentityFile ${path} not used: ${why}`);
    }
  }
  // Certificates: CertificateFile's, then each key's `<IdentityFile>-cert.pub`, as ssh(1) looks
  // for them; each is offered just before the key it certifies (ssh_config(5) CertificateFile).
  const certificates: Array<{ path: string; required: boolean }> = [
    ...certificatePaths.map((path) => ({ path, required: true })),
    ...paths.map((path) => ({ path: `${path}-cert.pub`, required: false })),
  ];
  for (const { path, required } of certificates) {
    let line: string;
    try {
      line = fromUtf8(await read(path)).trim().split("\n")[0]!;
    } catch {
      if (required) logger.warn(`ssh_config: CertificateFile ${path} not read (missing)`);
      continue;
    }
    try {
      const blob = parsePublicKeyLine(line).blob;
      const certifiedKey = parseCertificate(blob).publicBlob;
      const plain = signers.find((s) => equalBytes(s.publicBlob, certifiedKey));
      if (!plain) {
        if (required) logger.warn(`ssh_config: CertificateFile ${path} certifies none of the IdentityFile keys; not used`);
        continue;
      }
      if (signers.some((s) => equalBytes(s.publicBlob, blob))) continue;
      signers.splice(signers.indexOf(plain), 0, certifiedSigner(plain, blob));
      logger.debug(`ssh_config: certificate ${path} loaded`);
    } catch (e) {
      logger.warn(`ssh_config: certificate ${path} not used: ${(e as Error).message}`);
    }
  }
  return { signers, publicBlobs };
}


async function readExisting(paths: string[], logger: Logger): Promise<string> {
  const read = platform.readFile;
  if (!read) return "";
  const texts: string[] = [];
  for (const path of paths) {
    try {
      texts.push(fromUtf8(await read(path)));
    } catch {
      logger.debug(`ssh_config: known hosts file ${path} not read (missing)`);
    }
  }
  return texts.join("\n");
}

/** An ssh_config algorithm value as an exact list over what we implement. */
function fromConfig(table: AlgorithmTable<unknown>, value: string | undefined, keyword: string, logger: Logger): string[] | undefined {
  if (value === undefined) return undefined;
  try {
    const list = applyAlgorithmModifier(table.defaults, value, table.names);
    logger.debug(`ssh_config: ${keyword} ${value} -> ${list.join(",")}`);
    return list;
  } catch (e) {
    if (table === macs) {
      // A MAC list naming only MACs we lack leaves the AEAD ciphers, which need none.
      logger.debug(`ssh_config: ${keyword} ${value} names no MAC we implement; only AEAD ciphers remain usable`);
      return [];
    }
    throw new ConfigurationError(`ssh_config ${keyword} ${value}: ${(e as Error).message} (we implement: ${table.names.join(", ")})`);
  }
}

function configEnv(config: ResolvedSshConfig, reader: SshConfigReader): Record<string, string> {
  const env: Record<string, string> = {};
  const get = reader.env ?? platform.env;
  if (config.sendEnv.length > 0 && get) {
    const patterns = config.sendEnv.filter((p) => !p.startsWith("-"));
    const literal = patterns.filter((p) => !/[*?]/.test(p));
    const names = new Set([...literal, ...(platform.envNames?.() ?? [])]);
    for (const name of names) {
      if (!patterns.some((p) => matchPattern(name, p))) continue;
      const value = get(name);
      if (value !== undefined) env[name] = value;
    }
  }
  for (const [name, value] of config.setEnv) env[name] = value;
  return env;
}
