import { ChannelRequestError, ConnectionLostError, ProtocolError } from "../errors.js";
import type { Logger } from "../logger.js";
import { MSG } from "../messages.js";
import type { ExitStatus, SSHChannel } from "./channel-types.js";
import { deferred, type Deferred } from "../deferred.js";
import { SshReader } from "../wire/reader.js";
import { SshWriter } from "../wire/writer.js";
import { safePeerText } from "../wire/peer-text.js";
import { InboundStream, type InboundSink } from "./inbound-stream.js";

/** OpenSSH's session channel defaults (CHAN_SES_WINDOW_DEFAULT, CHAN_SES_PACKET_DEFAULT). */
export const LOCAL_WINDOW = 2 * 1024 * 1024;
export const LOCAL_MAX_PACKET = 32 * 1024;
/** Largest data chunk we put in one CHANNEL_DATA, whatever the peer allows. */
const SEND_CHUNK = 32 * 1024;
/** How long close() waits for the peer's CHANNEL_CLOSE before releasing the channel anyway. */
const CLOSE_WAIT_MS = 5000;

/**
 * What a role does with a channel request from the peer (RFC 4254 §5.4): client sessions take
 * exit-status and exit-signal; a server's take exec, subsystem, env, ... The answer (true =
 * CHANNEL_SUCCESS) is sent when the peer asked for one, in the order the requests came.
 */
export type ChannelRequestHandler = (channel: Channel, type: string, r: SshReader) => boolean | Promise<boolean>;

export interface ChannelHost {
  sendFramed(length: number, fill: (buf: Uint8Array, offset: number) => void): Promise<void>;
  send(payload: Uint8Array): Promise<void>;
  release(localId: number): void;
  logger: Logger;
}

/**
 * One session channel (RFC 4254 §5-6) as Web Streams. Flow control both ways: our window is
 * re-opened as the consumer reads; we never send more than the peer's window or max packet, and
 * stdin writes resolve only once their bytes went out within that window.
 */
export class Channel implements SSHChannel {
  readonly stdin: WritableStream<Uint8Array>;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  readonly exit: Promise<ExitStatus>;

  remoteId = -1;
  private remoteWindow = 0;
  private remoteMaxPacket = 0;
  private localWindow = LOCAL_WINDOW;
  private unacked = 0;
  private readonly out: InboundStream;
  private readonly err: InboundStream;
  private readonly exitDone = deferred<ExitStatus>();
  private readonly closeDone = deferred<void>();
  private status: ExitStatus = { code: null, signal: null };
  /** Answers to the peer's requests go out in request order, even when a handler is async. */
  private requestTail: Promise<void> = Promise.resolve();
  /** Pending want-reply requests; "closed": the server closed the channel instead of answering. */
  private replies: Deferred<boolean | "closed">[] = [];
  private requestsSent = 0;
  private windowWaiter: Deferred<void> | null = null;
  /** The last write that had to wait (window, packet size); later writes queue behind it. */
  private writeTail: Promise<void> | null = null;
  private sentEof = false;
  private sentClose = false;
  private gotClose = false;
  /** The server's CHANNEL_CLOSE came before ours (it closed the channel, not we). */
  private serverClosedFirst = false;
  private failure: Error | null = null;

  constructor(
    readonly localId: number,
    private readonly host: ChannelHost,
    private readonly onRequest: ChannelRequestHandler,
  ) {
    this.out = new InboundStream((n) => this.consumed(n));
    this.err = new InboundStream((n) => this.consumed(n));
    this.stdout = this.out.readable;
    this.stderr = this.err.readable;
    this.exit = this.exitDone.promise;
    this.stdin = new WritableStream<Uint8Array>(
      {
        write: (chunk) => this.send(chunk),
        close: () => this.sendEof(),
        abort: () => this.sendEof(),
      },
      { highWaterMark: 1 },
    );
  }

