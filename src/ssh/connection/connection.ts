import { ChannelOpenError, ConnectionLostError, ProtocolError, TimeoutError } from "../errors.js";
import type { Logger } from "../logger.js";
import { MSG, OPEN_FAILURE } from "../messages.js";
import { deferred, withTimeout, type Deferred } from "../deferred.js";
import { SshReader } from "../wire/reader.js";
import { SshWriter } from "../wire/writer.js";
import { safePeerText } from "../wire/peer-text.js";
import { Channel, LOCAL_MAX_PACKET, LOCAL_WINDOW, type ChannelHost } from "./channel.js";

export interface ConnectionOptions {
  send(payload: Uint8Array): Promise<void>;
  sendFramed(length: number, fill: (buf: Uint8Array, offset: number) => void): Promise<void>;
  /** Declare the connection dead (keepalive expiry). */
  fail(error: Error): void;
  logger: Logger;
  channelOpenTimeoutMs: number;
  maxChannels: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
}

/**
 * The connection protocol (RFC 4254): channel multiplexing, global requests, keepalive.
 * Receives every message numbered 80 and above from the transport.
 */
export class Connection {
  private readonly channels = new Map<number, Channel>();
  private readonly opening = new Map<number, Deferred<void>>();
  private nextId = 0;
  private globalReplies: Deferred<boolean>[] = [];
  private keepaliveTimer: ReturnType<typeof setInterval> | undefined;
  private heardFromServer = false;
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

  /** Called for every inbound packet, so the keepalive knows the server is alive. */
  noteTraffic(): void {
    this.heardFromServer = true;
  }

  /** Open a "session" channel (RFC 4254 §6.1). */
  async openSession(): Promise<Channel> {
    if (this.failure) throw this.failure;
    if (this.channels.size >= this.o.maxChannels) throw new ChannelOpenError(OPEN_FAILURE.RESOURCE_SHORTAGE, `too many open channels (limit ${this.o.maxChannels})`);
    let id = this.nextId;
    while (this.channels.has(id)) id = (id + 1) >>> 0;
    this.nextId = (id + 1) >>> 0;
    const channel = new Channel(id, this.host);
    const opened = deferred<void>();
    this.channels.set(id, channel);
    this.opening.set(id, opened);
    await this.o.send(
      new SshWriter(32).byte(MSG.CHANNEL_OPEN).string("session").uint32(id).uint32(LOCAL_WINDOW).uint32(LOCAL_MAX_PACKET).finish().slice(),
    );
    try {
      await withTimeout(opened.promise, this.o.channelOpenTimeoutMs, () => new TimeoutError("channel open", this.o.channelOpenTimeoutMs));
    } catch (e) {
      if (e instanceof TimeoutError) {
        // A late confirmation will find the channel still registered and closed at once. Not
        // before: CHANNEL_CLOSE needs the server's id for it, which only the confirmation carries
        // (RFC 4254 §5.1, §5.3); sshd disconnects on a close for an id it never assigned.
        this.opening.delete(id);
      }
      throw e;
    }
    return channel;
  }

  /** A global request (RFC 4254 §4); with wantReply, resolves to the server's answer. */
  async globalRequest(name: string, wantReply: boolean): Promise<boolean> {
    if (this.failure) throw this.failure;
    let reply: Deferred<boolean> | undefined;
    if (wantReply) {
      reply = deferred<boolean>();
      this.globalReplies.push(reply);
    }
    await this.o.send(new SshWriter(64).byte(MSG.GLOBAL_REQUEST).string(name).boolean(wantReply).finish().slice());
    return reply ? reply.promise : true;
  }

  handle(payload: Uint8Array): void {
    const type = payload[0]!;
    const r = new SshReader(payload, 1);
    switch (type) {
      case MSG.GLOBAL_REQUEST: {
        const name = r.text(256);
        const wantReply = r.boolean();
        this.o.logger.debug(`server global request "${name}"`);
        // We provide no global services (no forwarding); "hostkeys-00@openssh.com" needs no reply.
        if (wantReply) void this.o.send(new Uint8Array([MSG.REQUEST_FAILURE])).catch(() => {});
        return;
      }
      case MSG.REQUEST_SUCCESS:
      case MSG.REQUEST_FAILURE: {
        const reply = this.globalReplies.shift();
        if (!reply) throw new ProtocolError("global request reply with no request outstanding");
        reply.resolve(type === MSG.REQUEST_SUCCESS);
        return;
      }
      case MSG.CHANNEL_OPEN: {
        const kind = r.text(256);
        const sender = r.uint32();
        this.o.logger.debug(`refusing server-initiated "${kind}" channel`);
        void this.o
          .send(
            new SshWriter(64)
              .byte(MSG.CHANNEL_OPEN_FAILURE)
              .uint32(sender)
              .uint32(OPEN_FAILURE.ADMINISTRATIVELY_PROHIBITED)
              .string("mcp-ssh accepts no channels from the server")
              .string("")
              .finish()
              .slice(),
          )
          .catch(() => {});
        return;
      }
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
        else void channel.close(); // We gave up waiting; close what the server opened.
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

  private keepaliveTick(): void {
    if (this.failure) return;
    if (this.heardFromServer) this.missedKeepalives = 0;
    else this.missedKeepalives++;
    this.heardFromServer = false;
    if (this.missedKeepalives >= this.o.keepaliveCountMax) {
      const seconds = (this.o.keepaliveIntervalMs * this.missedKeepalives) / 1000;
      this.o.fail(new ConnectionLostError(`the server did not answer for ${seconds} s (${this.missedKeepalives} keepalives missed)`));
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
