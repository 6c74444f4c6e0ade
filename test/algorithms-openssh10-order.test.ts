// Issue 16: with no algorithms option we offer what OpenSSH 10's client offers, in its order, minus
// what we do not implement. The reference is the OpenSSH 10.0 client itself (scripts/fetch-openssh10.sh
// unpacks it): `ssh -G` prints the configuration it would use and exits without connecting (ssh(1)),
// `-F none` keeps every config file out (ssh_config(5)), and CanonicalizeHostname=no (the default,
// pinned) means the name is never looked up, so the reserved example.invalid (RFC 2606) needs no
// network. Every name it lists is either one of our defaults, in the same place, or excluded below
// with the reason; an exclusion that stops being true (we implement a name said not to be, or offer
// one said to be named only) fails the test too. The README's table is checked against the code.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../fixtures/mcp/fixture-client.js";
import { ciphers } from "../src/ssh/algorithms/ciphers.js";
import { hostKeyAlgorithms, publicKeyAlgorithms } from "../src/ssh/algorithms/host-keys.js";
import { kexMethods } from "../src/ssh/algorithms/kex.js";
import { macs } from "../src/ssh/algorithms/macs.js";
import { offeredAlgorithms, type OfferedAlgorithms } from "../src/ssh/algorithms/offer.js";
import type { AlgorithmTable } from "../src/ssh/algorithms/table.js";
import { requireOpenssh10 } from "./helpers/tools.js";

/** `ssh -G` keyword -> our category and its table. */
const CATEGORIES: [keyword: string, category: keyof OfferedAlgorithms, table: AlgorithmTable<unknown>][] = [
  ["kexalgorithms", "kex", kexMethods],
  ["hostkeyalgorithms", "hostKey", hostKeyAlgorithms],
  ["ciphers", "cipher", ciphers],
  ["macs", "mac", macs],
  ["pubkeyacceptedalgorithms", "publicKey", publicKeyAlgorithms],
];

/** Names OpenSSH 10 offers that we do not implement at all: none may be in our tables. */
const NOT_IMPLEMENTED: { pattern: RegExp; reason: string }[] = [
  { pattern: /^sk-/, reason: "FIDO/U2F security-key types (PROTOCOL.u2f): signing needs a hardware authenticator" },
  { pattern: /^umac-/, reason: "UMAC (RFC 4418) MACs: not implemented; the HMAC-SHA2 ones and the AEAD ciphers cover every server" },
];

/** Names OpenSSH 10 offers that we implement but offer only when named. */
const NAMED_ONLY: { names: string[]; reason: string }[] = [
  { names: ["hmac-sha1-etm@openssh.com", "hmac-sha1"], reason: "SHA-1: offered only when named (README, Security)" },
];

let openssh10: Map<string, string[]>;

beforeAll(async () => {
  const { ssh } = requireOpenssh10();
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(ssh, ["-G", "-F", "none", "-o", "CanonicalizeHostname=no", "example.invalid"], { timeout: 30_000, encoding: "utf8" }, (error, out, err) => {
      if (error) reject(new Error(`${ssh} -G failed: ${error.message}\n${err}`));
      else resolve(out);
    });
  });
  openssh10 = new Map(
    stdout
      .split("\n")
      .map((line) => line.split(" "))
      .filter((words) => words.length === 2)
      .map(([keyword, value]) => [keyword!, value!.split(",")]),
  );
});

describe("the default offer is OpenSSH 10's client's, in its order, minus what we do not implement", () => {
  it.each(CATEGORIES)("%s", (keyword, category, table) => {
    const theirs = openssh10.get(keyword);
    expect(theirs, `ssh -G prints ${keyword}`).toBeDefined();
    const namedOnly = NAMED_ONLY.flatMap((e) => e.names);
    const unexplained: string[] = [];
    const expected: string[] = [];
    for (const name of theirs!) {
      const excluded = NOT_IMPLEMENTED.find((e) => e.pattern.test(name));
      if (excluded) {
        // The exclusion must be true: we do not have this name.
        expect(table.has(name), `${name} is listed as not implemented (${excluded.reason}), but ${category} has it`).toBe(false);
      } else if (namedOnly.includes(name)) {
        expect(table.has(name), `${name} is listed as named only, but ${category} does not have it`).toBe(true);
        expect(table.defaults, `${name} is listed as named only, but ${category} offers it by default`).not.toContain(name);
      } else if (table.has(name)) {
        expected.push(name);
      } else {
        unexplained.push(name);
      }
    }
    expect(unexplained, `OpenSSH 10 offers these ${category} names, which we neither implement nor list as excluded`).toEqual([]);
    expect(offeredAlgorithms()[category]).toEqual(expected);
  });

  it("every exclusion still matches something OpenSSH 10 offers (none is stale), and each named-only name is ours but not a default", () => {
    const all = [...openssh10.entries()].filter(([k]) => CATEGORIES.some(([keyword]) => keyword === k)).flatMap(([, names]) => names);
    for (const e of NOT_IMPLEMENTED) expect(all.some((n) => e.pattern.test(n)), String(e.pattern)).toBe(true);
    for (const name of NAMED_ONLY.flatMap((e) => e.names)) {
      expect(all).toContain(name);
      const tables = CATEGORIES.map(([, , table]) => table);
      expect(tables.some((t) => t.has(name)), `${name} is listed as named only, but no table has it`).toBe(true);
      expect(tables.some((t) => t.defaults.includes(name)), `${name} is listed as named only, but is a default`).toBe(false);
    }
  });
});

describe("README's Algorithms table says what the code offers", () => {
  const rows = new Map<string, [string[], string[]]>();
  beforeAll(() => {
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("\n## Algorithms\n")).split(/\n## /)[1]!;
    // "ecdh-sha2-nistp256/384/521" is shorthand for the three names.
    const names = (cell: string) =>
      cell
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
        .flatMap((n) => {
          const m = /^(.*nistp)(\d+)((?:\/\d+)+)$/.exec(n);
          return m ? [m[2]!, ...m[3]!.split("/").filter(Boolean)].map((size) => `${m[1]}${size}`) : [n];
        });
    for (const line of section.split("\n")) {
      const cells = /^\| (kex|cipher|MAC) \| (.*?) \|(.*)\|$/.exec(line);
      if (cells) rows.set(cells[1]!, [names(cells[2]!), names(cells[3]!)]);
    }
  });

  it.each([
    ["kex", "kex", kexMethods],
    ["cipher", "cipher", ciphers],
    ["MAC", "mac", macs],
  ] as const)("%s row: the defaults in order, then the named-only rows", (row, category, table) => {
    expect(rows.has(row), `README's Algorithms table has a ${row} row`).toBe(true);
    const [byDefault, namedOnly] = rows.get(row)!;
    expect(byDefault).toEqual(offeredAlgorithms()[category]);
    expect(namedOnly).toEqual((table as AlgorithmTable<unknown>).names.filter((n) => !table.defaults.includes(n)));
  });
});
