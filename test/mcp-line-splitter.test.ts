import { describe, expect, it } from "vitest";
import { MessageFramingError } from "../src/mcp/framing/errors.js";
import { LineSplitter, type SplitEvent } from "../src/mcp/framing/line-splitter.js";

const bytes = (s: string) => new TextEncoder().encode(s);

/** Feed chunks one by one and collect everything, then the end-of-stream events. */
function run(chunks: Uint8Array[], maxLineBytes?: number): SplitEvent[] {
  const splitter = new LineSplitter({ maxLineBytes });
  return [...chunks.flatMap((c) => splitter.push(c)), ...splitter.end()];
}

const lines = (events: SplitEvent[]) => events.map((e) => ("line" in e ? e.line : `<${e.error.kind}>`));

describe("LineSplitter", () => {
  it("splits several lines joined in one chunk", () => {
    expect(lines(run([bytes('{"a":1}\n{"b":2}\n{"c":3}\n')]))).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it("joins a line split over many chunks, byte by byte", () => {
    const whole = bytes('{"jsonrpc":"2.0","id":1}\n');
    const chunks = [...whole].map((b) => Uint8Array.of(b));
    expect(lines(run(chunks))).toEqual(['{"jsonrpc":"2.0","id":1}']);
  });

  it("handles a chunk that ends one line and starts the next", () => {
    expect(lines(run([bytes('{"a":1}\n{"b"'), bytes(":2}\n")]))).toEqual(['{"a":1}', '{"b":2}']);
  });

  it("decodes multibyte characters cut across chunks", () => {
    // "é" = C3 A9, "€" = E2 82 AC, "😀" = F0 9F 98 80: cut inside each sequence.
    const raw = Uint8Array.of(0x22, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0x22, 0x0a);
    const chunks = [raw.subarray(0, 2), raw.subarray(2, 4), raw.subarray(4, 7), raw.subarray(7, 9), raw.subarray(9)];
    expect(lines(run(chunks))).toEqual(['"é€😀"']);
  });

  it("strips one trailing CR (CRLF line ends), also when CR and LF arrive in different chunks", () => {
    expect(lines(run([bytes("one\r\ntwo\r"), bytes("\nthree\n")]))).toEqual(["one", "two", "three"]);
  });

  it("keeps a CR that is not at the end of the line", () => {
    expect(lines(run([bytes("a\rb\n")]))).toEqual(["a\rb"]);
  });

  it("does not split on U+2028 / U+2029", () => {
    expect(lines(run([bytes('"x\u2028y\u2029z"\n')]))).toEqual(['"x\u2028y\u2029z"']);
  });

  it("reports an oversized line once and goes on with the next line", () => {
    const big = "x".repeat(100);
    const events = run([bytes(`ok1\n${big}\nok2\n`)], 50);
    expect(lines(events)).toEqual(["ok1", "<oversized>", "ok2"]);
  });

  it("reports an oversized line that spans many chunks once, and recovers after its newline", () => {
    const chunks = [bytes("first\n"), ...Array.from({ length: 40 }, () => bytes("y".repeat(10))), bytes("tail\nnext\n")];
    const events = run(chunks, 64);
    expect(lines(events)).toEqual(["first", "<oversized>", "next"]);
    const error = (events[1] as { error: MessageFramingError }).error;
    expect(error).toBeInstanceOf(MessageFramingError);
    expect(error.message).toContain("64-byte limit");
  });

  it("does not hold the bytes of an oversized line", () => {
    const splitter = new LineSplitter({ maxLineBytes: 1024 });
    splitter.push(bytes("z".repeat(1000)));
    const first = splitter.push(bytes("z".repeat(1000)));
    expect(lines(first)).toEqual(["<oversized>"]);
    // Megabytes more of the same line: no further events, and (white-box) nothing retained.
    for (let i = 0; i < 1000; i++) expect(splitter.push(bytes("z".repeat(1000)))).toEqual([]);
    expect((splitter as unknown as { size: number }).size).toBe(0);
    expect((splitter as unknown as { parts: unknown[] }).parts).toEqual([]);
    expect(lines(splitter.push(bytes("zz\nafter\n")))).toEqual(["after"]);
  });

  it("accepts a line of exactly the limit", () => {
    expect(lines(run([bytes("a".repeat(16) + "\n")], 16))).toEqual(["a".repeat(16)]);
    expect(lines(run([bytes("a".repeat(17) + "\n")], 16))).toEqual(["<oversized>"]);
  });

  it("reports invalid UTF-8 and goes on", () => {
    const events = run([Uint8Array.of(0x22, 0xff, 0x22, 0x0a), bytes("fine\n")]);
    expect(lines(events)).toEqual(["<invalid-utf8>", "fine"]);
  });

  it("reports bytes left without a final newline as a truncated line", () => {
    expect(lines(run([bytes('done\n{"partial":')]))).toEqual(["done", "<truncated>"]);
    expect(lines(run([bytes("done\n")]))).toEqual(["done"]);
  });

  it("passes empty lines through (the framing layer skips them)", () => {
    expect(lines(run([bytes("\n\r\nx\n")]))).toEqual(["", "", "x"]);
  });

  it("copies tails, so a producer may reuse its buffer", () => {
    const splitter = new LineSplitter();
    const buf = bytes("abc");
    splitter.push(buf);
    buf.fill(0x21);
    expect(lines(splitter.push(bytes("def\n")))).toEqual(["abcdef"]);
  });

  it("copies tails of a Node Buffer too (whose slice() is a view)", () => {
    const splitter = new LineSplitter();
    const buf = Buffer.from("abc");
    splitter.push(buf);
    buf.fill(0x21);
    expect(lines(splitter.push(bytes("def\n")))).toEqual(["abcdef"]);
  });

  it("rejects a nonsensical limit", () => {
    expect(() => new LineSplitter({ maxLineBytes: 0 })).toThrow(RangeError);
  });
});
