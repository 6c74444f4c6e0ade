import type { ByteStream } from "../io/byte-stream.js";
import type { Logger } from "../logger.js";
import { DISCONNECT_REASON, MSG, isKexMessage } from "../messages.js";
import { ConnectionLostError, ProtocolError, SSHError, TimeoutError } from "../errors.js";
import { PacketDecoder } from "../packet/packet-decoder.js";
import { PacketEncoder, MAX_OUTGOING_PAYLOAD } from "../packet/packet-encoder.js";
import { SshReader } from "../wire/reader.js";
import { utf8 } from "../wire/bytes.js";
import { deferred, type Deferred } from "../deferred.js";
import { VersionParser } from "./version.js";
import { debugMessageText, disconnectDescription, disconnectReasonFor, encodeDisconnect, parseDisconnect, parseExtInfo } from "./transport-messages.js";
import { KeyExchange, type HostKeyCheck, type KexAlgorithmLists, type NegotiatedAlgorithms } from "./key-exchange.js";
import type { ServerHostKey } from "../kex/kex-method.js";
import type { TransportRole } from "./role.js";
import { SshWriter } from "../wire/writer.js";

export interface TransportOptions {
  stream: ByteStream;
  /** Which side we are: markers, key letters, and whether we sign or verify the host key. */
  role: TransportRole;
  /** Our identification line, without CR LF. */
  version: string;
  algorithms: KexAlgorithmLists;
  /** Client: called once, in the first kex, after the server proved it holds the host key; throws to refuse. */
  checkHostKey?: HostKeyCheck;
  /** Server: our host keys by signature algorithm (the KEXINIT host-key list is theirs). */
  hostKeys?: ReadonlyMap<string, ServerHostKey>;
  /** Server: EXT_INFO extensions (RFC 8308 §2.3) sent after our first NEWKEYS when the client asks for them. */
  extInfo?: ReadonlyMap<string, string>;
  logger: Logger;
  versionTimeoutMs: number;
  kexTimeoutMs: number;
  /** Rekey after this many bytes in either direction (chacha20-poly1305: at most 1 GiB). */
  rekeyBytes: number;
  /** Rekey after this many packets in either direction (at most 2^31). */
  rekeyPackets: number;
  /** Rekey after this much time; 0 = never on time alone. */
  rekeyIntervalMs: number;
}

const RESOLVED: Promise<void> = Promise.resolve();
/** How long a DISCONNECT may take to leave before the socket is closed anyway. */
const DISCONNECT_FLUSH_MS = 1000;
/** Only a read smaller than this is nudged: a bulk transfer's reads are larger and ACKed anyway. */
const NUDGE_READ_BELOW = 8192;

interface QueuedPacket {
  length: number;
  fill: (buf: Uint8Array, offset: number) => void;
  done: Deferred<void>;
}

/**
 * The SSH transport layer (RFC 4253): version exchange, binary packets, key exchange and rekeying,
 * and the generic messages. Services above it (userauth, connection) receive every message numbered
 * 5 or more that is not part of a kex, in order, through `onMessage`.
 */
export class Transport {
  /** The peer's identification line. */
  peerVersion = "";
  sessionId: Uint8Array | null = null;
  /** The server's host key blob from the first kex (ours, in the server role). */
  hostKeyBlob: Uint8Array | null = null;
  /** From the peer's EXT_INFO "server-sig-algs" (RFC 8308 §3.1), when it sent one. */
  peerSigAlgs: string[] | undefined;
  /** The kex methods the peer offered in the first exchange. */
  peerKexAlgorithms: string[] = [];
  /** What the last completed exchange negotiated. */
  algorithms: NegotiatedAlgorithms | null = null;
  /** Completed key exchanges, the first included. */
  kexCount = 0;
  /**
   * Every message numbered 5 or more that is not part of a kex, in order, with the sequence number
   * it arrived under (for UNIMPLEMENTED, RFC 4253 §11.4).
   */
  onMessage: (payload: Uint8Array, seq: number) => void | Promise<void> = () => {};
  /** Called once when the transport ends; `error` is undefined for a clean local close. */
  onClose: (error: Error | undefined) => void = () => {};

