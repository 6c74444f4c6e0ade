import { JSONRPCMessageSchema, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { MessageFramingError } from "./errors.js";

const LINE_SEPARATORS = /[\u2028\u2029]/g;

/**
 * Replace literal U+2028 / U+2029 by their `\u` escapes. JSON allows them raw inside strings,
 * but line readers that follow Unicode line breaking (Python's str.splitlines, JavaScript
 * source) would cut the message there. In valid JSON text they can only occur inside strings,
 * where the escape means the same character, so the message is unchanged.
 */
export function escapeLineSeparators(json: string): string {
  return json.replace(LINE_SEPARATORS, (c) => (c === "\u2028" ? "\\u2028" : "\\u2029"));
}

/** One message as one line of the MCP stdio framing: JSON, line separators escaped, `\n`. */
export function serializeMessage(message: JSONRPCMessage): string {
  return escapeLineSeparators(JSON.stringify(message)) + "\n";
}

const encoder = new TextEncoder();

/** `serializeMessage` as UTF-8 bytes, ready for the channel. */
export function encodeMessage(message: JSONRPCMessage): Uint8Array {
  return encoder.encode(serializeMessage(message));
}

/** A line is blank when it holds only JSON whitespace; such lines carry no message and are skipped. */
export function isBlankLine(line: string): boolean {
  return /^[ \t\r\n]*$/.test(line);
}

/** Shorten a line for an error message, so a huge bad line does not flood the log. */
function preview(line: string): string {
  return line.length <= 80 ? JSON.stringify(line) : `${JSON.stringify(line.slice(0, 80))}... (${line.length} chars)`;
}

/** Parse one line as JSON (syntax only). */
export function parseJsonLine(line: string): { value: unknown } | { error: MessageFramingError } {
  try {
    return { value: JSON.parse(line) as unknown };
  } catch (cause) {
    return {
      error: new MessageFramingError("invalid-json", `a line is not JSON and was dropped: ${preview(line)}`, {
        cause,
      }),
    };
  }
}

/** Parse one line as a JSON-RPC message, validated with the MCP SDK's own schema. */
export function parseMessageLine(line: string): { message: JSONRPCMessage } | { error: MessageFramingError } {
  const parsed = parseJsonLine(line);
  if ("error" in parsed) return parsed;
  const result = JSONRPCMessageSchema.safeParse(parsed.value);
  if (!result.success) {
    return {
      error: new MessageFramingError(
        "invalid-message",
        `a line is JSON but not a JSON-RPC message and was dropped: ${preview(line)}`,
        { cause: result.error },
      ),
    };
  }
  return { message: result.data };
}
