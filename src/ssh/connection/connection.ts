/**
 * The connection protocol (RFC 4254), role-neutral: channel multiplexing both ways, global
 * requests both ways, keepalive. What a role accepts from its peer (channel types, global
 * requests, channel requests) comes in as handler tables; everything else is refused.
 * Receives every message numbered 80 to 127 from the session router.
 */
import { ChannelOpenError, ConnectionLostError, ProtocolError, TimeoutError } from "../errors.js";
import type { Logger } from "../logger.js";
import { MSG, OPEN_FAILURE } from "../messages.js";
import { deferred, withTimeout, type Deferred } from "../deferred.js";
import { SshReader } from "../wire/reader.js";
import { SshWriter } from "../wire/writer.js";
import { safePeerText } from "../wire/peer-text.js";
import { Channel, LOCAL_MAX_PACKET, LOCAL_WINDOW, type ChannelHost, type ChannelRequestHandler } from "./channel.js";

/** How a role answers the peer's CHANNEL_OPEN of one type: accept (with its request handler) or refuse. */
export type IncomingChannelHandler = (
  r: SshReader,
) =>
  | { accept: true; onRequest: ChannelRequestHandler; opened?: (channel: Channel) => void }
  | { accept: false; reason: number; description: string };

/** A global request handler (RFC 4254 §4): true = REQUEST_SUCCESS. */
export type GlobalRequestHandler = (r: SshReader) => boolean | Promise<boolean>;

export interface ConnectionOptions {
  send(payload: Uint8Array): Promise<void>;
  sendFramed(length: number, fill: (buf: Uint8Array, offset: number) => void): Promise<void>;
  /** Declare the connection dead (keepalive expiry, a limit the peer broke). */
  fail(error: Error): void;
  logger: Logger;
  /** Who the peer is, for messages. */
  peer: "server" | "client";
  channelOpenTimeoutMs: number;
  maxChannels: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  /** Requests the peer sends on channels we open (client sessions: exit-status, exit-signal). */
  channelRequests: ChannelRequestHandler;
  /** Channel types the peer may open, by type name; any other type is refused. */
  incomingChannels?: ReadonlyMap<string, IncomingChannelHandler>;
  /** Global requests we honour, by name; any other gets REQUEST_FAILURE when a reply is wanted. */
  globalRequests?: ReadonlyMap<string, GlobalRequestHandler>;
}

export class Connection {
  private readonly channels = new Map<number, Channel>();
  private readonly opening = new Map<number, Deferred<void>>();
  private nextId = 0;
  private globalReplies: Deferred<boolean>[] = [];
  /** Replies to the peer's global requests go out in request order. */
  private globalTail: Promise<void> = Promise.resolve();
  private keepaliveTimer: ReturnType<typeof setInterval> | undefined;
  private heardFromPeer = false;
  private missedKeepalives = 0;
  private failure: Error | null = null;
  private readonly host: ChannelHost;

  constructor(private readonly o: ConnectionOptions) {
    this.host = {
      send: (p) => o.send(p),
      sendFramed: (l, f) => o.sendFramed(l, f),
      release: (id) => this.channels.delete(id),
      logger: o.logger,
    };
    if (o.keepaliveIntervalMs > 0) {
      this.keepaliveTimer = setInterval(() => this.keepaliveTick(), o.keepaliveIntervalMs);
      // A keepalive timer alone must not keep a Node process running.
      (this.keepaliveTimer as { unref?: () => void }).unref?.();
    }
  }

  get channelCount(): number {
    return this.channels.size;
  }

  /** Called for every inbound packet, so the keepalive knows the peer is alive. */
  noteTraffic(): void {
    this.heardFromPeer = true;
  }

  /** Open a "session" channel (RFC 4254 §6.1). */
  openSession(): Promise<Channel> {
    return this.openChannel("session");
  }

