/**
 * The server composition root (beside client.ts; neither imports the other): per connection a
 * Transport in the server role signing with our host keys, the session router, server userauth
 * (publickey only, through an authorize callback and/or authorized_keys files read on every login)
 * and the role-neutral Connection accepting session channels. Limits are sshd's: MaxStartups
 * (unauthenticated connections; new ones beyond are dropped), LoginGraceTime, MaxAuthTries,
 * MaxSessions, and a cap on all connections.
 */
import { DISCONNECT_REASON, OPEN_FAILURE } from "./messages.js";
import { ConfigurationError, ConnectionLostError, DisconnectError, TimeoutError } from "./errors.js";
import type { ByteStream } from "./io/byte-stream.js";
import type { IncomingConnection, Listener } from "./io/listener.js";
import { silentLogger, type Logger } from "./logger.js";
import { platform, expandPath } from "./platform.js";
import { offeredAlgorithms, type AlgorithmPreferences } from "./algorithms/offer.js";
import { hostKeyAlgorithms, publicKeyAlgorithms } from "./algorithms/host-keys.js";
import { prepareCiphers } from "./cipher/select.js";
import { SERVER_ROLE } from "./transport/role.js";
import { Transport } from "./transport/transport.js";
import { SessionRouter } from "./session/router.js";
import { Connection, type IncomingChannelHandler } from "./connection/connection.js";
import { serverSessionRequests, ServerSession } from "./connection/session-requests-server.js";
import { ServerUserauth, type AuthGrant, type AuthenticatedUser, type PublicKeyAttempt } from "./auth/server/userauth.js";
import { authorizeFromAuthorizedKeys, type AuthorizedKeysSource } from "./auth/server/authorized-keys-policy.js";
import type { ServerHostKey } from "./kex/kex-method.js";
import type { Signer } from "./keys/signature.js";
import { parsePrivateKey } from "./keys/openssh-private-key.js";
import { fingerprintSha256 } from "./keys/fingerprint.js";
import { fromUtf8 } from "./wire/bytes.js";
import { safePeerText } from "./wire/peer-text.js";
import { VERSION } from "./version.js";
import { DEFAULT_MAX_STARTUPS, dropStartup, formatMaxStartups, maxStartupsOf, startupRandom, type MaxStartups } from "./max-startups.js";

export const SERVER_VERSION_PREFIX = "SSH-2.0-mcp_ssh_";

export const SERVER_DEFAULTS = {
  maxStartups: DEFAULT_MAX_STARTUPS,
  loginGraceTimeMs: 30_000,
  maxAuthTries: 6,
  maxSessions: 10,
  maxConnections: 100,
  kexMs: 30_000,
  rekeyBytes: 1024 ** 3,
  rekeyPackets: 2 ** 31,
  rekeyIntervalMs: 3_600_000,
} as const;

/** Who is at the other end of a connection. */
export interface PeerInfo {
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
}

/** A public key the client offers, with where it comes from; the callback decides. */
export type ServerAuthorize = (attempt: PublicKeyAttempt & PeerInfo) => AuthGrant | null | false | Promise<AuthGrant | null | false>;

/** A session the client started (shell, exec or subsystem), with who started it. */
export interface ServerSessionContext {
  session: ServerSession;
  user: AuthenticatedUser;
  peer: PeerInfo;
  logger: Logger;
}

export interface SSHServerOptions {
  /** Host keys: Signers, or OpenSSH private key file contents (unencrypted). At least one. */
  hostKeys: Array<Signer | string | Uint8Array>;
  /** The only login name accepted (sshd's AllowUsers with one name); absent = any name. */
  username?: string;
  /** Decide on a public key (with or without authorized_keys files). */
  authorize?: ServerAuthorize;
  /** authorized_keys files, read on every login through the platform's readFile. */
  authorizedKeysFiles?: string[];
  /** TrustedUserCAKeys files: CA public keys whose user certificates log in (principal = the login name). */
  trustedUserCaKeysFiles?: string[];
  /**
   * A session started: return true to accept (CHANNEL_SUCCESS), false or a message to refuse
   * (CHANNEL_FAILURE; the message goes to the client's stderr).
   */
  onSession(ctx: ServerSessionContext): boolean | string | Promise<boolean | string>;
  /** Environment names (wildcards allowed) the client may set, like sshd's AcceptEnv. */
  acceptEnv?: string[];
  algorithms?: AlgorithmPreferences;
  /**
   * sshd's MaxStartups: unauthenticated connections at once. A number is a hard limit; start,
   * rate and full drop new ones at random from `start` (rate percent) to all at `full`. Default
   * sshd's 10:30:100.
   */
  maxStartups?: number | MaxStartups;
  /** Time to authenticate, from the TCP connection. Default 30 s. */
  loginGraceTimeMs?: number;
  /** Failed authentication attempts before disconnect. Default 6. */
  maxAuthTries?: number;
  /** Open session channels per connection. Default 10. */
  maxSessions?: number;
  /** Connections at once, authenticated or not. Default 100. */
  maxConnections?: number;
  /** ClientAliveInterval: keepalive@openssh.com to the client every so often; 0 = off (default). */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  rekeyIntervalMs?: number;
  logger?: Logger;
}