  /**
   * Take stdout through `sink` instead of the `stdout` stream (for LineChannel): one stream hop
   * and its promises less per message, same flow control. `stdout` must not be read as well.
   */
  readStdout(sink: InboundSink): void {
    this.out.attach(sink);
  }

  get logger(): Logger {
    return this.host.logger;
  }

  /** Bytes received on stdout and stderr that the consumer has not read yet. */
  get bufferedBytes(): number {
    return this.out.buffered + this.err.buffered;
  }

  /** CHANNEL_OPEN_CONFIRMATION: the peer's id, window and max packet. */
  confirm(remoteId: number, window: number, maxPacket: number): void {
    // A zero max packet would let no data through at all; no real server sends it.
    if (maxPacket === 0) throw new ProtocolError("server opened a channel with a maximum packet size of 0");
    this.remoteId = remoteId;
    this.remoteWindow = window;
    this.remoteMaxPacket = maxPacket;
  }

  /**
   * True when the server closed the channel before we sent any request on it: nothing can have run
   * there, so the caller may open another. Dropbear before the fix for mkj/dropbear#326 (2022.83
   * included) does this when a child process of the same connection exits between its
   * CHANNEL_OPEN_CONFIRMATION and our first request.
   */
  get closedUnused(): boolean {
    return this.serverClosedFirst && this.requestsSent === 0;
  }

  /** Send a channel request (RFC 4254 §5.4); with wantReply, resolves to the server's answer. */
  async request(type: string, wantReply: boolean, body?: (w: SshWriter) => void): Promise<boolean> {
    return (await this.sendRequest(type, wantReply, body)) === true;
  }

  /** Throws ChannelRequestError unless the request succeeded. */
  async mustRequest(type: string, what: string, body?: (w: SshWriter) => void): Promise<void> {
    const answer = await this.sendRequest(type, true, body);
    if (answer === "closed") throw new ChannelRequestError(`the server closed the channel instead of answering the ${what}`);
    if (!answer) throw new ChannelRequestError(`the server refused the ${what}`);
  }

  private async sendRequest(type: string, wantReply: boolean, body?: (w: SshWriter) => void): Promise<boolean | "closed"> {
    if (this.failure) throw this.failure;
    if (this.gotClose) throw new ChannelRequestError(`the server closed the channel before the "${type}" request`);
    if (this.sentClose) throw new ChannelRequestError(`channel closed before the "${type}" request`);
    const w = new SshWriter(128).byte(MSG.CHANNEL_REQUEST).uint32(this.remoteId).string(type).boolean(wantReply);
    body?.(w);
    let reply: Deferred<boolean | "closed"> | undefined;
    if (wantReply) {
      reply = deferred<boolean | "closed">();
      this.replies.push(reply);
    }
    this.requestsSent++;
    await this.host.send(w.finish().slice());
    return reply ? reply.promise : true;
  }

  /** Dispatch a message addressed to this channel. */
  handle(type: number, r: SshReader): void {
    switch (type) {
      case MSG.CHANNEL_DATA:
      case MSG.CHANNEL_EXTENDED_DATA: {
        const ext = type === MSG.CHANNEL_EXTENDED_DATA ? r.uint32() : 0;
        const data = r.string(LOCAL_MAX_PACKET);
        // RFC 4254 §5.2: the peer must stay within the window we granted.
        if (data.length > this.localWindow) throw new ProtocolError(`server sent ${data.length} bytes on channel ${this.localId} with only ${this.localWindow} of window left`);
        this.localWindow -= data.length;
        if (ext === 0) this.out.push(data);
        else if (ext === 1) this.err.push(data);
        else this.consumed(data.length);
        return;
      }
      case MSG.CHANNEL_WINDOW_ADJUST: {
        const n = r.uint32();
        this.remoteWindow = Math.min(this.remoteWindow + n, 0xffffffff);
        const w = this.windowWaiter;
        this.windowWaiter = null;
        w?.resolve();
        return;
      }
      case MSG.CHANNEL_EOF:
        this.out.end();
        this.err.end();
        return;
      case MSG.CHANNEL_CLOSE:
        this.onRemoteClose();
        return;
      case MSG.CHANNEL_REQUEST:
        this.handleRequest(r);
        return;
      case MSG.CHANNEL_SUCCESS:
      case MSG.CHANNEL_FAILURE: {
        const reply = this.replies.shift();
        if (!reply) throw new ProtocolError(`channel reply with no request outstanding on channel ${this.localId}`);
        reply.resolve(type === MSG.CHANNEL_SUCCESS);
        return;
      }
      default:
        throw new ProtocolError(`unexpected channel message ${type}`);
    }
  }

