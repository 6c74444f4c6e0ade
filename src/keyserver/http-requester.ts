// The key-server client's one HTTP primitive, so the flow in client.ts is the same everywhere:
// the Fetch API by default (Node, Deno, Bun, browsers), node:https when a private CA must be
// trusted (node-fetch.ts).
import { KeyServerError } from "./errors.js";
import { readCapped } from "./http-body.js";

export interface HttpRequest {
  url: string;
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Larger answers are an error; a key server's answers are a few hundred bytes. */
  maxResponseBytes: number;
}

export interface HttpResponse {
  status: number;
  body: string;
}

export type HttpRequester = (request: HttpRequest) => Promise<HttpResponse>;

export function redirectRefused(url: string, status: number): KeyServerError {
  return new KeyServerError(
    `${url} answered with a redirect (HTTP ${status}); redirects are not followed, because one could lead to plain HTTP or another host. Pass the final URL with --key-server-url`,
    status,
  );
}

/** HttpRequester on the Fetch API; redirects are refused, the whole exchange is under one timeout. */
export const fetchRequester: HttpRequester = async (req) => {
  const signal = AbortSignal.timeout(req.timeoutMs);
  let response: Response;
  try {
    response = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body, redirect: "manual", signal });
  } catch (e) {
    throw new KeyServerError(requestFailure(req, e), undefined, { cause: e });
  }
  // Browsers hide a manual redirect as type "opaqueredirect" with status 0.
  if (response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400)) {
    await response.body?.cancel().catch(() => {});
    throw redirectRefused(req.url, response.status);
  }
  try {
    const bytes = await readCapped(response.body, req.maxResponseBytes);
    return { status: response.status, body: new TextDecoder().decode(bytes) };
  } catch (e) {
    throw new KeyServerError(requestFailure(req, e), response.status, { cause: e });
  }
};

/** "GET https://...: <reason>", with the underlying network error (fetch hides it in `cause`). */
export function requestFailure(req: HttpRequest, e: unknown): string {
  const err = e as Error & { cause?: { message?: string; code?: string } };
  let reason = err.name === "TimeoutError" ? `no answer within ${req.timeoutMs} ms` : err.message;
  if (err.cause?.message) reason += ` (${err.cause.code ? `${err.cause.code}: ` : ""}${err.cause.message})`;
  return `${req.method} ${req.url} failed: ${reason}`;
}
