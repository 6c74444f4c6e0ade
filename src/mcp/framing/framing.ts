import { JSONRPCMessageSchema, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { utf8 } from "../../ssh/wire/bytes.js";
import { MessageFramingError } from "./errors.js";
import { escapeLineSeparators, parseJsonLine, preview } from "./json-lines.js";

export { escapeLineSeparators, isBlankLine, parseJsonLine } from "./json-lines.js";

/** One message as one line of the MCP stdio framing: JSON, line separators escaped, `\n`. */
export function serializeMessage(message: JSONRPCMessage): string {
  return escapeLineSeparators(JSON.stringify(message)) + "\n";
}

/** `serializeMessage` as UTF-8 bytes, ready for the channel. */
export function encodeMessage(message: JSONRPCMessage): Uint8Array {
  return utf8(serializeMessage(message));
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
