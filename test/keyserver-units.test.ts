// Pure pieces of the key server: client key line validation, authorized_keys entries and their
// quoting, the duplicate scan, the plain-HTTP decision, the rate limiter. Expected key text comes
// from ssh-keygen, never from our own serializer.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KeyFormatError } from "../src/ssh/errors.js";
import { fromBase64, toBase64 } from "../src/ssh/wire/bytes.js";
import {
  authorizedKeysEntry,
  createKeyServerHandler,
  isLoopbackHost,
  keysInAuthorizedKeys,
  parseClientKeyLine,
  plainHttpDecision,
  quoteForcedCommand,
  RateLimiter,
  rateLimitBucket,
  sanitizeComment,
} from "../src/keyserver/index.js";
import { makeClientKey } from "./helpers/servers.js";
import { run } from "./helpers/tools.js";

async function ecdsaLine(): Promise<string> {
  const key = await makeClientKey();
  const path = join(key.path + "_ecdsa");
  await run("ssh-keygen", ["-q", "-t", "ecdsa", "-b", "256", "-N", "", "-C", "ec", "-f", path]);
  return (await readFile(`${path}.pub`, "utf8")).trim();
}

describe("parseClientKeyLine", () => {
  it("accepts an ssh-keygen .pub line (with its trailing newline) and keeps the exact blob", async () => {
    const key = await makeClientKey({ comment: "alice@laptop" });
    const [type, b64] = key.publicKeyLine.split(" ");
    const parsed = parseClientKeyLine(`${key.publicKeyLine}\n`);
    expect(parsed.key.type).toBe(type);
    expect(toBase64(parsed.key.blob)).toBe(b64);
    expect(parsed.comment).toBe("alice@laptop");
    expect(authorizedKeysEntry(parsed)).toBe(`restrict ${type} ${b64} alice@laptop`);
  });

  it("rejects hostile lines with KeyFormatError", async () => {
    const a = await makeClientKey();
    const b = await makeClientKey();
    const [type, b64] = a.publicKeyLine.split(" ") as [string, string];
    const blob = fromBase64(b64)!;
    const padded = toBase64(new Uint8Array([...blob, 0, 0, 0, 0]));
    const truncated = toBase64(blob.subarray(0, blob.length - 3));
    const ec = await ecdsaLine();
    const [, ecB64] = ec.split(" ");
    const cases: [string, string, RegExp][] = [
      ["a second key after a newline", `${a.publicKeyLine}\n${b.publicKeyLine}`, /line break/],
      ["a second key after CRLF", `${a.publicKeyLine}\r\n${b.publicKeyLine}\n`, /line break/],
      ["options", `command="sh" ${a.publicKeyLine}`, /options/],
      ["restrict option", `restrict ${a.publicKeyLine}`, /options/],
      ["escape sequence in the comment", `${type} ${b64} x\x1b[2J`, /control/],
      ["NUL", `${type} ${b64}\x00`, /control/],
      ["DEL", `${type} ${b64} a\x7f`, /control/],
      ["unknown type", ec, /unsupported key type "ecdsa-sha2-nistp256"/],
      ["made-up type", `ssh-foo ${b64}`, /unsupported key type/],
      ["blob of another type", `${type} ${ecB64}`, /ecdsa|unsupported/],
      ["padded blob", `${type} ${padded}`, /malformed|trailing|bytes/],
      ["truncated blob", `${type} ${truncated}`, /malformed|truncated|bytes/],
      ["bad base64", `${type} ${b64.slice(0, -2)}!!`, /base64/],
      ["type only", `${type}`, /type base64/],
      ["empty", ``, /unsupported key type ""/],
      ["huge", `${type} ${"A".repeat(10_000)}`, /longer than/],
    ];
    for (const [name, line, message] of cases) {
      let error: unknown;
      try {
        parseClientKeyLine(line);
      } catch (e) {
        error = e;
      }
      expect(error, name).toBeInstanceOf(KeyFormatError);
      expect((error as Error).message, name).toMatch(message);
    }
  });

  it("sanitizes the comment to bounded printable ASCII", () => {
    expect(sanitizeComment("bob\u2028@host\u00e9  x")).toBe("bob@host x");
    expect(sanitizeComment("a".repeat(500))).toHaveLength(100);
    expect(sanitizeComment("  \t ")).toBe("");
  });
});

describe("authorized_keys entries", () => {
  it("writes restrict and a forced command quoted the way sshd's opt_dequote reads it", async () => {
    const key = await makeClientKey({ comment: "c" });
    const [type, b64] = key.publicKeyLine.split(" ");
    const parsed = parseClientKeyLine(key.publicKeyLine);
    expect(authorizedKeysEntry(parsed, 'mcp-server --name "x" a\\b')).toBe(
      `restrict,command="mcp-server --name \\"x\\" a\\b" ${type} ${b64} c`,
    );
  });

  it("refuses forced commands that cannot be one authorized_keys option", () => {
    expect(() => quoteForcedCommand("a\nb")).toThrow(KeyFormatError);
    expect(() => quoteForcedCommand("a\rb")).toThrow(KeyFormatError);
    expect(() => quoteForcedCommand("a\\")).toThrow(/backslash/);
    expect(() => quoteForcedCommand("")).toThrow(/empty/);
  });

  it("finds key blobs in lines with and without options, quoted spaces included", async () => {
    const a = await makeClientKey();
    const b = await makeClientKey();
    const c = await makeClientKey();
    const b64 = (line: string) => line.split(" ")[1]!;
    const text = [
      "# a comment " + a.publicKeyLine,
      "",
      `restrict,command="echo a b \\"c d\\"" ${b.publicKeyLine}`,
      `  ${c.publicKeyLine}`,
      "garbage line",
      `from="10.0.0.1" ssh-ed25519 ${b64(a.publicKeyLine).slice(0, 20)}`,
    ].join("\n");
    expect([...keysInAuthorizedKeys(text)].sort()).toEqual([b64(b.publicKeyLine), b64(c.publicKeyLine)].sort());
  });
});