interface LiveConnection {
  transport: Transport;
  authenticated: boolean;
}

/**
 * An SSH-2 server. `listen()` accepts TCP connections (Node); `handleStream()` serves any
 * ByteStream (a WebSocket, a test pipe).
 */
export class SSHServer {
  private readonly logger: Logger;
  private readonly hostKeysReady: Promise<{ map: Map<string, ServerHostKey>; offered: string[] }>;
  private readonly live = new Set<LiveConnection>();
  private unauthenticated = 0;
  private readonly listeners: Listener[] = [];
  private closing = false;
  private readonly limits: { maxStartups: MaxStartups; loginGraceTimeMs: number; maxAuthTries: number; maxSessions: number; maxConnections: number };

  constructor(private readonly o: SSHServerOptions) {
    this.logger = o.logger ?? silentLogger;
    if (!o.hostKeys || o.hostKeys.length === 0) throw new ConfigurationError("SSHServer needs at least one host key (hostKeys)");
    if (!o.authorize && !o.authorizedKeysFiles?.length && !o.trustedUserCaKeysFiles?.length) {
      throw new ConfigurationError("SSHServer needs `authorize` or `authorizedKeysFiles`: without either no one could log in");
    }
    this.limits = {
      maxStartups: maxStartupsOf(o.maxStartups ?? SERVER_DEFAULTS.maxStartups),
      loginGraceTimeMs: positive("loginGraceTimeMs", o.loginGraceTimeMs ?? SERVER_DEFAULTS.loginGraceTimeMs),
      maxAuthTries: positive("maxAuthTries", o.maxAuthTries ?? SERVER_DEFAULTS.maxAuthTries),
      maxSessions: positive("maxSessions", o.maxSessions ?? SERVER_DEFAULTS.maxSessions),
      maxConnections: positive("maxConnections", o.maxConnections ?? SERVER_DEFAULTS.maxConnections),
    };
    this.hostKeysReady = this.loadHostKeys();
    // Keep an early rejection from being "unhandled" before listen() awaits it.
    this.hostKeysReady.catch(() => {});
  }

  /** Connections now open, and how many of them have not authenticated. */
  get stats(): { connections: number; unauthenticated: number } {
    return { connections: this.live.size, unauthenticated: this.unauthenticated };
  }

  /** The host keys' public blobs and fingerprints (what clients will see). */
  async hostKeyInfo(): Promise<Array<{ algorithm: string; blob: Uint8Array; fingerprint: string }>> {
    const { map } = await this.hostKeysReady;
    return [...map].map(([algorithm, k]) => ({ algorithm, blob: k.blob, fingerprint: fingerprintSha256(k.blob) }));
  }

  /** Listen for TCP connections (needs a runtime with a TCP listener: Node). */
  async listen(opts: { host?: string; port?: number } = {}): Promise<{ host: string; port: number }> {
    await this.hostKeysReady;
    await prepareCiphers();
    const listen = platform.listenTcp;
    if (!listen) throw new ConfigurationError("this runtime has no TCP listener: import mcp-ssh/server on Node, or serve streams with handleStream()");
    const listener = await listen({ host: opts.host ?? "0.0.0.0", port: opts.port ?? 22 }, (c) => this.accept(c));
    this.listeners.push(listener);
    this.logger.info(`Server listening on ${listener.host} port ${listener.port}.`);
    return { host: listener.host, port: listener.port };
  }

  /** Serve one connection that arrived some other way (a WebSocket, a pipe). */
  handleStream(stream: ByteStream, peer: Partial<PeerInfo> = {}): void {
    this.accept({ stream, remoteAddress: peer.remoteAddress ?? "unknown", remotePort: peer.remotePort ?? 0, localAddress: peer.localAddress ?? "", localPort: peer.localPort ?? 0 });
  }

  /** Stop listening and disconnect every client. */
  async close(): Promise<void> {
    this.closing = true;
    // A TCP listener's close waits for its connections to end, so both go at once.
    await Promise.all([
      ...this.listeners.splice(0).map((l) => l.close()),
      ...[...this.live].map((c) => c.transport.disconnect(DISCONNECT_REASON.BY_APPLICATION, "server shutting down")),
    ]);
  }

