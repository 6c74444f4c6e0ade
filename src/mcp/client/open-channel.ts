import { SSHClient } from "../../ssh/client.js";
import { POST_QUANTUM_KEX } from "../../ssh/algorithms/kex.js";
import { KeyDecryptionError, KeyFormatError } from "../../ssh/errors.js";
import { fingerprintSha256 } from "../../ssh/keys/fingerprint.js";
import { parsePrivateKey } from "../../ssh/keys/openssh-private-key.js";
import { parsePublicKeyLine } from "../../ssh/keys/public-key.js";
import type { Ed25519PrivateKey } from "../../ssh/keys/ed25519-private-key.js";
import type { Signer } from "../../ssh/keys/signature.js";
import { certificateBeside } from "../../ssh/auth/signers.js";
import type { Logger } from "../../ssh/logger.js";
import type { ConnectOptions, SSHChannel } from "../../ssh/options.js";
import { expandPath, platform } from "../../ssh/platform.js";
import { MCP_SSH_DEFAULTS, type SSHClientTransportOptions } from "./options.js";
import { keyServerClient } from "./key-server-hook.js";

/** An open MCP channel and the connection it runs on. */
export interface OpenedChannel {
  client: SSHClient;
  channel: SSHChannel;
  /** We connected the client, so we close it; a caller's client stays open. */
  ownsClient: boolean;
  /** "host:port" (or "stream"), for log lines. */
  target: string;
}

/**
 * Read and decrypt every client key: the in-memory one first, then the files in order. `signers`
 * is what to offer: each file's `<key>-cert.pub`, when there is one, just before its key, as ssh
 * offers an IdentityFile's certificate; `keys` are the plain keys (what a key server enrolls).
 */
async function loadClientKeys(opts: SSHClientTransportOptions): Promise<{ keys: Ed25519PrivateKey[]; signers: Signer[] }> {
  const keys: Ed25519PrivateKey[] = [];
  const signers: Signer[] = [];
  if (opts.privateKey !== undefined) keys.push(await parsePrivateKey(opts.privateKey, opts.passphrase));
  signers.push(...keys);
  for (const given of opts.clientKeys ?? []) {
    if (!platform.readFile) {
      throw new TypeError("clientKeys needs a filesystem; in this runtime pass the key's contents as `privateKey`");
    }
    const path = expandPath(given);
    let bytes: Uint8Array;
    try {
      bytes = await platform.readFile(path);
    } catch (e) {
      throw new KeyFormatError(`cannot read client key ${path}: ${(e as Error).message}`, { cause: e });
    }
    let key: Ed25519PrivateKey;
    try {
      key = await parsePrivateKey(bytes, opts.passphrase);
    } catch (e) {
      // Keep the class (callers branch on it) and name the file in the message.
      const message = `client key ${path}: ${(e as Error).message}`;
      if (e instanceof KeyDecryptionError) throw new KeyDecryptionError(message, { cause: e });
      throw new KeyFormatError(message, { cause: e });
    }
    keys.push(key);
    const certificate = await certificateBeside(path, key);
    if (certificate) signers.push(certificate);
    signers.push(key);
  }
  return { keys, signers };
}

/** Enroll our keys with the key server; returns the host key fingerprint it vouches for. */
async function hostKeyFromKeyServer(
  opts: SSHClientTransportOptions,
  host: string,
  keys: Ed25519PrivateKey[],
  logger: Logger,
): Promise<string> {
  if (keys.length === 0) throw new KeyFormatError("useKeyServer needs a client key to enroll (clientKeys or privateKey)");
  const enrollWithKeyServer = await keyServerClient();
  const { hostKeyLine } = await enrollWithKeyServer({
    host,
    keyServerPort: opts.keyServerPort ?? MCP_SSH_DEFAULTS.keyServerPort,
    keyServerUrl: opts.keyServerUrl,
    token: opts.keyServerToken,
    caPath: opts.keyServerCa,
    allowHttp: opts.allowHttpKeyServer,
    clientPublicKeyLines: keys.map((k) => k.publicKeyLine()),
    logger,
  });
  const fingerprint = fingerprintSha256(parsePublicKeyLine(hostKeyLine).blob);
  logger.info(`key server: enrolled ${keys.length} client key(s); pinning host key ${fingerprint}`);
  return fingerprint;
}