  private readonly encoder = new PacketEncoder();
  private readonly decoder = new PacketDecoder();
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  /** Every packet goes out here, in order: the stream's `writeNow` where it has one, else the writer. */
  private readonly writeNow: (bytes: Uint8Array) => Promise<void> | undefined;
  private readonly firstKexDone = deferred<void>();
  private kex: KeyExchange | null = null;
  /** Non-kex packets waiting for our NEWKEYS (RFC 4253 §7.1). */
  private queue: QueuedPacket[] = [];
  private strictKex = false;
  private closedWith: Error | null | undefined = undefined;
  private readonly closedDone = deferred<void>();
  private rekeyTimer: ReturnType<typeof setInterval> | undefined;
  private sawDebug = false;
  private lastKexAt = 0;

  constructor(private readonly opts: TransportOptions) {
    const writer = (this.writer = opts.stream.writable.getWriter());
    this.writeNow =
      opts.stream.writeNow?.bind(opts.stream) ??
      ((bytes) => {
        writer.write(bytes).catch((e: unknown) => this.writeFailed(e));
        return (writer.desiredSize ?? 0) > 0 ? undefined : writer.ready.catch(() => {});
      });
  }

  /** Send our identification, run the version exchange and the first kex. */
  async start(): Promise<void> {
    this.writeRaw(utf8(`${this.opts.version}\r\n`));
    // Our KEXINIT does not depend on the peer's version: send it at once to save a round trip.
    this.beginKex();
    void this.readLoop();
    await this.firstKexDone.promise;
    if (this.opts.rekeyIntervalMs > 0) {
      this.rekeyTimer = setInterval(() => {
        if (!this.kex && Date.now() - this.lastKexAt >= this.opts.rekeyIntervalMs) this.rekey().catch(() => {});
      }, Math.min(this.opts.rekeyIntervalMs, 60_000));
      // The rekey clock alone must not keep a process alive.
      (this.rekeyTimer as { unref?: () => void }).unref?.();
    }
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Resolves when the transport has ended for any reason. */
  get whenClosed(): Promise<void> {
    return this.closedDone.promise;
  }

  /** The error the transport ended with, if any. */
  get error(): Error | null {
    return this.closedWith ?? null;
  }

  /** Send a message payload; resolves when the socket can take more (backpressure). */
  send(payload: Uint8Array): Promise<void> {
    return this.sendFramed(payload.length, (buf, off) => buf.set(payload, off));
  }

  /** Send a payload written straight into the packet buffer by `fill` (saves a copy for channel data). */
  sendFramed(length: number, fill: (buf: Uint8Array, offset: number) => void): Promise<void> {
    if (this.closedWith !== undefined) return Promise.reject(this.lostError());
    if (length > MAX_OUTGOING_PAYLOAD) return Promise.reject(new Error(`payload of ${length} bytes is larger than a packet may be`));
    if (this.kex?.gatesOutput) {
      const done = deferred<void>();
      this.queue.push({ length, fill, done });
      return done.promise;
    }
    return this.writePacket(length, fill);
  }

  /** Start a key exchange now (no-op while one is running). Resolves when it completes. */
  rekey(): Promise<void> {
    if (this.closedWith !== undefined) return Promise.reject(this.lostError());
    if (!this.kex) this.beginKex();
    return this.kex!.done.promise;
  }

  /** Send DISCONNECT (best effort, bounded in time) and close the socket. Idempotent. */
  async disconnect(reason: number = DISCONNECT_REASON.BY_APPLICATION, description = `closed by ${this.opts.role.name}`): Promise<void> {
    if (this.closedWith !== undefined) return this.closedDone.promise;
    this.closedWith = null;
    await this.farewell(reason, description);
    await this.teardown(undefined);
  }

  /**
   * DISCONNECT, then half-close once it has left, bounded by DISCONNECT_FLUSH_MS; never rejects (the
   * peer may be gone). Closing the socket before the write finished would drop the packet: the peer
   * sees only EOF (sshd: "Connection closed by ...").
   */
  private farewell(reason: number, description: string): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Async so that an encoding failure is a rejection like a write failure; the write itself
    // starts now, before the caller goes on.
    const sent = (async () => {
      await this.writer.write(this.encoder.encodePayload(encodeDisconnect(reason, description)));
      await this.writer.close();
    })();
    return Promise.race([sent, new Promise<void>((r) => (timer = setTimeout(r, DISCONNECT_FLUSH_MS)))])
      .catch(() => {})
      .finally(() => clearTimeout(timer));
  }

