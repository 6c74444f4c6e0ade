/**
 * The MCP stdio framing's checks on one line, at the byte level (the CLI proxy relays lines
 * unchanged and must not pay for bytes -> string -> JSON.parse -> string -> bytes): the line is
 * valid UTF-8 (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF), exactly one JSON
 * value (RFC 8259), and that value has the JSON-RPC 2.0 shape (an object whose "jsonrpc" member is
 * "2.0" and that has "method", "result" or "error"). It also counts the raw U+2028 / U+2029
 * characters, which JSON allows only inside strings, for `escapeLineSeparatorBytes`.
 */

export type LineCheck =
  | { ok: true; lineSeparators: number }
  | { ok: false; kind: "invalid-utf8" | "invalid-json" | "invalid-message"; reason: string };

const enum C {
  Quote = 0x22,
  Backslash = 0x5c,
}

class Bad extends Error {
  constructor(
    message: string,
    readonly utf8: boolean,
  ) {
    super(message);
  }
}

export function checkJsonRpcLine(b: Uint8Array): LineCheck {
  let i = 0;
  let separators = 0;
  let depth = 0;
  const n = b.length;
  const fail = (what: string): never => {
    throw new Bad(`${what} at byte ${i}`, what.includes("UTF-8"));
  };
  const ws = () => {
    while (i < n) {
      const c = b[i]!;
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  /** One UTF-8 sequence starting at i (lead byte >= 0x80); advances i. */
  const utf8 = () => {
    const c = b[i]!;
    let need: number;
    let min: number;
    let cp: number;
    if (c >= 0xc2 && c <= 0xdf) (need = 1), (min = 0x80), (cp = c & 0x1f);
    else if (c >= 0xe0 && c <= 0xef) (need = 2), (min = 0x800), (cp = c & 0x0f);
    else if (c >= 0xf0 && c <= 0xf4) (need = 3), (min = 0x10000), (cp = c & 0x07);
    else return fail("invalid UTF-8 lead byte");
    for (let k = 1; k <= need; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) return fail("invalid UTF-8 continuation byte");
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return fail("invalid UTF-8 code point");
    if (cp === 0x2028 || cp === 0x2029) separators++;
    i += need + 1;
  };
  /** A string starting at the quote; returns [start, end) of its raw content. */
  const str = (): [number, number] => {
    i++;
    const start = i;
    for (;;) {
      if (i >= n) return fail("unterminated string");
      const c = b[i]!;
      if (c === C.Quote) {
        i++;
        return [start, i - 1];
      }
      if (c === C.Backslash) {
        const e = b[i + 1];
        if (e === 0x75) {
          for (let k = 2; k < 6; k++) {
            const h = b[i + k];
            if (h === undefined || !((h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66))) fail("bad \\u escape");
          }
          i += 6;
        } else if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) i += 2;
        else fail("bad escape");
      } else if (c < 0x20) fail("control character in string");
      else if (c < 0x80) i++;
      else utf8();
    }
  };
  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++) if (b[i + k] !== word.charCodeAt(k)) fail("invalid literal");
    i += word.length;
  };
  const number = () => {
    if (b[i] === 0x2d) i++;
    if (b[i] === 0x30) i++;
    else if (b[i]! >= 0x31 && b[i]! <= 0x39) while (b[i]! >= 0x30 && b[i]! <= 0x39) i++;
    else fail("invalid number");
    if (b[i] === 0x2e) {
      i++;
      if (!(b[i]! >= 0x30 && b[i]! <= 0x39)) fail("invalid fraction");
      while (b[i]! >= 0x30 && b[i]! <= 0x39) i++;
    }
    if (b[i] === 0x65 || b[i] === 0x45) {
      i++;
      if (b[i] === 0x2b || b[i] === 0x2d) i++;
      if (!(b[i]! >= 0x30 && b[i]! <= 0x39)) fail("invalid exponent");
      while (b[i]! >= 0x30 && b[i]! <= 0x39) i++;
    }
  };
  /** Members of the top-level object that decide its shape. */
  let jsonrpc20 = false;
  let hasKind = false;
  const value = (): void => {
    ws();
    const c = b[i];
    if (c === 0x7b) {
      if (++depth > 512) fail("nesting too deep");
      const top = depth === 1;
      i++;
      ws();
      if (b[i] === 0x7d) {
        i++;
        depth--;
        return;
      }
      for (;;) {
        ws();
        if (b[i] !== C.Quote) fail("expected a member name");
        const [ks, ke] = str();
        ws();
        if (b[i] !== 0x3a) fail("expected ':'");
        i++;
        ws();
        const vs = i;
        value();
        if (top) {
          const key = keyName(b, ks, ke);
          if (key === "jsonrpc") jsonrpc20 = i - vs >= 5 && b[vs] === C.Quote && keyName(b, vs + 1, i - 1) === "2.0";
          else if (key === "method" || key === "result" || key === "error") hasKind = true;
        }
        ws();
        if (b[i] === 0x2c) {
          i++;
          continue;
        }
        if (b[i] === 0x7d) {
          i++;
          depth--;
          return;
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === 0x5b) {
      if (++depth > 512) fail("nesting too deep");
      i++;
      ws();
      if (b[i] === 0x5d) {
        i++;
        depth--;
        return;
      }
      for (;;) {
        value();
        ws();
        if (b[i] === 0x2c) {
          i++;
          continue;
        }
        if (b[i] === 0x5d) {
          i++;
          depth--;
          return;
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === C.Quote) return void str();
    if (c === 0x74) return literal("true");
    if (c === 0x66) return literal("false");
    if (c === 0x6e) return literal("null");
    if (c === 0x2d || (c !== undefined && c >= 0x30 && c <= 0x39)) return number();
    fail(c === undefined ? "unexpected end of line" : "unexpected character");
  };
  try {
    ws();
    const topIsObject = b[i] === 0x7b;
    value();
    ws();
    if (i !== n) fail("more than one JSON value");
    if (!topIsObject) return { ok: false, kind: "invalid-message", reason: "a JSON object was expected" };
  } catch (e) {
    if (e instanceof Bad) return { ok: false, kind: e.utf8 ? "invalid-utf8" : "invalid-json", reason: e.message };
    throw e;
  }
  if (!jsonrpc20) return { ok: false, kind: "invalid-message", reason: 'no "jsonrpc": "2.0" member' };
  if (!hasKind) return { ok: false, kind: "invalid-message", reason: 'no "method", "result" or "error" member' };
  return { ok: true, lineSeparators: separators };
}

/** An ASCII member name or value without escapes, else "" (shape keys are plain ASCII). */
function keyName(b: Uint8Array, start: number, end: number): string {
  if (end - start > 16) return "";
  let s = "";
  for (let k = start; k < end; k++) {
    const c = b[k]!;
    if (c >= 0x80 || c === 0x5c) return "";
    s += String.fromCharCode(c);
  }
  return s;
}

/**
 * Replace each raw U+2028 / U+2029 (E2 80 A8 / E2 80 A9) by its JSON escape. In valid JSON they
 * occur only inside strings, where the escape means the same character, so the message is
 * unchanged; Python peers that split lines with str.splitlines would otherwise cut it there.
 * `count` is what checkJsonRpcLine found; the result has room for a trailing `\n`.
 */
export function escapeLineSeparatorBytes(b: Uint8Array, count: number): Uint8Array {
  const out = new Uint8Array(b.length + 3 * count + 1);
  let o = 0;
  let from = 0;
  for (let k = 0; k + 2 < b.length; k++) {
    if (b[k] === 0xe2 && b[k + 1] === 0x80 && (b[k + 2] === 0xa8 || b[k + 2] === 0xa9)) {
      out.set(b.subarray(from, k), o);
      o += k - from;
      // \u2028 or \u2029
      out.set([0x5c, 0x75, 0x32, 0x30, 0x32, b[k + 2] === 0xa8 ? 0x38 : 0x39], o);
      o += 6;
      k += 2;
      from = k + 1;
    }
  }
  out.set(b.subarray(from), o);
  o += b.length - from;
  out[o] = 0x0a;
  return out;
}
