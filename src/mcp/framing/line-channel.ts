import type { Logger } from "../../ssh/logger.js";
import { safePeerText } from "../../ssh/wire/peer-text.js";
import type { ExitStatus, SSHChannel } from "../../ssh/options.js";
import { LineSplitter, type RawSplitEvent } from "./line-splitter.js";

/** A remote stderr line longer than this is dropped (it is only logged). */
const MAX_STDERR_LINE_BYTES = 1024 * 1024;
/** After stdout ends, how long to wait for the exit status (OpenSSH sends it between EOF and CLOSE). */
const EXIT_STATUS_WAIT_MS = 2000;
/** After close(), how long a consumer busy with the last lines may hold the end back. */
const CONSUMER_WAIT_MS = 2000;

/** How the remote side ended. */
export interface ChannelEnd {
  /** Exit status, when the server reported one (null: channel closed without one, or connection lost). */
  exit: ExitStatus | null;
  /** Set when the connection failed rather than the remote process ending. */
  error: Error | null;
}

export interface LineChannelEvents {
  /** One complete line from the remote's stdout. A returned promise holds back further reading. */
  line(text: string): void | Promise<void>;
  /**
   * Instead of `line`: the line's bytes, undecoded (without `\n`). They may be a view of a read
   * buffer that later reads reuse: copy them if they are kept past the call (or the returned promise).
   */
  bytes?(line: Uint8Array): void | Promise<void>;
  /** One line of the remote's stderr (control characters replaced), after it is logged. */
  stderrLine?(text: string): void;
  /** A line that could not be delivered (too long, not UTF-8, cut off); the stream goes on. */
  error(error: Error): void;
  /** The remote's stdout ended and its exit status is known (or will never come). Called once. */
  ended(end: ChannelEnd): void;
}

function sleep(ms: number): Promise<"timeout"> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve("timeout"), ms);
    // Never keep a runtime alive just for this timer (Node / Deno / Bun have unref; browsers not).
    (t as { unref?: () => void }).unref?.();
  });
}

/** Terminal control characters from a remote must not reach the user's terminal through our logs. */
function printable(line: string): string {
  return safePeerText(line);
}

/** Human-readable reason for a channel end, for logs and close reasons. */
export function describeEnd(end: ChannelEnd): string {
  if (end.error) return `the SSH connection was lost: ${end.error.message}`;
  if (end.exit?.signal) return `the remote MCP server was killed by signal ${end.exit.signal}`;
  if (end.exit?.code !== null && end.exit?.code !== undefined) return `the remote MCP server exited with code ${end.exit.code}`;
  return "the server closed the channel without an exit status";
}

/**
 * A session channel seen as lines: stdout split into `\n`-terminated lines (bounded), stderr
 * lines sent to the logger (never into the message stream), stdin written with backpressure.
 * Both output streams are always drained, because they share one flow-control window
 * (RFC 4254 §5.2): an unread stderr would stall stdout.
 */
export class LineChannel {
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  /** Channels with the fast path (ours) take writes directly, skipping the stdin stream's per-write promises. */
  private readonly direct: Required<Pick<SSHChannel, "send" | "readStdout">> | null;
  private readonly finished: Promise<ChannelEnd>;
  private resolveFinished!: (end: ChannelEnd) => void;
  private started = false;
  private inputEnded = false;

  constructor(
    readonly channel: SSHChannel,
    private readonly opts: { logger: Logger; maxLineBytes?: number; events: LineChannelEvents },
  ) {
    this.writer = channel.stdin.getWriter();
    this.direct = channel.send && channel.readStdout ? { send: channel.send.bind(channel), readStdout: channel.readStdout.bind(channel) } : null;
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
  }

  /** Begin reading stdout and stderr. */
  start(): void {
    if (this.started) return;
    this.started = true;
    void this.pumpStderr();
    this.pumpStdout();
  }

  /** Resolves with how the channel ended, once it has. */
  get whenEnded(): Promise<ChannelEnd> {
    return this.finished;
  }

  /** Write bytes to the remote's stdin; resolves once the channel has taken them (window permitting). */
  write(bytes: Uint8Array): Promise<void> {
    if (this.direct && !this.inputEnded) return this.direct.send(bytes);
    return this.writer.write(bytes);
  }

  /** Send EOF on stdin (the MCP stdio way of asking a server to exit). Idempotent. */
  async endInput(): Promise<void> {
    if (this.inputEnded) return;
    this.inputEnded = true;
    await this.writer.close().catch((e: unknown) => this.opts.logger.debug(`sending EOF: ${(e as Error).message}`));
  }

