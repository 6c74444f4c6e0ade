import { DISCONNECT_REASON, MSG } from "./messages.js";
import { ConnectionLostError, SSHError, TimeoutError } from "./errors.js";
import type { ByteStream } from "./io/byte-stream.js";
import { silentLogger, type Logger } from "./logger.js";
import type { ChannelOptions, ConnectOptions, SSHChannel } from "./options.js";
import { platform } from "./platform.js";
import { withTimeout } from "./deferred.js";
import { Inbox } from "./inbox.js";
import { offeredAlgorithms } from "./algorithms/offer.js";
import { CLIENT_ROLE } from "./transport/role.js";
import { SessionRouter } from "./session/router.js";
import type { NegotiatedAlgorithms } from "./transport/key-exchange.js";
import { prepareCiphers } from "./cipher/select.js";
import { Transport } from "./transport/transport.js";
import { disconnectDescription, disconnectReasonFor } from "./transport/transport-messages.js";
import { CLIENT_VERSION_PREFIX } from "./transport/version.js";
import { authenticate } from "./auth/userauth.js";
import { loadSigners } from "./auth/signers.js";
import { hostKeyChecker } from "./host-trust.js";
import { Connection } from "./connection/connection.js";
import { clientSessionRequests } from "./connection/session-requests-client.js";
import type { Channel } from "./connection/channel.js";
import { openDirectTcpip, type ForwardOutOptions, type ForwardedStream } from "./connection/direct-tcpip.js";
import { needsPlanning } from "./jump-spec.js";
import type { PlannedConnection } from "./jump.js";
import type { ResolvedSshConfig } from "./config/resolve.js";
import { fingerprintSha256 } from "./keys/fingerprint.js";
import { decodePublicBlob } from "./keys/public-key.js";
import { VERSION } from "./version.js";

/** How many session channels in a row the server may close unused before exec/shell/subsystem gives up. */
const UNUSED_CHANNEL_RETRIES = 3;

const DEFAULTS = {
  port: 22,
  readyTimeoutMs: 30_000,
  connectMs: 10_000,
  versionMs: 10_000,
  kexMs: 15_000,
  authMs: 20_000,
  channelOpenMs: 15_000,
  rekeyBytes: 1024 ** 3,
  rekeyPackets: 2 ** 31,
  rekeyIntervalMs: 3_600_000,
  maxChannels: 256,
  keepaliveCountMax: 3,
};

/**
 * An SSH-2 client connection: transport, user authentication and the connection protocol, with
 * session channels (exec, shell, subsystem) as Web Streams.
 */
export class SSHClient {
  private readonly transport: Transport;
  private readonly connection: Connection;
  private readonly channelTimeoutMs: number;
  private readonly logger: Logger;
  private jumps: SSHClient[] = [];
  private resolvedConfig: ResolvedSshConfig | undefined;
  private envFromConfig: Record<string, string> = {};

  private constructor(transport: Transport, connection: Connection, channelTimeoutMs: number, logger: Logger) {
    this.transport = transport;
    this.connection = connection;
    this.channelTimeoutMs = channelTimeoutMs;
    this.logger = logger;
  }

