/**
 * The two tokenizers OpenSSH's readconf uses on a config line.
 *
 * `nextDelimited` (strdelim): the keyword and Match criteria. Splits on whitespace or a single
 * `=`, and understands one double-quoted token.
 * `splitArguments` (argv_split): every keyword's arguments. Double or single quotes group words,
 * a backslash escapes a quote, a backslash or a space, and `#` outside a token ends the line.
 */

const WHITESPACE = " \t\r\n";

/** One strdelim step: the token and the rest of the line, or null when nothing is left. */
export interface Delimited {
  token: string | null;
  rest: string | null;
}

function skipWhitespace(s: string): string {
  let i = 0;
  while (i < s.length && WHITESPACE.includes(s[i]!)) i++;
  return s.slice(i);
}

export function nextDelimited(s: string | null): Delimited {
  if (s === null) return { token: null, rest: null };
  let i = 0;
  while (i < s.length && !(WHITESPACE + '"=').includes(s[i]!)) i++;
  if (i === s.length) return { token: s, rest: null };
  if (s[i] === '"') {
    const close = s.indexOf('"', i + 1);
    if (close < 0) return { token: null, rest: null }; // no matching quote
    return { token: s.slice(0, i) + s.slice(i + 1, close), rest: skipWhitespace(s.slice(close + 1)) };
  }
  const sawEquals = s[i] === "=";
  let rest = skipWhitespace(s.slice(i + 1));
  if (!sawEquals && rest.startsWith("=")) rest = skipWhitespace(rest.slice(1));
  return { token: s.slice(0, i), rest };
}

/** argv_split with comment termination; null when a quote is left open. */
export function splitArguments(s: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === " " || c === "\t") {
      i++;
      continue;
    }
    if (c === "#") break;
    let quote = "";
    let arg = "";
    for (; i < s.length; i++) {
      const ch = s[i]!;
      if (ch === "\\") {
        const next = s[i + 1];
        if (next === "'" || next === '"' || next === "\\" || (quote === "" && next === " ")) {
          i++;
          arg += next;
        } else {
          arg += ch;
        }
      } else if (quote === "" && (ch === " " || ch === "\t")) {
        break;
      } else if (quote === "" && (ch === '"' || ch === "'")) {
        quote = ch;
      } else if (quote !== "" && ch === quote) {
        quote = "";
      } else {
        arg += ch;
      }
    }
    if (quote !== "") return null;
    out.push(arg);
  }
  return out;
}
