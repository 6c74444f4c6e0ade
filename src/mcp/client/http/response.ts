/**
 * The client half of HTTP/1.1 message parsing (RFC 9112) over any ReadableStream of bytes: the
 * status line and header fields, then the body framed by Content-Length, chunked
 * Transfer-Encoding, or the end of the connection (§6.3). Everything the server sends is bounded:
 * the head, each chunk-size line, the trailers. The body is a pull-driven ReadableStream with no
 * queue of its own, so an unread body holds the SSH channel's window closed (backpressure) and an
 * event stream delivers each chunk as it arrives.
 */
import { HttpParseError, SshFetchError } from "./errors.js";

export interface HttpLimits {
  /** Status line plus header fields, and separately the trailers. Default 64 KiB. */
  maxHeaderBytes: number;
  /** Header fields in one head. Default 256. */
  maxHeaderCount: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = { maxHeaderBytes: 64 * 1024, maxHeaderCount: 256 };

/** A chunk-size line with its extensions; longer ones are refused (RFC 9112 §7.1.1 lets us). */
const MAX_CHUNK_LINE = 4096;
const LF = 10;
const EMPTY = new Uint8Array(0);

export interface ResponseHead {
  status: number;
  statusText: string;
  /** In the order received; names as sent. */
  headers: Array<[name: string, value: string]>;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minorVersion: number;
}

export type BodyFraming = { kind: "none" } | { kind: "length"; length: number } | { kind: "chunked" } | { kind: "close" };

/** Bytes read from a stream, with look-ahead, shared by the head parser and the body decoders. */
export class ByteQueue {
  private buf: Uint8Array = EMPTY;
  private off = 0;

  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  get available(): number {
    return this.buf.length - this.off;
  }

  /** Read one more chunk from the stream; false at its end. */
  async fill(): Promise<boolean> {
    const { value, done } = await this.reader.read();
    if (done) return false;
    if (this.available === 0) {
      this.buf = value;
      this.off = 0;
    } else {
      const joined = new Uint8Array(this.available + value.length);
      joined.set(this.buf.subarray(this.off));
      joined.set(value, this.available);
      this.buf = joined;
      this.off = 0;
    }
    return true;
  }

  /** Offset of the first LF among the buffered bytes, or -1. */
  indexOfLf(): number {
    const i = this.buf.indexOf(LF, this.off);
    return i < 0 ? -1 : i - this.off;
  }

  /** The next `n` buffered bytes (a view, no copy). */
  take(n: number): Uint8Array {
    const out = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return out;
  }
}

/** Bytes as ISO-8859-1 (header fields are octets; this keeps every one of them). */
function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
}

/** One line without its CRLF (a bare LF is accepted, RFC 9112 §2.2); at most `max` bytes with it. */
async function readLine(q: ByteQueue, max: number, what: string, cap = max): Promise<string> {
  const tooLong = () => new HttpParseError(`the server's ${what} is longer than ${cap} bytes`);
  for (;;) {
    const lf = q.indexOfLf();
    if (lf >= 0) {
      if (lf + 1 > max) throw tooLong();
      const line = q.take(lf + 1);
      const end = line.length >= 2 && line[line.length - 2] === 13 ? line.length - 2 : line.length - 1;
      const text = latin1(line.subarray(0, end));
      if (text.includes("\r") || text.includes("\0")) throw new HttpParseError(`the server's ${what} holds a bare CR or a NUL`);
      return text;
    }
    if (q.available > max) throw tooLong();
    if (!(await q.fill())) throw new HttpParseError(`the connection ended in the middle of the server's ${what}`);
  }
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const STATUS_LINE = /^HTTP\/1\.([0-9]) ([0-9]{3})(?: (.*))?$/;

/**
 * Read the response head, skipping interim 1xx responses (100 Continue, 103 Early Hints).
 * 101 Switching Protocols is refused: sshFetch does not hand the connection over.
 */
export async function readResponseHead(q: ByteQueue, limits: HttpLimits = DEFAULT_HTTP_LIMITS): Promise<ResponseHead> {
  for (;;) {
    let room = limits.maxHeaderBytes;
    const line = async (what: string) => {
      const text = await readLine(q, room, what, limits.maxHeaderBytes);
      room -= text.length + 1;
      return text;
    };
    const statusLine = await line("response head");
    const m = STATUS_LINE.exec(statusLine);
    if (!m) throw new HttpParseError(`the server did not answer with HTTP/1.x: ${JSON.stringify(statusLine.slice(0, 80))}`);
    const status = Number(m[2]);
    const headers: Array<[string, string]> = [];
    for (;;) {
      const field = await line("response head");
      if (field === "") break;
      if (field[0] === " " || field[0] === "\t") throw new HttpParseError("the server sent an obsolete folded header line");
      const colon = field.indexOf(":");
      const name = colon > 0 ? field.slice(0, colon) : "";
      if (!TOKEN.test(name)) throw new HttpParseError(`the server sent a malformed header line: ${JSON.stringify(field.slice(0, 80))}`);
      if (headers.length >= limits.maxHeaderCount) throw new HttpParseError(`the server sent more than ${limits.maxHeaderCount} header fields`);
      headers.push([name, field.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "")]);
    }
    if (status === 101) throw new HttpParseError("the server switched protocols (101), which sshFetch does not support");
    if (status >= 100 && status < 200) continue;
    if (status < 100 || status > 599) throw new HttpParseError(`the server answered with status ${status}`);
    return { status, statusText: m[3] ?? "", headers, minorVersion: Number(m[1]) };
  }
}