  static async connect(options: ConnectOptions): Promise<SSHClient> {
    // ssh_config and jump hosts (src/ssh/jump.ts) come back here for each direct connection.
    // Loaded only then: most connections (every direct one from a browser) never need that code.
    if (needsPlanning(options)) {
      const { connectPlanned } = await import("./jump.js");
      return SSHClient.adopt(await connectPlanned(options, (o) => SSHClient.connect(o)));
    }
    const logger = options.logger ?? silentLogger;
    const t = options.timeouts ?? {};
    let step = "connect";
    const algorithms = offeredAlgorithms(options.algorithms);
    // Keys are read (and decrypted) before any network traffic: a wrong passphrase fails fast.
    /** Identities we hold and cannot use (the agent's), for AuthenticationError. */
    const skipped: string[] = [];
    const signers = await loadSigners(options, logger, skipped);
    const checkHostKey = await hostKeyChecker(options, logger);
    let transport: Transport | undefined;
    // The WebAssembly cipher compiles while TCP connects; it must be ready before the first NEWKEYS.
    const ciphersReady = prepareCiphers();
    const run = async (): Promise<SSHClient> => {
      const stream = await openStream(options, t.connectMs ?? DEFAULTS.connectMs);
      await ciphersReady;
      step = "version exchange";
      const inbox = new Inbox();
      let connection: Connection | undefined;
      transport = new Transport({
        stream,
        role: CLIENT_ROLE,
        version: CLIENT_VERSION_PREFIX + VERSION,
        algorithms,
        checkHostKey: async (key) => {
          step = "host key verification";
          await checkHostKey(key);
          step = "key exchange";
        },
        logger,
        versionTimeoutMs: t.versionMs ?? DEFAULTS.versionMs,
        kexTimeoutMs: t.kexMs ?? DEFAULTS.kexMs,
        rekeyBytes: Math.min(options.rekeyBytes ?? DEFAULTS.rekeyBytes, DEFAULTS.rekeyBytes),
        rekeyPackets: DEFAULTS.rekeyPackets,
        rekeyIntervalMs: options.rekeyIntervalMs ?? DEFAULTS.rekeyIntervalMs,
      });
      const tr = transport;
      const router = new SessionRouter({
        auth: inbox,
        successFromPeer: true,
        // Built the moment USERAUTH_SUCCESS passes, so channel messages in the same read find it.
        onAuthenticated: () =>
          (connection = new Connection({
            send: (p) => tr.send(p),
            sendFramed: (l, f) => tr.sendFramed(l, f),
            fail: (e) => tr.fail(e),
            logger,
            peer: "server",
            channelRequests: clientSessionRequests,
            channelOpenTimeoutMs: t.channelOpenMs ?? DEFAULTS.channelOpenMs,
            maxChannels: options.maxChannels ?? DEFAULTS.maxChannels,
            keepaliveIntervalMs: options.keepaliveIntervalMs ?? 0,
            keepaliveCountMax: options.keepaliveCountMax ?? DEFAULTS.keepaliveCountMax,
          })),
        unimplemented: (seq) => tr.sendUnimplemented(seq),
        logger,
      });
      tr.onMessage = (payload, seq) => {
        connection?.noteTraffic();
        return router.route(payload, seq);
      };
      tr.onClose = (error) => {
        const e = error ?? new ConnectionLostError("connection closed by the client");
        inbox.fail(e);
        connection?.fail(e);
        if (error) logger.debug(`connection ended: ${error.message}`);
      };
      step = "key exchange";
      await tr.start();
      step = "authentication";
      await withTimeout(
        authenticate({
          send: (p) => tr.send(p),
          inbox,
          sessionId: tr.sessionId!,
          username: options.username!,
          signers,
          publicKeyAlgorithms: algorithms.publicKey,
          serverSigAlgs: () => tr.peerSigAlgs,
          password: options.password,
          keyboardInteractive: options.keyboardInteractive,
          skipped,
          logger,
        }),
        t.authMs ?? DEFAULTS.authMs,
        () => new TimeoutError("authentication", t.authMs ?? DEFAULTS.authMs),
      );
      if (tr.closed) throw tr.error ?? new ConnectionLostError("connection closed during authentication");
      inbox.fail(new ConnectionLostError("authentication is over"));
      return new SSHClient(tr, connection!, t.channelOpenMs ?? DEFAULTS.channelOpenMs, logger);
    };
    const readyMs = options.readyTimeoutMs ?? DEFAULTS.readyTimeoutMs;
    try {
      return await withTimeout(run(), readyMs, () => {
        // tr.start() spans both steps: until the server's identification arrives, it is the version exchange.
        const at = step === "key exchange" && transport?.peerVersion === "" ? "version exchange" : step;
        return new TimeoutError(`${at} (readyTimeoutMs)`, readyMs);
      });
    } catch (e) {
      const error = e instanceof SSHError ? e : new ConnectionLostError(`connect to ${describe(options)} failed: ${(e as Error)?.message ?? e}`, { cause: e });
      // The transport's own mapping; null (the peer ended it) needs no reason, the transport is closed.
      await transport?.disconnect(disconnectReasonFor(error) ?? DISCONNECT_REASON.BY_APPLICATION, disconnectDescription(error));
      if (!transport) logger.debug(`connect failed: ${error.message}`);
      throw error;
    }
  }

  private static adopt(planned: PlannedConnection<SSHClient>): SSHClient {
    const client = planned.client;
    client.jumps = planned.hops;
    client.resolvedConfig = planned.config;
    client.envFromConfig = planned.env;
    // However this connection ends, the hops it ran through end with it.
    if (planned.hops.length > 0) void client.whenClosed.then(() => closeJumpHosts(planned.hops));
    return client;
  }

  /** The ProxyJump hosts this connection runs through, first hop first (empty when direct). */
  get jumpHosts(): readonly SSHClient[] {
    return this.jumps;
  }

  /** What ssh_config resolved to, when connected with `sshConfig`. */
  get sshConfig(): ResolvedSshConfig | undefined {
    return this.resolvedConfig;
  }

  /** ssh_config's SendEnv (matching local variables) and SetEnv, for the `env` of exec/shell/subsystem. */
  get configEnv(): Record<string, string> {
    return { ...this.envFromConfig };
  }

  /** The server's identification string. */
  get serverVersion(): string {
    return this.transport.peerVersion;
  }

  /** The key-exchange methods the server offered (to tell whether it can do post-quantum ones). */
  get serverKexAlgorithms(): string[] {
    return this.transport.peerKexAlgorithms;
  }

  /** What the last key exchange negotiated (the MAC is null for AEAD ciphers). */
  get algorithms(): NegotiatedAlgorithms {
    return this.transport.algorithms!;
  }

  /** The server's host key, as verified in the first key exchange. */
  get hostKey(): { type: string; fingerprint: string; blob: Uint8Array } {
    const blob = this.transport.hostKeyBlob!;
    return { type: decodePublicBlob(blob).type, fingerprint: fingerprintSha256(blob), blob };
  }

