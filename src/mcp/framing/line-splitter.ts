import { MessageFramingError } from "./errors.js";

/** Default cap on one line: far above any sane MCP message, low enough to stop a runaway peer. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;

/** What one chunk produced, in stream order: complete lines, or a problem with one line. */
export type SplitEvent = { line: string } | { error: MessageFramingError };
/**
 * The same, undecoded: the line's bytes without `\n` (and `\r`). They may be a view of the pushed
 * chunk, valid only until the caller reuses that memory: copy what you keep.
 */
export type RawSplitEvent = { bytes: Uint8Array } | { error: MessageFramingError };

/**
 * Splits a byte stream into `\n`-terminated lines (the MCP stdio framing).
 *
 * Bytes are kept until the line's `\n` arrives and only then decoded, so a UTF-8 character cut
 * across chunks is decoded whole (0x0A never occurs inside a multibyte UTF-8 sequence). A trailing
 * `\r` is dropped. A line longer than `maxLineBytes` is reported once, as soon as it crosses the
 * limit, and its remaining bytes are discarded up to the next `\n` without being held: memory
 * stays bounded by the limit whatever the peer sends.
 */
export class LineSplitter {
  readonly maxLineBytes: number;
  private parts: Uint8Array[] = [];
  private size = 0;
  /** Inside an oversized line: drop bytes until the next `\n`. */
  private skipping = false;
  private readonly decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

  constructor(opts: { maxLineBytes?: number } = {}) {
    const max = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new RangeError(`maxLineBytes must be a positive integer, got ${max}`);
    }
    this.maxLineBytes = max;
  }

  /** Feed the next chunk. The chunk may be reused by the caller afterwards (tails are copied). */
  push(chunk: Uint8Array): SplitEvent[] {
    return this.pushRaw(chunk).map((e) => ("bytes" in e ? this.decode(e.bytes) : e));
  }

  /** `push` without decoding (the proxy checks and relays bytes as they are). */
  pushRaw(chunk: Uint8Array): RawSplitEvent[] {
    const events: RawSplitEvent[] = [];
    let start = 0;
    while (start < chunk.length) {
      const lf = chunk.indexOf(LF, start);
      const end = lf < 0 ? chunk.length : lf;
      const piece = chunk.subarray(start, end);
      if (this.skipping) {
        if (lf >= 0) this.skipping = false;
      } else if (this.size + piece.length > this.maxLineBytes) {
        events.push({ error: this.oversized() });
        this.parts = [];
        this.size = 0;
        // The line ends in this chunk: nothing left to skip.
        this.skipping = lf < 0;
      } else if (lf >= 0) {
        events.push(this.finishLine(piece));
      } else {
        // A real copy (Buffer#slice would be a view): the caller may reuse its chunk.
        this.parts.push(new Uint8Array(piece));
        this.size += piece.length;
      }
      if (lf < 0) break;
      start = lf + 1;
    }
    return events;
  }

  /** The stream ended: bytes after the last `\n` are a truncated line. */
  end(): { error: MessageFramingError }[] {
    const pending = this.size;
    this.parts = [];
    this.size = 0;
    this.skipping = false;
    if (pending === 0) return [];
    return [
      {
        error: new MessageFramingError(
          "truncated",
          `the stream ended inside a line (${pending} bytes without a final newline); the partial message was dropped`,
        ),
      },
    ];
  }

  private oversized(): MessageFramingError {
    return new MessageFramingError(
      "oversized",
      `a line exceeded the ${this.maxLineBytes}-byte limit and was dropped; raise maxLineBytes if such messages are expected`,
    );
  }

  /** Strict UTF-8 (a bad line is an error event, never U+FFFD in a message). */
  decode(bytes: Uint8Array): SplitEvent {
    try {
      return { line: this.decoder.decode(bytes) };
    } catch (cause) {
      return {
        error: new MessageFramingError("invalid-utf8", "a line was not valid UTF-8 and was dropped", { cause }),
      };
    }
  }

  private finishLine(last: Uint8Array): RawSplitEvent {
    let bytes: Uint8Array;
    if (this.parts.length === 0) {
      bytes = last;
    } else {
      bytes = new Uint8Array(this.size + last.length);
      let off = 0;
      for (const p of this.parts) {
        bytes.set(p, off);
        off += p.length;
      }
      bytes.set(last, off);
      this.parts = [];
      this.size = 0;
    }
    if (bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, bytes.length - 1);
    return { bytes };
  }
}
