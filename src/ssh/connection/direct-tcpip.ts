/**
 * Port forwarding towards the server side (RFC 4254 §7.2): a "direct-tcpip" channel asks the
 * server to open a TCP connection to host:port and carries its bytes. The channel is handed out
 * as a ByteStream, the same duplex the TCP and WebSocket adapters give, so anything that runs on
 * a socket runs on it: another SSH connection (ProxyJump), HTTP (sshFetch), a relay.
 */
import { ChannelOpenError } from "../errors.js";
import type { ByteStream } from "../io/byte-stream.js";
import { OPEN_FAILURE } from "../messages.js";
import type { Channel } from "./channel.js";
import type { Connection } from "./connection.js";

export interface ForwardOutOptions {
  /**
   * The originator address and port the server is told about (RFC 4254 §7.2; sshd only logs them).
   * Default 127.0.0.1 port 65535, what OpenSSH's `ssh -W` sends.
   */
  originator?: { host: string; port: number };
}

/** A direct-tcpip channel as a ByteStream; `writable.close()` is a half-close (our EOF). */
export interface ForwardedStream extends ByteStream {
  /** "host:port" as asked of the server. */
  readonly target: string;
  /** Bytes the server sent that the reader has not taken yet: never more than the window we granted. */
  readonly bufferedBytes: number;
  /** Resolves when the channel is closed, by either side or because the connection ended. */
  readonly whenClosed: Promise<void>;
  writeNow(chunk: Uint8Array): Promise<void>;
}

const REASONS: Record<number, string> = {
  [OPEN_FAILURE.ADMINISTRATIVELY_PROHIBITED]: "administratively prohibited",
  [OPEN_FAILURE.CONNECT_FAILED]: "connect failed",
  [OPEN_FAILURE.UNKNOWN_CHANNEL_TYPE]: "unknown channel type",
  [OPEN_FAILURE.RESOURCE_SHORTAGE]: "resource shortage",
};

/** What to tell the caller after the server refused to open the channel. */
function refusalHint(code: number): string {
  switch (code) {
    case OPEN_FAILURE.ADMINISTRATIVELY_PROHIBITED:
      return "the server does not allow this forwarding (sshd: AllowTcpForwarding, PermitOpen, or a restrict/permitopen option on the key)";
    case OPEN_FAILURE.CONNECT_FAILED:
      return "the server could not connect there: is something listening on that address, as seen from the server?";
    case OPEN_FAILURE.UNKNOWN_CHANNEL_TYPE:
      return "the server does not do TCP forwarding at all";
    default:
      return "try again later or with fewer channels";
  }
}

/** Open a direct-tcpip channel to host:port; a refusal is a ChannelOpenError naming the reason. */
export async function openDirectTcpip(connection: Connection, host: string, port: number, opts: ForwardOutOptions = {}): Promise<ForwardedStream> {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`forwardOut: port must be 0..65535, got ${port}`);
  if (host === "") throw new TypeError("forwardOut: host must not be empty");
  const origin = opts.originator ?? { host: "127.0.0.1", port: 65535 };
  const target = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  let channel: Channel;
  try {
    channel = await connection.openChannel("direct-tcpip", (w) => w.string(host).uint32(port).string(origin.host).uint32(origin.port));
  } catch (e) {
    if (e instanceof ChannelOpenError) {
      const reason = REASONS[e.reasonCode] ?? `reason ${e.reasonCode}`;
      const detail = e.description && e.description !== reason ? ` (${e.description})` : "";
      e.message = `the server refused to forward to ${target}: ${reason}${detail}; ${refusalHint(e.reasonCode)}`;
    }
    throw e;
  }
  channel.logger.debug(`direct-tcpip channel ${channel.localId} to ${target} open`);
  return new ChannelByteStream(channel, target);
}

class ChannelByteStream implements ForwardedStream {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly whenClosed: Promise<void>;

  constructor(
    private readonly channel: Channel,
    readonly target: string,
  ) {
    // Pull-driven with no queue of its own: a chunk leaves the channel (and counts towards the
    // next WINDOW_ADJUST) only when the reader asks for it, so a paused reader stops the sender.
    const out = channel.stdout.getReader();
    this.readable = new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          const { value, done } = await out.read();
          if (done) controller.close();
          else controller.enqueue(value);
        },
        cancel: async () => {
          await out.cancel().catch(() => {});
          await this.close();
        },
      },
      { highWaterMark: 0 },
    );
    // Only for the EOF: data goes through channel.send, which keeps order and waits for window.
    const eof = channel.stdin.getWriter();
    this.writable = new WritableStream<Uint8Array>(
      {
        write: (chunk) => channel.send(chunk),
        close: () => eof.close(),
        abort: () => this.close(),
      },
      { highWaterMark: 1 },
    );
    this.whenClosed = channel.exit.then(
      () => {},
      () => {},
    );
  }

  get bufferedBytes(): number {
    return this.channel.bufferedBytes;
  }

  writeNow(chunk: Uint8Array): Promise<void> {
    return this.channel.send(chunk);
  }

  close(): Promise<void> {
    return this.channel.close();
  }
}