  /**
   * Ask the remote to exit (EOF), give it `graceMs` to do so, then close the channel. Resolves
   * when the channel has ended; output that arrives in the meantime is still delivered.
   */
  async close(graceMs: number): Promise<ChannelEnd> {
    this.start();
    await this.endInput();
    if ((await Promise.race([this.finished, sleep(graceMs)])) === "timeout") {
      this.opts.logger.debug(`the remote MCP server did not exit within ${graceMs} ms of EOF; closing the channel`);
    }
    await this.channel.close().catch((e: unknown) => this.opts.logger.debug(`closing the channel: ${(e as Error).message}`));
    // The channel is closed; only a consumer still busy with a line (say, a stdout nobody reads)
    // can hold `finished` back now. Do not wait for it forever.
    const end = await Promise.race([this.finished, sleep(CONSUMER_WAIT_MS)]);
    if (end !== "timeout") return end;
    this.opts.logger.debug(`the consumer of the remote's output did not finish within ${CONSUMER_WAIT_MS} ms; closing anyway`);
    return { exit: null, error: null };
  }

  private pumpStdout(): void {
    const splitter = new LineSplitter({ maxLineBytes: this.opts.maxLineBytes });
    if (!this.direct) {
      void this.readStdout(splitter);
      return;
    }
    this.direct.readStdout({
      data: (chunk) => this.take(splitter, splitter.pushRaw(chunk), 0),
      end: () => void this.stdoutEnded(splitter, null),
      error: (e) => void this.stdoutEnded(splitter, e),
    });
  }

  private async readStdout(splitter: LineSplitter): Promise<void> {
    const reader = this.channel.stdout.getReader();
    let error: Error | null = null;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const wait = this.take(splitter, splitter.pushRaw(value), 0);
        if (wait) await wait;
      }
    } catch (e) {
      error = e as Error;
    } finally {
      reader.releaseLock();
    }
    await this.stdoutEnded(splitter, error);
  }

  /**
   * Deliver the lines of one chunk's `events` from `from` on; a promise when a consumer holds back
   * further reading. Never throws: on the direct path it runs inside the connection's message
   * dispatch.
   */
  private take(splitter: LineSplitter, events: RawSplitEvent[], from: number): void | Promise<void> {
    const { events: on } = this.opts;
    for (let i = from; i < events.length; i++) {
      const event = events[i]!;
      if ("error" in event) {
        this.report(event.error);
        continue;
      }
      let wait: void | Promise<void>;
      try {
        if (on.bytes) {
          wait = on.bytes(event.bytes);
        } else {
          const decoded = splitter.decode(event.bytes);
          if ("error" in decoded) {
            this.report(decoded.error);
            continue;
          }
          wait = on.line(decoded.line);
        }
      } catch (e) {
        this.report(e);
        continue;
      }
      // A consumer that throws or rejects must not look like a broken connection: report it and go on.
      if (wait) return wait.then(
        () => this.take(splitter, events, i + 1),
        (e: unknown) => {
          this.report(e);
          return this.take(splitter, events, i + 1);
        },
      );
    }
  }

  private report(e: unknown): void {
    try {
      this.opts.events.error(e instanceof Error ? e : new Error(String(e)));
    } catch (inner) {
      this.opts.logger.debug(`the error handler threw: ${(inner as Error)?.message ?? inner}`);
    }
  }

  private async stdoutEnded(splitter: LineSplitter, streamError: Error | null): Promise<void> {
    let error = streamError;
    let exit: ExitStatus | null = null;
    if (!error) {
      for (const event of splitter.end()) if ("error" in event) this.report(event.error);
      const status = await Promise.race([this.channel.exit.catch((e: Error) => e), sleep(EXIT_STATUS_WAIT_MS)]);
      if (status instanceof Error) error = status;
      else if (status !== "timeout") exit = status;
    } else {
      // The stream failed; the exit promise fails the same way: keep it from going unhandled.
      this.channel.exit.catch(() => {});
    }
    const end: ChannelEnd = { exit: exit && (exit.code !== null || exit.signal !== null) ? exit : null, error };
    this.resolveFinished(end);
    this.opts.events.ended(end);
  }

  private async pumpStderr(): Promise<void> {
    const splitter = new LineSplitter({ maxLineBytes: MAX_STDERR_LINE_BYTES });
    const { logger } = this.opts;
    const reader = this.channel.stderr.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        for (const event of splitter.push(value)) {
          if ("line" in event) {
            const text = printable(event.line);
            logger.info(`remote: ${text}`);
            this.opts.events.stderrLine?.(text);
          }
          else logger.debug(`remote stderr: ${event.error.message}`);
        }
      }
    } catch {
      // The connection failed; stdout reports that.
    } finally {
      reader.releaseLock();
    }
  }
}
