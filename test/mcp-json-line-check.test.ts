// The proxy's byte-level line check against independent oracles: the platform's JSON.parse and
// TextDecoder({fatal}) decide validity; the shape is JSON-RPC 2.0's (jsonrpc "2.0" and a method,
// result or error member). The SDK's JSONRPCMessageSchema is stricter (it refuses unknown members);
// the proxy deliberately lets members of future protocol versions through, so every message the
// schema accepts must pass, and the loose rule decides the rest.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JSONRPCMessageSchema } from "@modelcontextprotocol/sdk/types.js";
import { checkJsonRpcLine, escapeLineSeparatorBytes } from "../src/mcp/framing/json-line-check.js";

const enc = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true });

function oracle(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = strictDecoder.decode(bytes);
  } catch {
    return false;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const o = value as Record<string, unknown>;
  const loose = o.jsonrpc === "2.0" && ("method" in o || "result" in o || "error" in o);
  // Whatever the SDK accepts must pass the loose rule too.
  if (JSONRPCMessageSchema.safeParse(value).success) expect(loose).toBe(true);
  return loose;
}

describe("checkJsonRpcLine", () => {
  it("agrees with TextDecoder + JSON.parse + the SDK schema on messages and near-misses", () => {
    const samples = [
      '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
      '{"jsonrpc":"2.0","method":"notifications/initialized"}',
      '{"jsonrpc":"2.0","id":"a","result":{"tools":[]}}',
      '{"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"x"}}',
      ' { "jsonrpc" : "2.0" , "id" : 1 , "method" : "m" , "params" : { "a" : [1, 2.5e-3, -0, true, false, null, "\\u2028 \\n \\"q\\""] } } ',
      '{"jsonrpc":"1.0","id":1,"method":"m"}',
      '{"id":1,"method":"m"}',
      '{"jsonrpc":"2.0"}',
      '[{"jsonrpc":"2.0","method":"m"}]',
      '{"jsonrpc":"2.0","method":"m"} {}',
      '{"jsonrpc":"2.0","method":"m",}',
      '{"jsonrpc":"2.0","method":"m","x":01}',
      '{"jsonrpc":"2.0","method":"m","x":"\\x"}',
      '{"jsonrpc":"2.0","method":"m","x":"a\tb"}',
      '"just a string"',
      "",
    ];
    for (const s of samples) expect(checkJsonRpcLine(enc.encode(s)).ok, s).toBe(oracle(enc.encode(s)));
  });

  it("rejects what a strict UTF-8 decoder rejects (overlongs, surrogates, truncation, > U+10FFFF)", () => {
    const wrap = (raw: number[]) => Uint8Array.from([...enc.encode('{"jsonrpc":"2.0","method":"'), ...raw, ...enc.encode('"}')]);
    for (const raw of [[0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xff], [0x80]]) {
      expect(checkJsonRpcLine(wrap(raw)).ok, raw.join(",")).toBe(false);
      expect(oracle(wrap(raw))).toBe(false);
    }
  });

  it("matches the oracle on random JSON-RPC messages and on random byte mutations of them", () => {
    const message = fc.record({
      jsonrpc: fc.constant("2.0"),
      id: fc.oneof(fc.integer(), fc.string()),
      method: fc.string(),
      params: fc.dictionary(fc.string(), fc.jsonValue()),
    });
    fc.assert(
      fc.property(message, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }), (m, flips) => {
        const bytes = enc.encode(JSON.stringify(m));
        expect(checkJsonRpcLine(bytes).ok).toBe(true);
        for (const [at, v] of flips) if (bytes.length > 0) bytes[at % bytes.length] = v;
        expect(checkJsonRpcLine(bytes).ok).toBe(oracle(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it("counts raw U+2028/U+2029 and escapes them without changing the message", () => {
    const m = { jsonrpc: "2.0", id: 1, method: "x", params: { t: "a\u2028b\u2029c \u2028 😀 \"q\" \\" } };
    const bytes = enc.encode(JSON.stringify(m));
    const r = checkJsonRpcLine(bytes);
    expect(r).toEqual({ ok: true, lineSeparators: 3 });
    const escaped = escapeLineSeparatorBytes(bytes, 3);
    expect(escaped.at(-1)).toBe(0x0a);
    const text = new TextDecoder().decode(escaped.subarray(0, -1));
    expect(text).not.toMatch(/[\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(m);
    expect(escaped.length).toBe(bytes.length + 9 + 1);
  });
});