  private handleRequest(r: SshReader): void {
    const type = r.text(256);
    const wantReply = r.boolean();
    // Unknown requests (keepalive@openssh.com included) get false from the handler: RFC 4254 §5.4.
    const answer = this.onRequest(this, type, r);
    const reply = (ok: boolean) => {
      if (wantReply && !this.sentClose) void this.host.send(this.bare(ok ? MSG.CHANNEL_SUCCESS : MSG.CHANNEL_FAILURE)).catch(() => {});
    };
    if (typeof answer === "boolean") {
      const tail = this.requestTail;
      this.requestTail = tail.then(() => reply(answer));
      return;
    }
    const settled = answer.then(
      (ok) => ok,
      (e: unknown) => {
        this.host.logger.debug(`channel ${this.localId} "${type}" request failed: ${(e as Error)?.message ?? e}`);
        return false;
      },
    );
    this.requestTail = Promise.all([this.requestTail, settled]).then(([, ok]) => reply(ok));
  }

  /** The remote process's exit status or signal, as the peer reported it (`exit` resolves with it). */
  recordExit(status: Partial<ExitStatus>): void {
    this.status = { ...this.status, ...status };
  }

  /** A message that is only a type and our peer's channel id (EOF, CLOSE, FAILURE). */
  private bare(type: number): Uint8Array {
    const id = this.remoteId;
    return new Uint8Array([type, id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff]);
  }

  private consumed(n: number): void {
    if (n === 0 || this.sentClose) return;
    this.unacked += n;
    // Re-open the window in large steps to keep WINDOW_ADJUST traffic low (half the window).
    if (this.unacked >= LOCAL_WINDOW / 2) {
      const add = this.unacked;
      this.unacked = 0;
      this.localWindow += add;
      void this.host.send(new SshWriter(12).byte(MSG.CHANNEL_WINDOW_ADJUST).uint32(this.remoteId).uint32(add).finish().slice()).catch(() => {});
    }
  }

  /**
   * Write to the remote's stdin without the WritableStream (for LineChannel's small messages):
   * the same ordering and flow control as `stdin`, whose writes come here too. A chunk that fits
   * the peer's window and max packet, with no earlier write still waiting, is framed and handed
   * to the transport at once; the promise is the transport's (it waits only while the socket is
   * full). Anything else queues behind the waiting write. `extended` 1 sends it as stderr
   * (CHANNEL_EXTENDED_DATA), in the same order and window as the data.
   */
  send(chunk: Uint8Array, extended = 0): Promise<void> {
    const n = chunk.length;
    if (
      this.writeTail === null &&
      n > 0 &&
      n <= this.remoteWindow &&
      n <= this.remoteMaxPacket &&
      n <= SEND_CHUNK &&
      this.failure === null &&
      !this.sentEof &&
      !this.sentClose &&
      !this.gotClose
    ) {
      this.remoteWindow -= n;
      return this.sendData(chunk, extended);
    }
    const tail = (this.writeTail ?? Promise.resolve()).then(() => this.write(chunk, extended));
    this.writeTail = tail;
    const clear = () => {
      if (this.writeTail === tail) this.writeTail = null;
    };
    tail.then(clear, clear);
    return tail;
  }

