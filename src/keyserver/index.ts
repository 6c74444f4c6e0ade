// `mcp-ssh/keyserver`: the key server (a Fetch-API handler, served on Node by serveKeyServer,
// or by Deno.serve / Bun.serve) and the client's enrollment flow.
export { createKeyServerHandler, DEFAULT_MAX_BODY_BYTES, DEFAULT_RATE_LIMIT_PER_MINUTE } from "./handler.js";
export type { KeyServerHandler, KeyServerHandlerOptions, KeyServerRequestInfo } from "./handler.js";
export { authorizedKeysFileStore, keysInAuthorizedKeys, writeFileAtomic } from "./authorized-keys-file.js";
export type { AuthorizedKeysStore } from "./authorized-keys-file.js";
export { authorizedKeysEntry, parseClientKeyLine, quoteForcedCommand, sanitizeComment } from "./key-line.js";
export { serveKeyServer, normalizeAddress } from "./node-server.js";
export type { RunningKeyServer, ServeKeyServerOptions } from "./node-server.js";
export { enrollWithKeyServer } from "./client.js";
export type { EnrollOptions } from "./client.js";
export type { HttpRequest, HttpRequester, HttpResponse } from "./http-requester.js";
export { isLoopbackHost, plainHttpDecision } from "./loopback.js";
export type { PlainHttpDecision } from "./loopback.js";
export { RateLimiter, rateLimitBucket } from "./rate-limit.js";
export { KeyServerError, BodyTooLargeError } from "./errors.js";
export { runKeyServerCli } from "./cli.js";
