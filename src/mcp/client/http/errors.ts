/**
 * Why an sshFetch request failed: the SSH side (the channel was refused, the connection was lost)
 * or the HTTP side (the server's answer was malformed or over a limit). A TypeError, as the Fetch
 * API's network errors are, so code written for `fetch` handles it; `cause` holds the SSH error.
 */
export class SshFetchError extends TypeError {
  override name: string = "SshFetchError";
}

/** The server's HTTP/1.1 answer broke the protocol or one of our limits. */
export class HttpParseError extends SshFetchError {
  override name: string = "HttpParseError";
}
