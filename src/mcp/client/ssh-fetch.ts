/**
 * `fetch` over SSH: each request is HTTP/1.1 in its own direct-tcpip channel (RFC 4254 §7.2) to
 * the URL's host and port as seen from the SSH server, so an MCP server listening on the remote
 * machine's 127.0.0.1 is reachable without opening a port anywhere. The MCP SDK's
 * StreamableHTTPClientTransport and SSEClientTransport take it as their `fetch` option.
 *
 * One channel per request, `Connection: close`, no keep-alive: a channel costs one round trip,
 * and a long-lived event stream then never blocks another request. Response bodies stream with
 * the channel's flow control (an event stream stays open and each event arrives as sent; an
 * unread body stops the server). Redirects are returned, not followed (the SDK follows those it
 * trusts). `http:` only: the SSH channel is already encrypted and authenticated to the SSH server.
 * The request's AbortSignal closes the channel.
 *
 * The HTTP/1.1 codec is ours (src/mcp/http/): no well-kept HTTP client runs over a caller-given
 * Web Streams duplex in browsers as well as Node, Deno and Bun (undici's custom `connect` needs
 * a node:stream Duplex and Node's net/tls; browsers expose no HTTP/1.1 machinery at all).
 */
import type { ByteStream } from "../../ssh/io/byte-stream.js";
import { VERSION } from "../../ssh/version.js";
import { HttpParseError, SshFetchError } from "./http/errors.js";
import { LAST_CHUNK, chunkBytes, encodeChunk, encodeRequestHead, prepareRequest, type PreparedRequest } from "./http/request.js";
import { ByteQueue, DEFAULT_HTTP_LIMITS, bodyFraming, bodyReader, readResponseHead, type HttpLimits } from "./http/response.js";

export interface SshFetchOptions {
  /** How long to wait for the response's status line and headers (default 300 s, as undici). */
  headersTimeoutMs?: number;
  /** Largest response head (status line and headers) accepted; also the trailers' cap. Default 64 KiB. */
  maxHeaderBytes?: number;
  /** Most header fields in one response. Default 256. */
  maxHeaderCount?: number;
}

/** What sshFetch needs of an SSHClient. */
export interface ForwardingClient {
  forwardOut(host: string, port: number): Promise<ByteStream>;
}

const SMALL_BODY = 64 * 1024;
const NULL_BODY_STATUS = new Set([204, 205, 304]);
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

/** A `fetch` whose requests travel through `client` (see the file comment). */
export function sshFetch(client: ForwardingClient, options: SshFetchOptions = {}): typeof fetch {
  const limits: HttpLimits = {
    maxHeaderBytes: options.maxHeaderBytes ?? DEFAULT_HTTP_LIMITS.maxHeaderBytes,
    maxHeaderCount: options.maxHeaderCount ?? DEFAULT_HTTP_LIMITS.maxHeaderCount,
  };
  const headersTimeoutMs = options.headersTimeoutMs ?? 300_000;
  const fetchOverSsh = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const signal = init.signal ?? (typeof Request !== "undefined" && input instanceof Request ? input.signal : undefined) ?? undefined;
    signal?.throwIfAborted();
    const req = await prepareRequest(input, init);
    return exchange(client, req, signal, limits, headersTimeoutMs, init.redirect);
  };
  return fetchOverSsh as typeof fetch;
}

