/**
 * A line on the MCP stream that is not a message we can deliver. Reported through the
 * transport's `onerror`; the stream goes on with the next line (DESIGN.md, "MCP framing").
 */
export class MessageFramingError extends Error {
  override name: string = "MessageFramingError";
  constructor(
    /** What was wrong with the line. */
    readonly kind: "oversized" | "invalid-utf8" | "invalid-json" | "invalid-message" | "truncated",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