  private accept(c: IncomingConnection): void {
    const where = `${c.remoteAddress} port ${c.remotePort}`;
    if (this.closing) {
      void c.stream.close();
      return;
    }
    // sshd's MaxStartups: past `start` unauthenticated connections new ones are dropped (at
    // random until `full`) before a byte is sent, so a flood of half-open logins costs nothing more.
    if (dropStartup(this.limits.maxStartups, this.unauthenticated, startupRandom())) {
      this.logger.warn(
        `drop connection from ${where}: past max-startups ${formatMaxStartups(this.limits.maxStartups)} (${this.unauthenticated} unauthenticated)`,
      );
      void c.stream.close();
      return;
    }
    if (this.live.size >= this.limits.maxConnections) {
      this.logger.warn(`drop connection from ${where}: past max-connections (${this.limits.maxConnections})`);
      void c.stream.close();
      return;
    }
    this.logger.info(`Connection from ${where} on ${c.localAddress} port ${c.localPort}`);
    void this.serve(c, where).catch((e: unknown) => this.logger.debug(`connection from ${where}: ${(e as Error)?.message ?? e}`));
  }

  private async serve(c: IncomingConnection, where: string): Promise<void> {
    const { map, offered } = await this.hostKeysReady;
    const algorithms = { ...offeredAlgorithms(this.o.algorithms) };
    algorithms.hostKey = offered;
    const logger = this.logger;
    const peer: PeerInfo = { remoteAddress: c.remoteAddress, remotePort: c.remotePort, localAddress: c.localAddress, localPort: c.localPort };
    const transport = new Transport({
      stream: c.stream,
      role: SERVER_ROLE,
      version: SERVER_VERSION_PREFIX + VERSION,
      algorithms,
      hostKeys: map,
      extInfo: new Map([["server-sig-algs", publicKeyAlgorithms.names.join(",")]]),
      logger,
      versionTimeoutMs: this.limits.loginGraceTimeMs,
      kexTimeoutMs: Math.min(SERVER_DEFAULTS.kexMs, this.limits.loginGraceTimeMs),
      rekeyBytes: SERVER_DEFAULTS.rekeyBytes,
      rekeyPackets: SERVER_DEFAULTS.rekeyPackets,
      rekeyIntervalMs: this.o.rekeyIntervalMs ?? SERVER_DEFAULTS.rekeyIntervalMs,
    });
    const live: LiveConnection = { transport, authenticated: false };
    this.live.add(live);
    this.unauthenticated++;
    const authenticated = (): void => {
      if (live.authenticated) return;
      live.authenticated = true;
      this.unauthenticated--;
      clearTimeout(grace);
    };
    const grace = setTimeout(() => {
      logger.info(`Timeout before authentication for ${where}`);
      transport.fail(new TimeoutError("authentication (login grace time)", this.limits.loginGraceTimeMs));
    }, this.limits.loginGraceTimeMs);
    let user: AuthenticatedUser | null = null;
    let connection: Connection | null = null;
    const sessions = new Set<Promise<void>>();

    const router = new SessionRouter({
      auth: new ServerUserauth({
        send: (p) => transport.send(p),
        sessionId: () => transport.sessionId!,
        authorize: (attempt) => this.authorize(attempt, peer),
        maxAuthTries: this.limits.maxAuthTries,
        onSuccess: (u) => {
          user = u;
          authenticated();
          router.authenticated();
        },
        disconnect: (reason, description) => void transport.disconnect(reason, description),
        logger,
        peer: where,
      }),
      successFromPeer: false,
      onAuthenticated: () =>
        (connection = new Connection({
          send: (p) => transport.send(p),
          sendFramed: (l, f) => transport.sendFramed(l, f),
          fail: (e) => transport.fail(e),
          logger,
          peer: "client",
          // We open no channels, so no requests arrive on channels of ours.
          channelRequests: () => false,
          channelOpenTimeoutMs: 15_000,
          maxChannels: this.limits.maxSessions,
          keepaliveIntervalMs: this.o.keepaliveIntervalMs ?? 0,
          keepaliveCountMax: this.o.keepaliveCountMax ?? 3,
          incomingChannels: new Map([["session", this.sessionChannel(() => user!, peer, sessions)]]),
          // No global request is honoured: keepalive@openssh.com gets REQUEST_FAILURE (as sshd
          // answers it), tcpip-forward and the rest are refused.
          globalRequests: new Map(),
        })),
      unimplemented: (seq) => transport.sendUnimplemented(seq),
      logger,
    });
    transport.onMessage = (payload, seq) => {
      connection?.noteTraffic();
      return router.route(payload, seq);
    };
    transport.onClose = (error) => {
      clearTimeout(grace);
      if (!live.authenticated) this.unauthenticated--;
      live.authenticated = true; // counted once
      this.live.delete(live);
      connection?.fail(error ?? new ConnectionLostError("connection closed"));
      // DisconnectError's text is worded for clients ("server disconnected"); here the peer is the client.
      const text = error instanceof DisconnectError ? `client disconnected (reason ${error.reasonCode}): ${error.description}` : error?.message;
      const why = text ? `: ${safePeerText(text)}` : "";
      if (user) logger.info(`Disconnected from user ${safePeerText((user as AuthenticatedUser).username)} ${where}${why}`);
      else logger.info(`Connection closed by ${where} [preauth]${why}`);
    };
    try {
      await transport.start();
    } catch {
      /* onClose has logged it */
    }
  }

