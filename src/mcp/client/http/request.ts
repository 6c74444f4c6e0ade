/**
 * The client half of HTTP/1.1 message writing (RFC 9112): a request head, and a body either with
 * Content-Length (a body known in full: string, bytes, Blob, FormData, URLSearchParams) or
 * chunked (a ReadableStream, sent as it is produced).
 */
import { SshFetchError } from "./errors.js";

const encoder = new TextEncoder();
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Framing and connection headers are ours to set: one request per connection. */
const OURS = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "content-length", "upgrade", "te", "trailer", "host"]);

export type RequestBody = { kind: "none" } | { kind: "bytes"; bytes: Uint8Array } | { kind: "stream"; stream: ReadableStream<unknown> };

export interface PreparedRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: RequestBody;
}

/** fetch's (input, init) as a method, URL, headers and body, the way `new Request(input, init)` reads them. */
export async function prepareRequest(input: string | URL | Request, init: RequestInit = {}): Promise<PreparedRequest> {
  const isRequest = typeof Request !== "undefined" && input instanceof Request;
  const url = new URL(isRequest ? (input as Request).url : String(input));
  const method = normalizeMethod(init.method ?? (isRequest ? (input as Request).method : "GET"));
  const headers = new Headers(init.headers ?? (isRequest ? (input as Request).headers : undefined));
  let source: BodyInit | null | undefined = init.body;
  if (source === undefined && isRequest && (input as Request).body !== null) source = await (input as Request).arrayBuffer();
  let body: RequestBody = { kind: "none" };
  if (source !== undefined && source !== null) {
    if (method === "GET" || method === "HEAD") throw new TypeError(`sshFetch: a ${method} request cannot have a body`);
    if (source instanceof ReadableStream) body = { kind: "stream", stream: source };
    else {
      // The Fetch API's own body extraction: bytes and the implied Content-Type.
      const extracted = new Response(source);
      const type = extracted.headers.get("content-type");
      if (type !== null && !headers.has("content-type")) headers.set("content-type", type);
      body = { kind: "bytes", bytes: new Uint8Array(await extracted.arrayBuffer()) };
    }
  }
  return { method, url, headers, body };
}

function normalizeMethod(m: string): string {
  if (!TOKEN.test(m)) throw new TypeError(`sshFetch: "${m}" is not a valid HTTP method`);
  const upper = m.toUpperCase();
  // Like fetch: these are case-normalized, any other method is sent as written.
  return ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH"].includes(upper) ? upper : m;
}

/** The request line and header fields, CRLF-terminated, ready to write. */
export function encodeRequestHead(req: PreparedRequest, userAgent: string): Uint8Array {
  const target = (req.url.pathname || "/") + req.url.search;
  const lines = [`${req.method} ${target} HTTP/1.1`, `Host: ${req.url.host}`];
  const has = (n: string) => req.headers.has(n);
  for (const [name, value] of req.headers) {
    if (OURS.has(name)) continue;
    lines.push(`${name}: ${value}`);
  }
  if (!has("accept")) lines.push("Accept: */*");
  // No decompression on the way: ask for the body as it is.
  if (!has("accept-encoding")) lines.push("Accept-Encoding: identity");
  if (!has("user-agent")) lines.push(`User-Agent: ${userAgent}`);
  if (req.body.kind === "bytes") lines.push(`Content-Length: ${req.body.bytes.length}`);
  else if (req.body.kind === "stream") lines.push("Transfer-Encoding: chunked");
  else if (req.method === "POST" || req.method === "PUT" || req.method === "PATCH") lines.push("Content-Length: 0");
  lines.push("Connection: close", "", "");
  const text = lines.join("\r\n");
  // Headers only holds ByteStrings (no CR, LF or NUL): each char is one octet.
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 255) throw new SshFetchError(`sshFetch: a header holds a character that is not an octet (U+${c.toString(16)})`);
    out[i] = c;
  }
  return out;
}

/** One chunk of a chunked body (RFC 9112 §7.1); an empty input makes no chunk (that would end the body). */
export function encodeChunk(data: Uint8Array): Uint8Array {
  const size = encoder.encode(data.length.toString(16) + "\r\n");
  const out = new Uint8Array(size.length + data.length + 2);
  out.set(size);
  out.set(data, size.length);
  out[out.length - 2] = 13;
  out[out.length - 1] = 10;
  return out;
}

export const LAST_CHUNK = encoder.encode("0\r\n\r\n");

/** A body stream's chunk as bytes (fetch takes Uint8Array and other buffer views; strings are a courtesy). */
export function chunkBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (typeof chunk === "string") return encoder.encode(chunk);
  throw new TypeError("sshFetch: a request body stream must give Uint8Array chunks");
}