  /** Open a channel of `type`; `extra` writes the type-specific fields (direct-tcpip: RFC 4254 §7.2). */
  async openChannel(type: string, extra?: (w: SshWriter) => void): Promise<Channel> {
    if (this.failure) throw this.failure;
    const id = this.allocateId();
    const channel = new Channel(id, this.host, this.o.channelRequests);
    const opened = deferred<void>();
    this.channels.set(id, channel);
    this.opening.set(id, opened);
    const w = new SshWriter(64).byte(MSG.CHANNEL_OPEN).string(type).uint32(id).uint32(LOCAL_WINDOW).uint32(LOCAL_MAX_PACKET);
    extra?.(w);
    await this.o.send(w.finish().slice());
    try {
      await withTimeout(opened.promise, this.o.channelOpenTimeoutMs, () => new TimeoutError("channel open", this.o.channelOpenTimeoutMs));
    } catch (e) {
      if (e instanceof TimeoutError) {
        // A late confirmation will find the channel still registered and closed at once. Not
        // before: CHANNEL_CLOSE needs the peer's id for it, which only the confirmation carries
        // (RFC 4254 §5.1, §5.3); sshd disconnects on a close for an id it never assigned.
        this.opening.delete(id);
      }
      throw e;
    }
    return channel;
  }

  private allocateId(): number {
    if (this.channels.size >= this.o.maxChannels) throw new ChannelOpenError(OPEN_FAILURE.RESOURCE_SHORTAGE, `too many open channels (limit ${this.o.maxChannels})`);
    let id = this.nextId;
    while (this.channels.has(id)) id = (id + 1) >>> 0;
    this.nextId = (id + 1) >>> 0;
    return id;
  }

  /** A global request (RFC 4254 §4); with wantReply, resolves to the peer's answer. */
  async globalRequest(name: string, wantReply: boolean, body?: (w: SshWriter) => void): Promise<boolean> {
    if (this.failure) throw this.failure;
    let reply: Deferred<boolean> | undefined;
    if (wantReply) {
      reply = deferred<boolean>();
      this.globalReplies.push(reply);
    }
    const w = new SshWriter(64).byte(MSG.GLOBAL_REQUEST).string(name).boolean(wantReply);
    body?.(w);
    await this.o.send(w.finish().slice());
    return reply ? reply.promise : true;
  }

  handle(payload: Uint8Array): void {
    const type = payload[0]!;
    const r = new SshReader(payload, 1);
    switch (type) {
      case MSG.GLOBAL_REQUEST:
        return this.peerGlobalRequest(r);
      case MSG.REQUEST_SUCCESS:
      case MSG.REQUEST_FAILURE: {
        const reply = this.globalReplies.shift();
        if (!reply) throw new ProtocolError("global request reply with no request outstanding");
        reply.resolve(type === MSG.REQUEST_SUCCESS);
        return;
      }
      case MSG.CHANNEL_OPEN:
        return this.peerChannelOpen(r);
      case MSG.CHANNEL_OPEN_CONFIRMATION:
      case MSG.CHANNEL_OPEN_FAILURE: {
        const id = r.uint32();
        const channel = this.channels.get(id);
        const opened = this.opening.get(id);
        if (!channel) throw new ProtocolError(`open reply for unknown channel ${id}`);
        // A second reply would drop (FAILURE) or re-point (CONFIRMATION) a channel in use.
        if (channel.remoteId >= 0) throw new ProtocolError(`second open reply for channel ${id}`);
        this.opening.delete(id);
        if (type === MSG.CHANNEL_OPEN_FAILURE) {
          const code = r.uint32();
          const text = safePeerText(r.text(4096));
          this.channels.delete(id);
          opened?.reject(new ChannelOpenError(code, text));
          return;
        }
        channel.confirm(r.uint32(), r.uint32(), r.uint32());
        if (opened) opened.resolve();
        else void channel.close(); // We gave up waiting; close what the peer opened.
        return;
      }
      default: {
        if (type < MSG.CHANNEL_WINDOW_ADJUST || type > MSG.CHANNEL_FAILURE) throw new ProtocolError(`unexpected message ${type}`);
        const id = r.uint32();
        const channel = this.channels.get(id);
        if (!channel) {
          // A channel we already released after a close timeout; the peer caught up late.
          this.o.logger.debug(`message ${type} for released channel ${id} ignored`);
          return;
        }
        channel.handle(type, r);
      }
    }
  }

