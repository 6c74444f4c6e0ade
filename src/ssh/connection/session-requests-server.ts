/**
 * What a server does with the requests a client sends on a session channel (RFC 4254 §6): `env`
 * (only names the allow-list matches, like sshd's AcceptEnv), then one of `shell`, `exec` or
 * `subsystem`, which starts the session through the application's handler. pty-req, x11-req,
 * auth-agent-req@openssh.com and everything else are refused; a second start is refused too.
 */
import type { Logger } from "../logger.js";
import { deferred } from "../deferred.js";
import { matchPattern } from "../keys/host-patterns.js";
import { safePeerText } from "../wire/peer-text.js";
import { utf8 } from "../wire/bytes.js";
import type { Channel, ChannelRequestHandler } from "./channel.js";

/** sshd caps the environment a client may send; so do we (names and values together). */
const MAX_ENV_VARS = 64;
const MAX_ENV_BYTES = 64 * 1024;

export interface SessionStart {
  kind: "shell" | "exec" | "subsystem";
  /** The exec command, as the client sent it. */
  command: string | null;
  /** The subsystem name. */
  subsystem: string | null;
  /** Accepted `env` requests. */
  env: Record<string, string>;
}

/** A started session as the application sees it: Web Streams and an exit. */
export class ServerSession implements SessionStart {
  /** What the client sends (its stdin): channel data; ends at the client's EOF. */
  readonly stdin: ReadableStream<Uint8Array>;
  /** What goes to the client's stdout: channel data, within the client's window. */
  readonly stdout: WritableStream<Uint8Array>;
  /** What goes to the client's stderr: extended data. */
  readonly stderr: WritableStream<Uint8Array>;
  /** Resolves when the channel is closed (by either side) or the connection is lost. */
  readonly closed: Promise<void>;
  kind: SessionStart["kind"] = "shell";
  command: string | null = null;
  subsystem: string | null = null;
  env: Record<string, string> = {};
  private exited = false;

  constructor(private readonly channel: Channel) {
    this.stdin = channel.stdout;
    this.stdout = channel.stdin;
    this.stderr = new WritableStream<Uint8Array>({ write: (chunk) => channel.send(chunk, 1) }, { highWaterMark: 1 });
    const closed = deferred<void>();
    channel.exit.then(
      () => closed.resolve(),
      () => closed.resolve(),
    );
    this.closed = closed.promise;
  }

  get channelId(): number {
    return this.channel.localId;
  }

  /** Write a message to the client's stderr (best effort, for refusals). */
  async say(text: string): Promise<void> {
    await this.channel.send(utf8(text.endsWith("\n") ? text : `${text}\n`), 1).catch(() => {});
  }

  /**
   * End the session: report the exit status (or signal, as "TERM", "KILL", ...) with
   * exit-status / exit-signal (RFC 4254 §6.10), send EOF, and close the channel. Close stdout
   * first (or let its pipe finish) so no data is lost. Idempotent.
   */
  async exit(status: { code: number | null; signal?: string | null }): Promise<void> {
    if (this.exited) return;
    this.exited = true;
    try {
      if (status.signal) {
        await this.channel.request("exit-signal", false, (w) => w.string(status.signal!.replace(/^SIG/, "")).boolean(false).string("").string(""));
      } else {
        await this.channel.request("exit-status", false, (w) => w.uint32((status.code ?? 255) >>> 0));
      }
      const writer = this.stdout.getWriter();
      await writer.close().catch(() => {});
    } catch {
      /* the channel or the connection is gone already */
    }
    await this.channel.close().catch(() => {});
  }

  /** Close the channel without a status (the process could not start). */
  async abort(): Promise<void> {
    this.exited = true;
    await this.channel.close().catch(() => {});
  }
}

export interface ServerSessionOptions {
  /** Names (wildcards allowed) the client may set with `env`. */
  acceptEnv: readonly string[];
  /**
   * Start the session. true = accepted (CHANNEL_SUCCESS); false or a message = refused
   * (CHANNEL_FAILURE, the message on the channel's stderr).
   */
  start(session: ServerSession): boolean | string | Promise<boolean | string>;
  logger: Logger;
}

/** The channel request handler for one session channel. */
export function serverSessionRequests(o: ServerSessionOptions): ChannelRequestHandler {
  let session: ServerSession | null = null;
  let started = false;
  let envBytes = 0;
  const env: Record<string, string> = {};
  return (channel, type, r) => {
    session ??= new ServerSession(channel);
    const s = session;
    switch (type) {
      case "env": {
        const name = r.text(256);
        const value = r.text(16 * 1024);
        const accepted = !started && o.acceptEnv.some((p) => matchPattern(name, p));
        if (!accepted || Object.keys(env).length >= MAX_ENV_VARS || envBytes + name.length + value.length > MAX_ENV_BYTES) {
          o.logger.debug(`channel ${channel.localId}: env ${safePeerText(name)} refused`);
          return false;
        }
        envBytes += name.length + value.length;
        env[name] = value;
        return true;
      }
      case "shell":
      case "exec":
      case "subsystem": {
        if (started) return false;
        started = true;
        s.kind = type;
        if (type === "exec") s.command = r.text(64 * 1024);
        if (type === "subsystem") s.subsystem = r.text(256);
        s.env = { ...env };
        return Promise.resolve(o.start(s)).then(async (answer) => {
          if (answer === true) return true;
          if (typeof answer === "string") await s.say(answer);
          return false;
        });
      }
      default:
        // pty-req, x11-req, auth-agent-req@openssh.com, window-change, signal, break, ...
        o.logger.debug(`channel ${channel.localId}: "${safePeerText(type)}" request refused`);
        return false;
    }
  };
}
