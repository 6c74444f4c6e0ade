// authorized_keys parsing as sshd(8) documents it: options, quoting, unknown options, expiry-time,
// from= with wildcards, CIDR and negation.
import { describe, expect, it } from "vitest";
import { matchFrom, parseAuthorizedKeyLine, parseAuthorizedKeys, parseExpiryTime } from "../src/ssh/keys/authorized-keys.js";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDz6u7ClP0Jd8w0nKdvKJ2/U7ks4t1tq0RBlwN3C8oE5";

describe("authorized_keys lines", () => {
  it("a plain key, with and without a comment", () => {
    const k = parseAuthorizedKeyLine(`${KEY} me@host with spaces`);
    expect(k.type).toBe("ssh-ed25519");
    expect(k.comment).toBe("me@host with spaces");
    expect(k.options.restrict).toBe(false);
    expect(k.options.pty).toBe(true);
  });

  it("options: restrict then pty re-enables one; command with an escaped quote and a comma; environment; principals", () => {
    const k = parseAuthorizedKeyLine(`restrict,pty,command="echo \\"a, b\\"",environment="A=1",from="*.example.com,!bad.example.com" ${KEY} c`);
    expect(k.options).toMatchObject({ restrict: true, pty: true, portForwarding: false, agentForwarding: false, x11Forwarding: false, userRc: false });
    expect(k.options.command).toBe('echo "a, b"');
    expect(k.options.environment).toEqual([["A", "1"]]);
    expect(k.options.from).toBe("*.example.com,!bad.example.com");
    const ca = parseAuthorizedKeyLine(`cert-authority,principals="mcp,ops" ${KEY}`);
    expect(ca.options.certAuthority).toBe(true);
    expect(ca.options.principals).toEqual(["mcp", "ops"]);
    expect(parseAuthorizedKeyLine(`NO-PTY,No-Port-Forwarding ${KEY}`).options).toMatchObject({ pty: false, portForwarding: false });
  });

  it("bad lines are reported with their line numbers and skipped", () => {
    const { keys, errors } = parseAuthorizedKeys(
      [`# comment`, ``, `bogus ${KEY}`, `command="unterminated ${KEY}`, `principals="x" ${KEY}`, `ssh-ed25519 !!!notbase64`, `ssh-rsa ${KEY.split(" ")[1]}`, `no-pty ${KEY}`].join("\n"),
    );
    expect(keys.map((k) => k.line)).toEqual([8]);
    expect(errors.map((e) => e.line)).toEqual([3, 4, 5, 6, 7]);
    expect(errors[0]!.message).toMatch(/unknown option "bogus"/);
    expect(errors[2]!.message).toMatch(/only valid with cert-authority/);
    expect(errors[4]!.message).toMatch(/says "ssh-rsa" but the key blob is "ssh-ed25519"/);
  });

  it("an option named like an Object property is an unknown option, as sshd refuses it", () => {
    // Names are compared in lower case, so "constructor" is the Object property that reaches the table.
    expect(() => parseAuthorizedKeyLine(`constructor ${KEY}`)).toThrow('unknown option "constructor"');
    expect(() => parseAuthorizedKeyLine(`Constructor,no-pty ${KEY}`)).toThrow('unknown option "constructor"');
    expect(() => parseAuthorizedKeyLine(`__proto__ ${KEY}`)).toThrow(/bad options|unknown option/);
  });

  it("expiry-time: date, date+time, UTC; invalid dates refused", () => {
    expect(parseExpiryTime("20300102Z")).toBe(Date.UTC(2030, 0, 2));
    expect(parseExpiryTime("203001021304Z")).toBe(Date.UTC(2030, 0, 2, 13, 4));
    expect(parseExpiryTime("20300102130405Z")).toBe(Date.UTC(2030, 0, 2, 13, 4, 5));
    expect(parseExpiryTime("20300102")).toBe(new Date(2030, 0, 2).getTime());
    expect(() => parseExpiryTime("20301302")).toThrow(/not a valid date/);
    expect(() => parseExpiryTime("2030-01-02")).toThrow(/YYYYMMDD/);
  });

  it("from=: wildcards, CIDR (v4 and v6), negation wins", () => {
    expect(matchFrom("127.0.0.1", "127.0.0.1")).toBe(true);
    expect(matchFrom("127.*", "127.0.0.1")).toBe(true);
    expect(matchFrom("10.0.0.0/8", "127.0.0.1")).toBe(false);
    expect(matchFrom("10.0.0.0/8", "10.200.3.4")).toBe(true);
    expect(matchFrom("192.168.1.0/25", "192.168.1.200")).toBe(false);
    expect(matchFrom("127.0.0.0/8,!127.0.0.1", "127.0.0.1")).toBe(false);
    expect(matchFrom("2001:db8::/32", "2001:db8:1::5")).toBe(true);
    expect(matchFrom("2001:db8::/32", "2001:db9::5")).toBe(false);
    expect(matchFrom("::1", "::1")).toBe(true);
    expect(matchFrom("*.example.com", "10.0.0.1", "host.example.com")).toBe(true);
  });
});