  private peerGlobalRequest(r: SshReader): void {
    const name = r.text(256);
    const wantReply = r.boolean();
    const handler = this.o.globalRequests?.get(name);
    this.o.logger.debug(`peer global request "${safePeerText(name)}"${handler ? "" : " refused"}`);
    // hostkeys-00@openssh.com and keepalive@openssh.com land here when unhandled: FAILURE is the answer OpenSSH expects.
    const answer: Promise<boolean> = handler ? Promise.resolve().then(() => handler(r)).catch(() => false) : Promise.resolve(false);
    if (!wantReply) return;
    this.globalTail = Promise.all([this.globalTail, answer]).then(([, ok]) => {
      void this.o.send(new Uint8Array([ok ? MSG.REQUEST_SUCCESS : MSG.REQUEST_FAILURE])).catch(() => {});
    });
  }

  private peerChannelOpen(r: SshReader): void {
    const kind = r.text(256);
    const sender = r.uint32();
    const window = r.uint32();
    const maxPacket = r.uint32();
    const refuse = (reason: number, description: string) => {
      this.o.logger.debug(`refusing "${safePeerText(kind)}" channel from the peer: ${description}`);
      void this.o
        .send(new SshWriter(64).byte(MSG.CHANNEL_OPEN_FAILURE).uint32(sender).uint32(reason).string(description).string("").finish().slice())
        .catch(() => {});
    };
    const handler = this.o.incomingChannels?.get(kind);
    if (!handler) return refuse(OPEN_FAILURE.UNKNOWN_CHANNEL_TYPE, `channel type "${safePeerText(kind)}" is not supported`);
    if (this.failure) return;
    const decision = handler(r);
    if (!decision.accept) return refuse(decision.reason, decision.description);
    let id: number;
    try {
      id = this.allocateId();
    } catch (e) {
      return refuse(OPEN_FAILURE.RESOURCE_SHORTAGE, (e as Error).message);
    }
    const channel = new Channel(id, this.host, decision.onRequest);
    channel.confirm(sender, window, maxPacket);
    this.channels.set(id, channel);
    void this.o
      .send(new SshWriter(32).byte(MSG.CHANNEL_OPEN_CONFIRMATION).uint32(sender).uint32(id).uint32(LOCAL_WINDOW).uint32(LOCAL_MAX_PACKET).finish().slice())
      .catch(() => {});
    decision.opened?.(channel);
  }

  private keepaliveTick(): void {
    if (this.failure) return;
    if (this.heardFromPeer) this.missedKeepalives = 0;
    else this.missedKeepalives++;
    this.heardFromPeer = false;
    if (this.missedKeepalives >= this.o.keepaliveCountMax) {
      const seconds = (this.o.keepaliveIntervalMs * this.missedKeepalives) / 1000;
      this.o.fail(new ConnectionLostError(`the ${this.o.peer} did not answer for ${seconds} s (${this.missedKeepalives} keepalives missed)`));
      return;
    }
    // OpenSSH answers keepalive@openssh.com with REQUEST_FAILURE, which proves it is alive.
    this.globalRequest("keepalive@openssh.com", true).catch(() => {});
  }

  /** The transport ended: fail every channel and pending request. */
  fail(error: Error): void {
    if (this.failure) return;
    clearInterval(this.keepaliveTimer);
    this.failure = error instanceof ConnectionLostError ? error : new ConnectionLostError(error.message, { cause: error });
    for (const d of this.opening.values()) d.reject(this.failure);
    this.opening.clear();
    for (const c of this.channels.values()) c.fail(this.failure);
    this.channels.clear();
    for (const g of this.globalReplies.splice(0)) g.reject(this.failure);
  }
}