/** SSHClient.connect options for these transport options (keys read, key server consulted). */
export async function connectOptionsFor(opts: SSHClientTransportOptions, logger: Logger): Promise<ConnectOptions> {
  const host = opts.host ?? MCP_SSH_DEFAULTS.host;
  const port = opts.port ?? MCP_SSH_DEFAULTS.port;
  const { keys, signers } = await loadClientKeys(opts);
  const options: ConnectOptions = {
    keepaliveIntervalMs: MCP_SSH_DEFAULTS.keepaliveIntervalMs,
    keepaliveCountMax: MCP_SSH_DEFAULTS.keepaliveCountMax,
    ...opts.connect,
    host,
    port,
    stream: opts.stream,
    username: opts.username ?? MCP_SSH_DEFAULTS.username,
    signers: [...signers, ...(opts.connect?.signers ?? [])],
    logger,
  };
  if (opts.useKeyServer) {
    // The key server's answer is the only trust anchor: no known_hosts file is written or read.
    options.hostKeyFingerprints = [await hostKeyFromKeyServer(opts, host, keys, logger)];
  } else {
    if (opts.knownHosts !== undefined) options.knownHostsPath = opts.knownHosts;
    if (opts.knownHostsText !== undefined) options.knownHosts = opts.knownHostsText;
    if (opts.hostKeyFingerprints !== undefined) options.hostKeyFingerprints = opts.hostKeyFingerprints;
  }
  if (opts.disableHostKeyChecking && opts.useKeyServer) {
    // As the reference does: the key server's host key is the point of the flow, so it stays pinned.
    logger.warn("--disable-host-key-checking is ignored with --use-key-server: the key server's host key is pinned");
  } else if (opts.disableHostKeyChecking) {
    options.hostKeyPolicy = "no";
  }
  return options;
}

/**
 * Say which key exchange protects this session, and warn when the server offered no post-quantum
 * method (as OpenSSH 10.1 does): such traffic, recorded today, may be decrypted by a quantum
 * computer later.
 */
export function reportKex(client: SSHClient, logger: Logger): void {
  const { kex, cipher } = client.algorithms;
  logger.info(`key exchange ${kex}, cipher ${cipher.clientToServer}`);
  if (!client.serverKexAlgorithms.some((a) => POST_QUANTUM_KEX.has(a))) {
    logger.warn(
      "the server offers no post-quantum key exchange: this connection may be recorded and decrypted later by a quantum computer; upgrade the server to OpenSSH 9.0 or later",
    );
  }
}

/** Connect (unless given a client) and open the session channel the MCP server runs on. */
export async function openMcpChannel(opts: SSHClientTransportOptions, logger: Logger): Promise<OpenedChannel> {
  if (opts.command !== undefined && opts.subsystem !== undefined) {
    throw new TypeError("pass either `command` or `subsystem`, not both");
  }
  const target = opts.stream ? "stream" : `${opts.host ?? MCP_SSH_DEFAULTS.host}:${opts.port ?? MCP_SSH_DEFAULTS.port}`;
  const ownsClient = opts.client === undefined;
  const client = opts.client ?? (await SSHClient.connect(await connectOptionsFor(opts, logger)));
  if (ownsClient) reportKex(client, logger);
  try {
    const channelOpts = { env: opts.env };
    let channel: SSHChannel;
    if (opts.subsystem !== undefined) {
      channel = await client.subsystem(opts.subsystem, channelOpts);
    } else if (opts.command !== undefined) {
      channel = await client.exec(opts.command, channelOpts);
    } else {
      // The reference's server (and a ForceCommand setup) expects a plain shell request.
      channel = await client.shell(channelOpts);
    }
    return { client, channel, ownsClient, target };
  } catch (e) {
    if (ownsClient) await client.close().catch(() => {});
    throw e;
  }
}
