import { SSHError } from "../ssh/errors.js";

/**
 * The key server could not be used safely or at all: unreachable, answered with an error, would
 * need a plain-HTTP downgrade that is not allowed, or served something that is not a host key.
 */
export class KeyServerError extends SSHError {
  override name: string = "KeyServerError";
  constructor(
    message: string,
    /** HTTP status the key server answered with, when it answered. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A request body went over the size cap; the reader stopped at the first byte past it. */
export class BodyTooLargeError extends SSHError {
  override name: string = "BodyTooLargeError";
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes`);
  }
}