async function exchange(
  client: ForwardingClient,
  req: PreparedRequest,
  signal: AbortSignal | undefined,
  limits: HttpLimits,
  headersTimeoutMs: number,
  redirect: RequestRedirect | undefined,
): Promise<Response> {
  const what = `${req.method} ${req.url.href}`;
  if (req.url.protocol !== "http:") {
    throw new SshFetchError(`sshFetch ${what}: only http: URLs are supported (the SSH channel already encrypts the traffic); use the http:// URL the server listens on`);
  }
  const host = req.url.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = req.url.port === "" ? 80 : Number(req.url.port);

  // Everything that can end the exchange early settles `stop`: abort, timeout, a failed send.
  let stopWith: ((e: unknown) => void) | undefined;
  const stop = new Promise<never>((_, reject) => (stopWith = reject));
  stop.catch(() => {});
  const onAbort = () => stopWith!(signal!.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  let stream: ByteStream | undefined;
  let channelClosed = false;
  const closeChannel = () => {
    if (channelClosed || !stream) return;
    channelClosed = true;
    void stream.close().catch(() => {});
  };
  const cleanup = () => {
    signal?.removeEventListener("abort", onAbort);
    closeChannel();
  };

  try {
    const opening = client.forwardOut(host, port);
    // Aborted while the channel opens: close it once it is there.
    opening.then(
      (s) => {
        if (signal?.aborted) void s.close().catch(() => {});
      },
      () => {},
    );
    stream = await Promise.race([opening, stop]).catch((e: unknown) => {
      if (signal?.aborted && e === signal.reason) throw e;
      throw new SshFetchError(`sshFetch ${what}: ${(e as Error)?.message ?? e}`, { cause: e });
    });
    const writer = stream.writable.getWriter();
    const q = new ByteQueue(stream.readable.getReader());
    let headDone = false;
    let sendFailure: SshFetchError | undefined;
    const sending = send(writer, req).catch((e: unknown) => {
      // After the head arrived, the server needs no more of the body (it may answer early).
      if (headDone) return;
      const source = e instanceof RequestBodyError;
      const cause = source ? e.cause : e;
      const failure = new SshFetchError(`sshFetch ${what}: sending the request failed: ${(cause as Error)?.message ?? cause}`, { cause });
      // The caller's body stream failed: the server waits for bytes that will never come.
      if (source) stopWith!(failure);
      // The channel refused the write: the server closed its end, typically right after
      // answering early (a 413 for a body over its limit, RFC 9110 §15.5.14, then closing the
      // connection, RFC 9112 §9.6). That answer came before the channel's close and is still to
      // be read; the read ends at the close, and only if it holds no answer is this the error.
      else sendFailure = failure;
    });
    void sending;

    const timer = setTimeout(() => stopWith!(new SshFetchError(`sshFetch ${what}: no response head within ${headersTimeoutMs} ms`)), headersTimeoutMs);
    let head;
    try {
      head = await Promise.race([readResponseHead(q, limits), stop]).catch((e: unknown) => {
        throw sendFailure !== undefined && !(signal?.aborted && e === signal.reason) ? sendFailure : e;
      });
    } finally {
      clearTimeout(timer);
    }
    headDone = true;
    if (redirect === "error" && REDIRECT_STATUS.has(head.status)) {
      throw new SshFetchError(`sshFetch ${what}: the server redirected (${head.status}) and redirect is "error"`);
    }

    const headers = new Headers();
    for (const [name, value] of head.headers) headers.append(name, value);
    const framing = bodyFraming(req.method, head);
    let body: ReadableStream<Uint8Array> | null = null;
    if (framing.kind === "none" || NULL_BODY_STATUS.has(head.status)) {
      cleanup();
    } else if (framing.kind === "length" && framing.length === 0) {
      // Nothing to read: free the channel now rather than when (if ever) the empty body is read.
      cleanup();
      body = new ReadableStream({ start: (c) => c.close() });
    } else {
      const reader = bodyReader(q, framing, limits, `sshFetch ${what}`, () => cleanup());
      stop.catch((e: unknown) => reader.fail(e));
      body = decode(reader.stream, headers.get("content-encoding"));
    }
    const statusText = /^[\t\x20-\x7e\x80-\xff]*$/.test(head.statusText) ? head.statusText : "";
    const response = new Response(body, { status: head.status, statusText, headers });
    Object.defineProperty(response, "url", { value: req.url.href });
    return response;
  } catch (e) {
    cleanup();
    if (signal?.aborted && e === signal.reason) throw e;
    if (e instanceof HttpParseError) e.message = `sshFetch ${what}: ${e.message}`;
    if (e instanceof SshFetchError) throw e;
    throw new SshFetchError(`sshFetch ${what}: ${(e as Error)?.message ?? e}`, { cause: e });
  }
}

/** The caller's request body stream failed (not the channel): see `sending` in exchange. */
class RequestBodyError extends Error {}

/** Write the request: head and a known body in one write when small; a stream body chunked. */
async function send(writer: WritableStreamDefaultWriter<Uint8Array>, req: PreparedRequest): Promise<void> {
  const head = encodeRequestHead(req, `mcp-ssh/${VERSION}`);
  const body = req.body;
  if (body.kind === "bytes" && body.bytes.length <= SMALL_BODY) {
    const both = new Uint8Array(head.length + body.bytes.length);
    both.set(head);
    both.set(body.bytes, head.length);
    await writer.write(both);
    return;
  }
  await writer.write(head);
  if (body.kind === "bytes") await writer.write(body.bytes);
  else if (body.kind === "stream") {
    const reader = body.stream.getReader();
    for (;;) {
      let bytes: Uint8Array;
      try {
        const next = await reader.read();
        if (next.done) break;
        bytes = chunkBytes(next.value);
      } catch (e) {
        await reader.cancel(e).catch(() => {});
        throw new RequestBodyError("the request body failed", { cause: e });
      }
      if (bytes.length === 0) continue;
      try {
        await writer.write(encodeChunk(bytes));
      } catch (e) {
        await reader.cancel(e).catch(() => {});
        throw e;
      }
    }
    await writer.write(LAST_CHUNK);
  }
  // No EOF: a server may take a half-closed connection for an aborted request (Node's does).
}

/** Undo a Content-Encoding the runtime can (we ask for identity, so this is only for servers that ignore it). */
function decode(body: ReadableStream<Uint8Array>, encoding: string | null): ReadableStream<Uint8Array> {
  const format = encoding?.trim().toLowerCase();
  const known = format === "gzip" || format === "x-gzip" ? "gzip" : format === "deflate" ? "deflate" : undefined;
  if (!known || typeof DecompressionStream === "undefined") return body;
  return body.pipeThrough(new DecompressionStream(known) as unknown as ReadableWritablePair<Uint8Array, Uint8Array>);
}