describe("plain HTTP decision", () => {
  it("knows loopback addresses", () => {
    for (const host of ["127.0.0.1", "127.255.0.9", "localhost", "LOCALHOST.", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "[::ffff:7f00:1]"]) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ["128.0.0.1", "10.0.0.1", "192.0.2.2", "0127.0.0.1", "127.0.0.256", "127.1", "::2", "::", "fe80::1", "localhost.example.com", "example.com", "::ffff:10.0.0.1", "1::1::1"]) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });

  it("allows HTTP for loopback, or with allowHttp, and refuses it otherwise", () => {
    expect(plainHttpDecision("127.0.0.1", false)).toEqual({ allowed: true, reason: "loopback" });
    expect(plainHttpDecision("keys.example.com", false)).toEqual({ allowed: false, reason: "not loopback" });
    expect(plainHttpDecision("keys.example.com", true)).toEqual({ allowed: true, reason: "allowHttp" });
    expect(plainHttpDecision("192.0.2.7", false).allowed).toBe(false);
  });
});

describe("RateLimiter", () => {
  it("allows a burst of N per client, refills at N per minute, and keeps clients apart", () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(3, () => now);
    expect([1, 2, 3, 4].map(() => limiter.allow("a"))).toEqual([true, true, true, false]);
    expect(limiter.allow("b")).toBe(true);
    now += 19_000; // 0.95 of a request regained
    expect(limiter.allow("a")).toBe(false);
    now += 1_500;
    expect(limiter.allow("a")).toBe(true);
    expect(limiter.allow("a")).toBe(false);
  });

  it("is off at 0 and refuses nonsense", () => {
    const limiter = new RateLimiter(0);
    for (let i = 0; i < 1000; i++) expect(limiter.allow("a")).toBe(true);
    expect(() => new RateLimiter(-1)).toThrow(RangeError);
    expect(() => new RateLimiter(1.5)).toThrow(RangeError);
  });

  it("stays bounded in memory however many addresses it sees", () => {
    const limiter = new RateLimiter(5, () => 0);
    for (let i = 0; i < 25_000; i++) limiter.allow(`10.0.${i >> 8}.${i & 255}`);
    expect(limiter.size).toBeLessThanOrEqual(10_000);
  });
});

describe("rateLimitBucket", () => {
  it("puts an IPv6 address in its /64, as Python's ipaddress.ip_network(a + '/64', strict=False) prints it", () => {
    const expected: [string, string][] = [
      ["2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"],
      ["2001:0DB8:0001:0002:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"],
      ["2001:db8::1", "2001:db8::/64"],
      ["2001:db8:0:1::5", "2001:db8:0:1::/64"],
      ["::1", "::/64"],
      ["fe80::1%eth0", "fe80::/64"],
      ["2001:0:0:1:2:3:4:5", "2001:0:0:1::/64"],
      ["1:0:0:0:1::", "1::/64"],
      ["64:ff9b::192.0.2.1", "64:ff9b::/64"],
      ["2001:db8:aa:bb:cc:dd:10.1.2.3", "2001:db8:aa:bb::/64"],
    ];
    for (const [address, bucket] of expected) expect(rateLimitBucket(address), address).toBe(bucket);
  });

  it("keeps IPv4 addresses, and anything that is not an IPv6 literal, as they are", () => {
    for (const a of ["192.0.2.7", "unknown", "1:2:3", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "g::1", ""]) {
      expect(rateLimitBucket(a), a).toBe(a);
    }
  });

  it("makes the handler count every address of one /64 together, and other /64s apart", async () => {
    const host = await makeClientKey();
    const handler = createKeyServerHandler({ serverPublicKeyLine: host.publicKeyLine, authorizedKeysPath: join(host.path + "_ak"), rateLimitPerMinute: 2, openRegistration: true });
    const get = (clientAddress: string) => handler(new Request("http://x/server_pub_key"), { clientAddress }).then((r) => r.status);
    expect(await get("2001:db8:1:2::1")).toBe(200);
    expect(await get("2001:db8:1:2::2")).toBe(200);
    expect(await get("2001:db8:1:2:ffff:ffff:ffff:ffff")).toBe(429);
    expect(await get("2001:db8:1:3::1")).toBe(200);
    expect(await get("192.0.2.1")).toBe(200);
    expect(await get("192.0.2.1")).toBe(200);
    expect(await get("192.0.2.2")).toBe(200);
  });
});