/** How the body of a response to `method` is delimited (RFC 9112 §6.3). */
export function bodyFraming(method: string, head: ResponseHead): BodyFraming {
  if (method === "HEAD" || head.status === 204 || head.status === 304) return { kind: "none" };
  const values = (name: string) => head.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
  const te = values("transfer-encoding");
  if (te.length > 0) {
    const codings = te
      .join(",")
      .split(",")
      .map((c) => c.trim().toLowerCase())
      .filter(Boolean);
    if (codings.length === 1 && codings[0] === "chunked") return { kind: "chunked" };
    if (codings.every((c) => c === "identity")) return { kind: "close" };
    // gzip etc. as a transfer coding is nearly unheard of; not decoding it beats misreading it.
    throw new HttpParseError(`the server used Transfer-Encoding "${te.join(", ")}"; only chunked is supported`);
  }
  const cl = values("content-length");
  if (cl.length > 0) {
    const all = cl.join(",").split(",").map((v) => v.trim());
    if (!all.every((v) => /^[0-9]{1,15}$/.test(v)) || new Set(all.map(Number)).size !== 1) {
      throw new HttpParseError(`the server sent an invalid Content-Length: ${JSON.stringify(cl.join(", "))}`);
    }
    return { kind: "length", length: Number(all[0]) };
  }
  return { kind: "close" };
}

export interface BodyReader {
  readonly stream: ReadableStream<Uint8Array>;
  /** Fail the body now (abort): the consumer's next read rejects with `reason`. */
  fail(reason: unknown): void;
}

/**
 * The body as a ReadableStream; `label` starts the message of a parse error. `done` is called once: with nothing when the body ended as framed,
 * with the error when it failed, with "cancel" when the consumer cancelled it.
 */
export function bodyReader(q: ByteQueue, framing: BodyFraming, limits: HttpLimits, label: string, done: (end?: unknown) => void): BodyReader {
  let finished = false;
  let ctl!: ReadableStreamDefaultController<Uint8Array>;
  const finish = (end?: unknown) => {
    if (finished) return;
    finished = true;
    done(end);
  };
  const close = () => {
    if (finished) return;
    ctl.close();
    finish();
  };
  const next = async (): Promise<Uint8Array | null> => {
    if (q.available > 0 || (await q.fill())) return null;
    throw new HttpParseError("the connection ended in the middle of the response body");
  };

  let remaining = framing.kind === "length" ? framing.length : 0;
  let chunkState: "size" | "data" | "crlf" | "trailers" = "size";

  const pull = async (): Promise<void> => {
    switch (framing.kind) {
      case "none":
        return close();
      case "length": {
        if (remaining === 0) return close();
        await next();
        const piece = q.take(Math.min(q.available, remaining));
        remaining -= piece.length;
        ctl.enqueue(piece);
        if (remaining === 0) close();
        return;
      }
      case "close": {
        if (q.available === 0 && !(await q.fill())) return close();
        ctl.enqueue(q.take(q.available));
        return;
      }
      case "chunked":
        for (;;) {
          if (chunkState === "size") {
            const line = await readLine(q, MAX_CHUNK_LINE, "chunk size line");
            const size = line.split(";")[0]!.trim();
            if (!/^[0-9a-fA-F]{1,13}$/.test(size)) throw new HttpParseError(`the server sent a malformed chunk size: ${JSON.stringify(line.slice(0, 40))}`);
            remaining = parseInt(size, 16);
            chunkState = remaining === 0 ? "trailers" : "data";
          } else if (chunkState === "data") {
            await next();
            const piece = q.take(Math.min(q.available, remaining));
            remaining -= piece.length;
            if (remaining === 0) chunkState = "crlf";
            ctl.enqueue(piece);
            return;
          } else if (chunkState === "crlf") {
            if ((await readLine(q, 2, "chunk end")) !== "") throw new HttpParseError("the server's chunk is longer than its size says");
            chunkState = "size";
          } else {
            let room = limits.maxHeaderBytes;
            for (;;) {
              const trailer = await readLine(q, room, "trailer section", limits.maxHeaderBytes);
              room -= trailer.length + 1;
              if (trailer === "") return close();
            }
          }
        }
    }
  };

  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        ctl = c;
      },
      pull: async () => {
        if (finished) return;
        try {
          await pull();
        } catch (e) {
          if (finished) return;
          let error = e;
          if (e instanceof HttpParseError) e.message = `${label}: ${e.message}`;
          // The SSH side failed (connection lost): a network error, as fetch reports one.
          else error = new SshFetchError(`${label}: the response body was cut off: ${(e as Error)?.message ?? e}`, { cause: e });
          ctl.error(error);
          finish(error);
        }
      },
      cancel: () => finish("cancel"),
    },
    { highWaterMark: 0 },
  );
  return {
    stream,
    fail(reason) {
      if (finished) return;
      try {
        ctl.error(reason);
      } catch {
        /* already closed */
      }
      finish(reason);
    },
  };
}
