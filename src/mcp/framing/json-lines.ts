import { MessageFramingError } from "./errors.js";

// The MCP stdio framing's line-level rules, without the SDK's message schemas: the CLI proxy
// relays lines unchanged and needs only these, so it starts without loading zod.

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

/** A line is blank when it holds only JSON whitespace; such lines carry no message and are skipped. */
export function isBlankLine(line: string): boolean {
  return /^[ \t\r\n]*$/.test(line);
}

/** Shorten a line for an error message, so a huge bad line does not flood the log. */
export function preview(line: string): string {
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