  private sessionChannel(user: () => AuthenticatedUser, peer: PeerInfo, sessions: Set<Promise<void>>): IncomingChannelHandler {
    return () => {
      if (sessions.size >= this.limits.maxSessions) {
        return { accept: false, reason: OPEN_FAILURE.RESOURCE_SHORTAGE, description: `too many sessions (max-sessions ${this.limits.maxSessions})` };
      }
      const onRequest = serverSessionRequests({
        acceptEnv: this.o.acceptEnv ?? [],
        logger: this.logger,
        start: (session) => this.o.onSession({ session, user: user(), peer, logger: this.logger }),
      });
      return {
        accept: true,
        onRequest,
        opened: (channel) => {
          const done = channel.exit.then(
            () => {},
            () => {},
          );
          sessions.add(done);
          void done.then(() => sessions.delete(done));
        },
      };
    };
  }

  private async authorize(attempt: PublicKeyAttempt, peer: PeerInfo): Promise<AuthGrant | null> {
    if (this.o.username !== undefined && attempt.username !== this.o.username) {
      this.logger.info(`Invalid user ${safePeerText(attempt.username)} from ${peer.remoteAddress} port ${peer.remotePort}`);
      return null;
    }
    if (this.o.authorize) {
      const grant = await this.o.authorize({ ...attempt, ...peer });
      if (grant) return grant;
    }
    const files = this.o.authorizedKeysFiles ?? [];
    const caFiles = this.o.trustedUserCaKeysFiles ?? [];
    if (files.length === 0 && caFiles.length === 0) return null;
    const toSource = (path: string): AuthorizedKeysSource => ({
      name: path,
      read: async () => {
        const readFile = platform.readFile;
        if (!readFile) throw new ConfigurationError("authorizedKeysFiles needs a filesystem; use `authorize` instead");
        try {
          return fromUtf8(await readFile(expandPath(path)));
        } catch (e) {
          if ((e as { code?: string }).code === "ENOENT") return null;
          throw e;
        }
      },
    });
    return authorizeFromAuthorizedKeys(attempt, {
      sources: files.map(toSource),
      trustedCaSources: caFiles.map(toSource),
      remoteAddress: peer.remoteAddress,
      logger: this.logger,
    });
  }

  private async loadHostKeys(): Promise<{ map: Map<string, ServerHostKey>; offered: string[] }> {
    const signers: Signer[] = [];
    for (const k of this.o.hostKeys) signers.push(typeof k === "string" || k instanceof Uint8Array ? await parsePrivateKey(k) : k);
    const map = new Map<string, ServerHostKey>();
    for (const signer of signers) {
      for (const algorithm of hostKeyAlgorithms.names) {
        if (hostKeyAlgorithms.get(algorithm)!.keyType !== signer.type || map.has(algorithm)) continue;
        // A key type with several signature algorithms (ssh-rsa: rsa-sha2-512/256) signs with the
        // negotiated one; signers that take the algorithm as a second argument get it.
        const sign = signer.sign.bind(signer) as (data: Uint8Array, algorithm?: string) => Promise<Uint8Array>;
        map.set(algorithm, { blob: signer.publicBlob, sign: (data) => sign(data, algorithm) });
      }
    }
    const wanted = offeredAlgorithms(this.o.algorithms).hostKey;
    const offered = wanted.filter((a) => map.has(a));
    if (offered.length === 0) {
      throw new ConfigurationError(`no host key can sign any of the host-key algorithms offered (${wanted.join(", ")}); key types given: ${signers.map((s) => s.type).join(", ")}`);
    }
    return { map, offered };
  }
}

function positive(name: string, n: number): number {
  if (!Number.isFinite(n) || n <= 0) throw new ConfigurationError(`${name} must be a positive number, got ${n}`);
  return n;
}

export { ServerSession };
export type { AuthGrant, AuthenticatedUser, PublicKeyAttempt };