  /** RFC 4253 §11.4: the answer to a message number we do not implement, naming its sequence number. */
  sendUnimplemented(seq: number): Promise<void> {
    if (this.closedWith !== undefined) return RESOLVED;
    return this.send(new SshWriter(8).byte(MSG.UNIMPLEMENTED).uint32(seq).finish().slice()).catch(() => {});
  }

  /** End the transport with an error (local failure): tell the peer why (best effort), then close. */
  fail(error: Error): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = error;
    const reason = disconnectReasonFor(error);
    void this.teardown(error, reason === null ? undefined : this.farewell(reason, disconnectDescription(error)));
  }

  private async teardown(error: Error | undefined, farewell?: Promise<void>): Promise<void> {
    clearInterval(this.rekeyTimer);
    this.kex?.cancel();
    const lost = error ?? new ConnectionLostError("connection closed");
    this.firstKexDone.reject(lost);
    for (const q of this.queue) q.done.reject(lost);
    this.queue = [];
    // Callers have their error already; only the socket waits for the DISCONNECT to leave.
    await farewell;
    try {
      await this.opts.stream.close();
    } catch {
      /* already closed */
    }
    try {
      this.onClose(error);
    } finally {
      this.closedDone.resolve();
    }
  }

  private lostError(): Error {
    return this.closedWith ?? new ConnectionLostError(`connection closed by the ${this.opts.role.name}`);
  }

  private writeRaw(bytes: Uint8Array): Promise<void> {
    let wait: Promise<void> | undefined;
    try {
      wait = this.writeNow(bytes);
    } catch (e) {
      this.writeFailed(e);
      return RESOLVED;
    }
    return wait === undefined ? RESOLVED : wait.catch((e: unknown) => this.writeFailed(e));
  }

  private writeFailed(e: unknown): void {
    this.fail(new ConnectionLostError(`write failed: ${(e as Error)?.message ?? e}`));
  }

  private writePacket(length: number, fill: (buf: Uint8Array, offset: number) => void): Promise<void> {
    const p = this.writeRaw(this.encoder.encode(length, fill));
    this.maybeRekey();
    return p;
  }

  /**
   * sshd writes with Nagle's algorithm on (it sets TCP_NODELAY only for interactive sessions), so
   * when it relays an answer in two small writes (its post-login DEBUG messages; an HTTP server's
   * headers, then its body, through direct-tcpip) the second waits for our ACK, which our kernel
   * delays by up to 40 ms when we have nothing to send. An empty IGNORE (RFC 4253 §11.2) after a
   * read we did not answer carries the ACK at once (bench/lib/ack-stall-probe.mjs measured the
   * stall: a small --http-url round trip went from ~60 to ~30 ms). Only after a small read: a bulk
   * download's large reads are ACKed by the kernel at once (more than one full segment), and
   * nudging them cost 15% more client CPU per GB; a time-based limit instead let the stall back in
   * (an answer's pieces come within a few ms of each other).
   */
  private nudgeAck(): void {
    void this.writePacket(5, (buf, off) => {
      buf.set([MSG.IGNORE, 0, 0, 0, 0], off);
    });
  }

  /** Kex packets bypass the queue; everything else waits while our side of a kex is open. */
  sendKexPacket(payload: Uint8Array): void {
    if (this.closedWith !== undefined) return;
    void this.writeRaw(this.encoder.encodePayload(payload));
  }

  private maybeRekey(): void {
    if (this.kex || !this.sessionId || this.closedWith !== undefined) return;
    const { rekeyBytes, rekeyPackets } = this.opts;
    const e = this.encoder;
    const d = this.decoder;
    if (e.bytesSinceKex >= rekeyBytes || d.bytesSinceKex >= rekeyBytes || e.packetsSinceKex >= rekeyPackets || d.packetsSinceKex >= rekeyPackets) {
      this.opts.logger.debug("rekey limit reached; starting a key exchange");
      this.beginKex();
    }
  }

  private beginKex(): KeyExchange {
    const first = this.sessionId === null;
    const kex: KeyExchange = new KeyExchange({
      role: this.opts.role,
      first,
      ourVersion: this.opts.version,
      peerVersion: () => this.peerVersion,
      hostKeyBlob: this.hostKeyBlob,
      algorithms: this.opts.algorithms,
      sessionId: this.sessionId,
      strictKex: this.strictKex,
      checkHostKey: this.opts.checkHostKey,
      hostKeys: this.opts.hostKeys,
      send: (p) => this.sendKexPacket(p),
      onNewKeysSent: () => this.afterOurNewKeys(kex),
      onError: (e) => this.fail(e),
      logger: this.opts.logger,
      timeoutMs: this.opts.kexTimeoutMs,
      onTimeout: () => this.fail(new TimeoutError(first ? "key exchange" : "rekey", this.opts.kexTimeoutMs)),
    });
    this.kex = kex;
    kex.sendKexInit();
    return kex;
  }

  private async readLoop(): Promise<void> {
    const reader = this.opts.stream.readable.getReader();
    const version = new VersionParser();
    const versionTimer = setTimeout(
      () => this.fail(new TimeoutError("version exchange", this.opts.versionTimeoutMs)),
      this.opts.versionTimeoutMs,
    );
    let gotVersion = false;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (this.closedWith !== undefined) break;
        if (done) {
          const peer = this.opts.role.peer;
          this.fail(new ConnectionLostError(gotVersion ? `the ${peer} closed the connection` : `the ${peer} closed the connection before sending its identification`));
          break;
        }
        let chunk: Uint8Array = value;
        if (!gotVersion) {
          const v = version.push(chunk);
          if (!v) continue;
          gotVersion = true;
          clearTimeout(versionTimer);
          this.peerVersion = v.version;
          this.opts.logger.debug(`${this.opts.role.peer} identification: ${v.version}`);
          this.kex?.startTimer();
          chunk = v.rest;
        }
        this.decoder.push(chunk);
        const written = this.encoder.seq;
        this.sawDebug = false;
        // Only a read that carried something besides IGNORE is nudged: two of our own transports
        // would otherwise answer each other's nudges forever.
        let onlyIgnore = true;
        for (;;) {
          const payload = this.decoder.next();
          if (!payload) break;
          if (payload[0] !== MSG.IGNORE) onlyIgnore = false;
          const r = this.dispatch(payload, (this.decoder.seq - 1) >>> 0);
          if (r) await r;
          if (this.closedWith !== undefined) return;
        }
        if (this.encoder.seq === written && this.sessionId && !this.kex && !onlyIgnore && (this.sawDebug || chunk.length < NUDGE_READ_BELOW)) {
          this.nudgeAck();
        }
        this.maybeRekey();
      }
    } catch (e) {
      this.fail(e instanceof SSHError ? e : new ConnectionLostError(`connection failed: ${(e as Error)?.message ?? e}`, { cause: e }));
    } finally {
      clearTimeout(versionTimer);
      reader.releaseLock();
    }
  }

  private dispatch(payload: Uint8Array, seq: number): void | Promise<void> {
    if (payload.length === 0) throw new ProtocolError("empty packet payload");
    const type = payload[0]!;
    const kex = this.kex;
    const inInitialKex = this.sessionId === null;
    switch (type) {
      case MSG.DISCONNECT:
        this.fail(parseDisconnect(payload));
        return;
      case MSG.IGNORE:
      case MSG.DEBUG:
      case MSG.UNIMPLEMENTED:
        // Strict kex (OpenSSH PROTOCOL, kex-strict): nothing but kex messages during the initial kex.
        if (inInitialKex && this.strictKex) throw new ProtocolError(`message ${type} during the initial key exchange (strict kex)`);
        if (type === MSG.DEBUG) {
          this.sawDebug = true;
          this.opts.logger.debug(`${this.opts.role.peer} debug message: ${debugMessageText(payload)}`);
        } else if (type === MSG.UNIMPLEMENTED) {
          this.opts.logger.warn(`${this.opts.role.peer} could not handle our packet #${new SshReader(payload, 1).uint32()}`);
        }
        return;
      case MSG.EXT_INFO:
        // RFC 8308 §2.4: only after NEWKEYS, i.e. encrypted; in the clear it is injected, and strict kex forbids it anyway.
        if (inInitialKex) throw new ProtocolError("EXT_INFO before the first key exchange finished");
        this.peerSigAlgs = parseExtInfo(payload).get("server-sig-algs") ?? this.peerSigAlgs;
        if (this.peerSigAlgs) this.opts.logger.debug(`server-sig-algs: ${this.peerSigAlgs.join(",")}`);
        return;
      case MSG.KEXINIT: {
        const k = kex ?? this.beginKex();
        const sent = k.handleKexInit(payload);
        if (k.first && k.strict) {
          this.strictKex = true;
          // The decoder has counted this KEXINIT: anything before it makes the count larger.
          if (this.decoder.seq !== 1) {
            sent.catch(() => {}); // the connection fails with the error below, not with this one
            throw new ProtocolError(`strict kex: KEXINIT was not the first message from the ${this.opts.role.peer}`);
          }
        }
        return sent;
      }
      case MSG.NEWKEYS: {
        if (!kex) throw new ProtocolError("NEWKEYS outside of a key exchange");
        this.decoder.cipher = kex.takeInboundCipher();
        if (this.strictKex) this.decoder.seq = 0;
        this.decoder.bytesSinceKex = 0;
        this.decoder.packetsSinceKex = 0;
        this.maybeFinishKex(kex);
        return;
      }
      default:
        if (isKexMessage(type)) {
          if (!kex) throw new ProtocolError(`key exchange message ${type} outside of a key exchange`);
          return kex.handleKexMessage(payload);
        }
        if (inInitialKex) throw new ProtocolError(`message ${type} before the key exchange finished`);
        // RFC 4253 §11.4: a number we do not implement gets UNIMPLEMENTED, and the session goes on.
        if (type < MSG.SERVICE_REQUEST || (type > MSG.EXT_INFO && type < MSG.USERAUTH_REQUEST)) return this.sendUnimplemented(seq);
        return this.onMessage(payload, seq);
    }
  }

  /** After we sent NEWKEYS: switch our outbound keys and release the queued packets, in order. */
  private afterOurNewKeys(kex: KeyExchange): void {
    this.encoder.cipher = kex.takeOutboundCipher();
    if (this.strictKex) this.encoder.seq = 0;
    this.encoder.bytesSinceKex = 0;
    this.encoder.packetsSinceKex = 0;
    // RFC 8308 §2.4: a server's EXT_INFO goes right after its first NEWKEYS.
    const ext = this.opts.extInfo;
    if (kex.first && kex.peerWantsExtInfo && ext && ext.size > 0) {
      const w = new SshWriter(256).byte(MSG.EXT_INFO).uint32(ext.size);
      for (const [name, value] of ext) w.string(name).string(value);
      void this.writeRaw(this.encoder.encodePayload(w.finish()));
    }
    this.maybeFinishKex(kex);
    this.flushQueue();
  }

  /** Write queued packets in order, stopping if a new kex closes the gate again. */
  private flushQueue(): void {
    while (this.queue.length > 0 && !this.kex?.gatesOutput && this.closedWith === undefined) {
      const q = this.queue.shift()!;
      this.writePacket(q.length, q.fill).then(q.done.resolve, q.done.reject);
    }
  }

  private maybeFinishKex(kex: KeyExchange): void {
    if (!kex.outboundInstalled || !kex.inboundInstalled) return;
    this.kex = null;
    this.kexCount++;
    this.lastKexAt = Date.now();
    if (kex.first) {
      this.sessionId = kex.sessionId;
      this.hostKeyBlob = kex.hostKeyBlob;
      this.peerKexAlgorithms = kex.peerKexAlgorithms;
    }
    this.algorithms = kex.algorithms();
    kex.finish();
    this.opts.logger.debug(`key exchange #${this.kexCount} complete (${kex.summary()})`);
    if (kex.first) this.firstKexDone.resolve();
   }
}
