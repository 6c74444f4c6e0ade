import { describe, expect, it } from "vitest";
import {
  encodeMessage,
  escapeLineSeparators,
  isBlankLine,
  parseJsonLine,
  parseMessageLine,
  serializeMessage,
} from "../src/mcp/framing/framing.js";

describe("serializeMessage", () => {
  it("writes one JSON line ending in a single newline", () => {
    const text = serializeMessage({ jsonrpc: "2.0", id: 7, method: "tools/list" });
    expect(text).toBe('{"jsonrpc":"2.0","id":7,"method":"tools/list"}\n');
  });

  it("escapes U+2028 and U+2029 so the line survives Unicode line splitting", () => {
    const text = serializeMessage({ jsonrpc: "2.0", method: "note", params: { text: "a\u2028b\u2029c" } });
    expect(text).toBe('{"jsonrpc":"2.0","method":"note","params":{"text":"a\\u2028b\\u2029c"}}\n');
    expect(text).not.toMatch(/[\u2028\u2029]/);
    // The escaped line still means the same message.
    expect(JSON.parse(text)).toEqual({ jsonrpc: "2.0", method: "note", params: { text: "a\u2028b\u2029c" } });
    // Python's str.splitlines() would split on the raw characters; the line must have exactly one break.
    expect(text.split(/\r\n|[\n\r\u2028\u2029\u0085\v\f\u001c-\u001e]/).filter((l) => l !== "")).toHaveLength(1);
  });

  it("keeps newlines inside strings escaped, so one message is one line", () => {
    const text = serializeMessage({ jsonrpc: "2.0", id: "x", result: { text: "l1\nl2\r\n" } });
    expect(text.indexOf("\n")).toBe(text.length - 1);
  });

  it("encodes as UTF-8", () => {
    const bytes = encodeMessage({ jsonrpc: "2.0", method: "é" });
    expect([...bytes.subarray(bytes.length - 5)]).toEqual([0xc3, 0xa9, 0x22, 0x7d, 0x0a]);
  });
});

describe("escapeLineSeparators", () => {
  it("replaces exactly the two separators", () => {
    expect(escapeLineSeparators('"\u2028\u2029\u0085"')).toBe('"\\u2028\\u2029\u0085"');
  });
});

describe("parseMessageLine", () => {
  it("accepts a request, a notification, a result and an error", () => {
    const lines = [
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}',
      '{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":5}}',
      '{"jsonrpc":"2.0","id":"abc","result":{"tools":[]}}',
      '{"jsonrpc":"2.0","id":2,"error":{"code":-32601,"message":"Method not found"}}',
    ];
    for (const line of lines) {
      const parsed = parseMessageLine(line);
      expect("message" in parsed, line).toBe(true);
      if ("message" in parsed) expect(parsed.message).toEqual(JSON.parse(line));
    }
  });

  it("reports a line that is not JSON", () => {
    const parsed = parseMessageLine("Starting server on stdio...");
    expect("error" in parsed && parsed.error.kind).toBe("invalid-json");
  });

  it("reports JSON that is not a JSON-RPC message", () => {
    for (const line of ['{"hello":"world"}', '{"jsonrpc":"1.0","id":1,"method":"x"}', "[1,2]", "42"]) {
      const parsed = parseMessageLine(line);
      expect("error" in parsed && parsed.error.kind, line).toBe("invalid-message");
    }
  });

  it("shortens a long bad line in the error message", () => {
    const parsed = parseMessageLine("x".repeat(100_000));
    expect("error" in parsed && parsed.error.message.length).toBeLessThan(300);
  });

  it("reads escaped separators back as the characters", () => {
    const parsed = parseMessageLine('{"jsonrpc":"2.0","method":"n","params":{"t":"\\u2028"}}');
    expect("message" in parsed && parsed.message).toEqual({ jsonrpc: "2.0", method: "n", params: { t: "\u2028" } });
  });
});

describe("parseJsonLine / isBlankLine", () => {
  it("parses syntax only", () => {
    expect(parseJsonLine('{"any":"thing"}')).toEqual({ value: { any: "thing" } });
    expect("error" in parseJsonLine("{")).toBe(true);
  });

  it("treats whitespace-only lines as blank", () => {
    expect(isBlankLine("")).toBe(true);
    expect(isBlankLine(" \t ")).toBe(true);
    expect(isBlankLine(" {} ")).toBe(false);
  });
});