  /**
   * One CHANNEL_DATA, or CHANNEL_EXTENDED_DATA when `extended` is a data type code (1 = stderr,
   * RFC 4254 §5.2; a server sends its process's stderr so); the caller has taken `piece.length`
   * from the peer's window, which both kinds share.
   */
  private sendData(piece: Uint8Array, extended = 0): Promise<void> {
    const rid = this.remoteId;
    const n = piece.length;
    if (extended !== 0) {
      const head = new SshWriter(13).byte(MSG.CHANNEL_EXTENDED_DATA).uint32(rid).uint32(extended).uint32(n).finish();
      return this.host.sendFramed(13 + n, (buf, o) => {
        buf.set(head, o);
        buf.set(piece, o + 13);
      });
    }
    return this.host.sendFramed(9 + n, (buf, o) => {
      buf[o] = MSG.CHANNEL_DATA;
      buf[o + 1] = rid >>> 24;
      buf[o + 2] = rid >>> 16;
      buf[o + 3] = rid >>> 8;
      buf[o + 4] = rid;
      buf[o + 5] = n >>> 24;
      buf[o + 6] = n >>> 16;
      buf[o + 7] = n >>> 8;
      buf[o + 8] = n;
      buf.set(piece, o + 9);
    });
  }

  private async write(chunk: Uint8Array, extended = 0): Promise<void> {
    let off = 0;
    while (off < chunk.length) {
      if (this.failure) throw this.failure;
      if (this.sentEof || this.sentClose || this.gotClose) throw new ChannelRequestError("channel is closed for writing");
      if (this.remoteWindow === 0) {
        this.windowWaiter = deferred<void>();
        await this.windowWaiter.promise;
        continue;
      }
      const n = Math.min(chunk.length - off, this.remoteWindow, this.remoteMaxPacket, SEND_CHUNK);
      this.remoteWindow -= n;
      const piece = chunk.subarray(off, off + n);
      off += n;
      await this.sendData(piece, extended);
    }
  }

  private async sendEof(): Promise<void> {
    // EOF goes after every byte already written, including a write still waiting for window.
    while (this.writeTail) await this.writeTail.catch(() => {});
    if (this.sentEof || this.sentClose || this.gotClose || this.failure) return;
    this.sentEof = true;
    await this.host.send(this.bare(MSG.CHANNEL_EOF));
  }

  private onRemoteClose(): void {
    this.gotClose = true;
    this.serverClosedFirst = !this.sentClose;
    this.out.end();
    this.err.end();
    for (const r of this.replies.splice(0)) r.resolve("closed");
    this.windowWaiter?.reject(new ChannelRequestError("channel closed by the server"));
    if (!this.sentClose) this.sendClose();
    this.finish();
  }

  private sendClose(): void {
    this.sentClose = true;
    void this.host.send(this.bare(MSG.CHANNEL_CLOSE)).catch(() => {});
  }

  private finish(): void {
    this.host.release(this.localId);
    this.exitDone.resolve(this.status);
    this.closeDone.resolve();
  }

  /** Close the channel (RFC 4254 §5.3) and wait, bounded, for the peer's CHANNEL_CLOSE. */
  async close(): Promise<void> {
    if (this.failure || this.gotClose) return;
    if (!this.sentClose) this.sendClose();
    const timer = setTimeout(() => {
      this.out.end();
      this.err.end();
      this.finish();
    }, CLOSE_WAIT_MS);
    await this.closeDone.promise;
    clearTimeout(timer);
  }

  /** The connection is gone: every stream errors, `exit` rejects, nothing waits forever. */
  fail(error: Error): void {
    if (this.failure || this.gotClose) return;
    this.failure = error instanceof ConnectionLostError ? error : new ConnectionLostError(error.message, { cause: error });
    this.out.error(this.failure);
    this.err.error(this.failure);
    for (const r of this.replies.splice(0)) r.reject(this.failure);
    this.windowWaiter?.reject(this.failure);
    this.exitDone.reject(this.failure);
    this.closeDone.resolve();
  }
}
