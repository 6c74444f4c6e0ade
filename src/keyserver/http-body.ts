// Small Fetch-API helpers shared by the key server handler and its client: bounded body reads and
// JSON responses. Web APIs only, so the handler runs unchanged on Node, Deno and Bun.
import { concatBytes } from "../ssh/wire/bytes.js";
import { BodyTooLargeError } from "./errors.js";

/**
 * Read a body stream up to `limit` bytes. Stops (and cancels the stream) at the first chunk that
 * goes past the limit, so a huge body is never buffered; throws BodyTooLargeError then.
 */
export async function readCapped(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) {
        await reader.cancel().catch(() => {});
        throw new BodyTooLargeError(limit);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return concatBytes(...chunks);
}

const JSON_HEADERS = {
  "content-type": "application/json",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
};

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

export function errorResponse(status: number, message: string, headers: Record<string, string> = {}): Response {
  return jsonResponse(status, { error: message }, headers);
}

/** True for `application/json` and `application/<x>+json`, with any parameters (charset, ...). */
export function isJsonContentType(value: string | null): boolean {
  if (value === null) return false;
  const media = value.split(";")[0]!.trim().toLowerCase();
  return media === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(media);
}