  /** Completed key exchanges, the initial one included. */
  get kexCount(): number {
    return this.transport.kexCount;
  }

  get closed(): boolean {
    return this.transport.closed;
  }

  /** Why the connection ended, when it ended with an error (null while open or after close()). */
  get error(): Error | null {
    return this.transport.error;
  }

  /** Resolves when the connection has ended, for whatever reason. */
  get whenClosed(): Promise<void> {
    return this.transport.whenClosed;
  }

  exec(command: string, opts: ChannelOptions = {}): Promise<SSHChannel> {
    return this.session(opts, (c) => c.mustRequest("exec", `command ${JSON.stringify(command)}`, (w) => w.string(command)));
  }

  shell(opts: ChannelOptions = {}): Promise<SSHChannel> {
    return this.session(opts, (c) => c.mustRequest("shell", "shell request"));
  }

  subsystem(name: string, opts: ChannelOptions = {}): Promise<SSHChannel> {
    return this.session(opts, (c) => c.mustRequest("subsystem", `subsystem "${name}" (is it configured on the server?)`, (w) => w.string(name)));
  }

  /**
   * A TCP connection from the server to host:port (a direct-tcpip channel, RFC 4254 §7.2), as a
   * ByteStream with the channel's flow control. `writable.close()` sends EOF (half-close);
   * `close()` closes the channel. A refusal is a ChannelOpenError with the server's reason.
   */
  forwardOut(host: string, port: number, opts: ForwardOutOptions = {}): Promise<ForwardedStream> {
    return openDirectTcpip(this.connection, host, port, opts);
  }

  /** Start a key exchange now; resolves when it completes. */
  rekey(): Promise<void> {
    return this.transport.rekey();
  }

  /** Send DISCONNECT, end every channel and close the socket. Calling it again is harmless. */
  async close(): Promise<void> {
    await this.transport.disconnect();
    await closeJumpHosts(this.jumps);
  }

  private async session(opts: ChannelOptions, start: (c: Channel) => Promise<void>): Promise<SSHChannel> {
    for (let attempt = 1; ; attempt++) {
      const channel = await this.connection.openSession();
      try {
        await withTimeout(this.prepare(channel, opts, start), this.channelTimeoutMs, () => new TimeoutError("channel request", this.channelTimeoutMs));
        return channel;
      } catch (e) {
        void channel.close();
        // Closed by the server before any request of ours: nothing ran, so another channel is
        // safe (see Channel.closedUnused). Anything later is not retried: the command may have run.
        if (!channel.closedUnused || attempt >= UNUSED_CHANNEL_RETRIES) throw e;
        this.logger.debug(`the server closed session channel ${channel.localId} before its first request; opening another`);
      }
    }
  }

  private async prepare(channel: Channel, opts: ChannelOptions, start: (c: Channel) => Promise<void>): Promise<void> {
    if (opts.pty) {
      const p = opts.pty === true ? {} : opts.pty;
      await channel.mustRequest("pty-req", "pseudo-terminal", (w) =>
        w.string(p.term ?? "xterm-256color").uint32(p.cols ?? 80).uint32(p.rows ?? 24).uint32(0).uint32(0).string(new Uint8Array([0])),
      );
    }
    for (const [name, value] of Object.entries(opts.env ?? {})) {
      // Like OpenSSH's SendEnv: no reply wanted; sshd drops names its AcceptEnv does not list.
      await channel.request("env", false, (w) => w.string(name).string(value));
    }
    await start(channel);
    this.logger.debug(`channel ${channel.localId} started`);
  }
}

async function openStream(options: ConnectOptions, timeoutMs: number): Promise<ByteStream> {
  if (options.stream) return options.stream;
  if (!options.host) throw new TypeError("SSHClient.connect needs `host` (or a ready `stream`)");
  const connectTcp = platform.connectTcp;
  if (!connectTcp) throw new TypeError("this runtime has no TCP: pass a `stream` (e.g. a WebSocket through `mcp-ssh relay`)");
  const controller = new AbortController();
  const port = options.port ?? DEFAULTS.port;
  return withTimeout(connectTcp(options.host, port, { signal: controller.signal }), timeoutMs, () => {
    // The aborted connect rejects first, with the signal's reason: make that the TimeoutError.
    const error = new TimeoutError(`connect to ${options.host}:${port}`, timeoutMs);
    controller.abort(error);
    return error;
  }).catch((e: unknown) => {
    if (e instanceof SSHError) throw e;
    throw new ConnectionLostError(`cannot connect to ${options.host}:${port}: ${(e as Error)?.message ?? e}`, { cause: e });
  });
}

function describe(o: ConnectOptions): string {
  return o.host ? `${o.host}:${o.port ?? DEFAULTS.port}` : "stream";
}


/** Close the hops a connection ran through (jump.ts is loaded already whenever there are any). */
async function closeJumpHosts(hops: readonly SSHClient[]): Promise<void> {
  if (hops.length === 0) return;
  const { closeHops } = await import("./jump.js");
  await closeHops(hops);
}
