import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashHostName, matchHashedHost, matchPattern, matchPatternList, parseHashedHost } from "../src/ssh/keys/host-patterns.js";
import { checkHostKey, formatKnownHostsLine, parseKnownHosts } from "../src/ssh/keys/known-hosts.js";
import { appendKnownHostsLine, readKnownHostsFiles } from "../src/platform/node/known-hosts-file.js";
import { fromBase64 } from "../src/ssh/wire/bytes.js";
import { startSshd, type TestServer } from "./helpers/servers.js";
import { mustRun, tempDir, tool, typeAndBase64 } from "./keys-support.js";

/** `{ type, blob }` of a "type base64 ..." line. */
function keyOf(line: string): { type: string; blob: Uint8Array } {
  const [type, b64] = line.trim().split(/\s+/);
  return { type: type!, blob: fromBase64(b64!)! };
}

/** "type base64" of a fresh public key made by ssh-keygen. */
async function otherKeyLine(type = "ed25519"): Promise<string> {
  const path = join(tempDir(), "other");
  await mustRun("ssh-keygen", ["-q", "-t", type, "-N", "", "-f", path]);
  return typeAndBase64(readFileSync(`${path}.pub`, "utf8"));
}

describe("host patterns (match.c semantics)", () => {
  it.each([
    ["host.example.com", "*.example.com", true],
    ["example.com", "*.example.com", false],
    ["a.b.example.com", "*.example.com", true],
    ["web1", "web?", true],
    ["web12", "web?", false],
    ["[10.0.0.1]:2222", "[10.0.0.*]:2222", true],
    ["[10.0.0.1]:2222", "[10.0.0.*]:22", false],
    ["[10.0.0.1]:2222", "*", true],
    ["abc", "a*b*c", true],
    ["abxc", "a*b*c", true],
    ["ab", "a*b*c", false],
    ["", "*", true],
  ])("%s vs %s -> %s", (name, pattern, expected) => {
    expect(matchPattern(name, pattern)).toBe(expected);
  });

  it("comma lists, negation overriding a positive match, case-insensitive patterns", () => {
    expect(matchPatternList("db.example.com", "*.example.com,!db.example.com")).toBe(-1);
    expect(matchPatternList("db.example.com", "!db.example.com,*.example.com")).toBe(-1);
    expect(matchPatternList("web.example.com", "*.example.com,!db.example.com")).toBe(1);
    expect(matchPatternList("web.example.com", "WEB.Example.COM")).toBe(1);
    expect(matchPatternList("other", "a,b,!c")).toBe(0);
  });
});

describe("known_hosts parsing and lookup", () => {
  let key: string;
  let other: string;
  let rsa: string;
  beforeAll(async () => {
    [key, other, rsa] = await Promise.all([otherKeyLine(), otherKeyLine(), otherKeyLine("rsa")]);
  });

  it("skips comments, blank and malformed lines; keeps line numbers and markers", () => {
    const skipped: string[] = [];
    const text = [
      "# a comment",
      "",
      `   host1 ${key} a comment here`,
      "host2 ssh-ed25519 !!!notbase64",
      `host3 ssh-rsa ${key.split(" ")[1]}`,
      `@revoked * ${other}`,
      `@cert-authority *.example.com ${other}`,
      `@bogus host4 ${key}`,
      `host5,host6\t${rsa}\r`,
    ].join("\n");
    const entries = parseKnownHosts(text, "kh", (where, reason) => skipped.push(`${where} ${reason}`));
    expect(entries.map((e) => [e.where, e.marker, e.patterns, e.keyType])).toEqual([
      ["kh:3", null, "host1", "ssh-ed25519"],
      ["kh:6", "revoked", "*", "ssh-ed25519"],
      ["kh:7", "cert-authority", "*.example.com", "ssh-ed25519"],
      ["kh:9", null, "host5,host6", "ssh-rsa"],
    ]);
    expect(entries[0]!.comment).toBe("a comment here");
    expect(skipped.map((s) => s.split(" ")[0])).toEqual(["kh:4", "kh:5", "kh:8"]);
  });

  it("match / mismatch (same type) / unknown (other type only) / revoked", () => {
    const text = [`server ${other}`, `server ${rsa}`, `rsaonly ${rsa}`, `@revoked server,bad ${key}`, `bad ${key}`].join("\n");
    const entries = parseKnownHosts(text, "kh");
    expect(checkHostKey(entries, "server", 22, keyOf(other))).toEqual({ status: "match", where: "kh:1" });
    expect(checkHostKey(entries, "SERVER", 22, keyOf(other))).toEqual({ status: "match", where: "kh:1" });
    expect(checkHostKey(entries, "server", 22, keyOf(key))).toEqual({ status: "revoked", where: "kh:4" });
    expect(checkHostKey(entries, "bad", 22, keyOf(key))).toEqual({ status: "revoked", where: "kh:4" });
    expect(checkHostKey(entries, "rsaonly", 22, keyOf(other))).toEqual({ status: "unknown" });
    const changed = parseKnownHosts(`server ${other}`, "kh");
    expect(checkHostKey(changed, "server", 22, keyOf(key))).toEqual({ status: "mismatch", where: "kh:1" });
    expect(checkHostKey(changed, "nowhere", 22, keyOf(key))).toEqual({ status: "unknown" });
  });

  it("@cert-authority lines are not plain host keys", () => {
    const entries = parseKnownHosts(`@cert-authority * ${key}`, "kh");
    expect(checkHostKey(entries, "any", 22, keyOf(key))).toEqual({ status: "unknown" });
  });

  it("wildcards, negation and [host]:port", () => {
    const entries = parseKnownHosts(
      [`*.example.com,!db.example.com ${key}`, `[*.internal]:2222 ${other}`, `plainhost ${other}`].join("\n"),
      "kh",
    );
    expect(checkHostKey(entries, "web.example.com", 22, keyOf(key)).status).toBe("match");
    expect(checkHostKey(entries, "db.example.com", 22, keyOf(key)).status).toBe("unknown");
    expect(checkHostKey(entries, "web.example.com", 2200, keyOf(key)).status).toBe("unknown");
    expect(checkHostKey(entries, "a.internal", 2222, keyOf(other)).status).toBe("match");
    expect(checkHostKey(entries, "a.internal", 22, keyOf(other)).status).toBe("unknown");
    expect(checkHostKey(entries, "plainhost", 22, keyOf(other)).status).toBe("match");
    expect(checkHostKey(entries, "plainhost", 2222, keyOf(other)).status).toBe("unknown");
  });

  it("several files: the first matching entry's file and line are reported", () => {
    const entries = [...parseKnownHosts(`# none here\nx ${rsa}`, "a"), ...parseKnownHosts(`\n\nhost ${other}`, "b")];
    expect(checkHostKey(entries, "host", 22, keyOf(other))).toEqual({ status: "match", where: "b:3" });
  });

  it("formats lines as ssh writes them; hashed lines are found by ssh-keygen -F", async () => {
    expect(formatKnownHostsLine("Host.Example", 22, keyOf(key))).toBe(`host.example ${key}`);
    expect(formatKnownHostsLine("10.1.2.3", 2222, keyOf(key))).toBe(`[10.1.2.3]:2222 ${key}`);
    const hashed = formatKnownHostsLine("10.1.2.3", 2222, keyOf(key), { hash: true });
    expect(hashed).toMatch(/^\|1\|[A-Za-z0-9+/]{27}=\|[A-Za-z0-9+/]{27}= ssh-ed25519 /);
    const file = join(tempDir(), "known_hosts");
    writeFileSync(file, `${hashed}\n`);
    const found = await tool("ssh-keygen", ["-F", "[10.1.2.3]:2222", "-f", file]);
    expect(found.code).toBe(0);
    expect(found.stdout).toContain(key.split(" ")[1]);
    expect((await tool("ssh-keygen", ["-F", "10.1.2.3", "-f", file])).code).not.toBe(0);
  });

  it("hashes made by ssh-keygen -H match; a hashed field checks its salt and hash lengths", async () => {
    const file = join(tempDir(), "known_hosts");
    writeFileSync(file, `example.org ${key}\n[example.org]:2022 ${other}\n`);
    await mustRun("ssh-keygen", ["-H", "-f", file]);
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain("example.org");
    const entries = parseKnownHosts(text, "hashed");
    expect(entries.every((e) => e.hashed !== null)).toBe(true);
    expect(checkHostKey(entries, "example.org", 22, keyOf(key)).status).toBe("match");
    expect(checkHostKey(entries, "example.org", 2022, keyOf(other)).status).toBe("match");
    expect(checkHostKey(entries, "example.org", 2022, keyOf(key)).status).toBe("mismatch");
    expect(checkHostKey(entries, "example.net", 22, keyOf(key)).status).toBe("unknown");
    const field = text.split(" ")[0]!;
    expect(matchHashedHost("example.org", parseHashedHost(field)!)).toBe(true);
    expect(parseHashedHost("|1|c2FsdA==|aGFzaA==")).toBeNull();
    expect(parseHashedHost(hashHostName("x"))).not.toBeNull();
  });
});

describe("known_hosts against a real sshd (ssh-keyscan)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startSshd();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("ssh-keyscan output, plain and hashed with ssh-keygen -H, matches only on that port", async () => {
    const scanned = await mustRun("ssh-keyscan", ["-p", String(server.port), "-t", "ed25519", "127.0.0.1"]);
    expect(scanned).toContain(`[127.0.0.1]:${server.port} ssh-ed25519 `);
    const hostKey = keyOf(server.hostKeyLine);
    const file = join(tempDir(), "known_hosts");
    writeFileSync(file, scanned);
    for (const hashed of [false, true]) {
      if (hashed) await mustRun("ssh-keygen", ["-H", "-f", file]);
      const entries = parseKnownHosts(readFileSync(file, "utf8"), file);
      expect(entries.length).toBe(1);
      expect(entries[0]!.hashed !== null).toBe(hashed);
      expect(checkHostKey(entries, "127.0.0.1", server.port, hostKey).status).toBe("match");
      expect(checkHostKey(entries, "127.0.0.1", server.port + 1, hostKey).status).toBe("unknown");
      expect(checkHostKey(entries, "127.0.0.1", 22, hostKey).status).toBe("unknown");
      expect(checkHostKey(entries, "localhost", server.port, hostKey).status).toBe("unknown");
    }
  });
});

describe("known_hosts files (Node)", () => {
  it("appends atomically, creates file 0600 and dir 0700, never duplicates, separates an unterminated last line", async () => {
    const dir = join(tempDir(), "fresh", ".ssh");
    const file = join(dir, "known_hosts");
    await appendKnownHostsLine(file, "host1 ssh-ed25519 AAAA1");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    await appendKnownHostsLine(file, "host1 ssh-ed25519 AAAA1");
    await appendKnownHostsLine(file, "host2 ssh-ed25519 AAAA2");
    expect(readFileSync(file, "utf8")).toBe("host1 ssh-ed25519 AAAA1\nhost2 ssh-ed25519 AAAA2\n");
    writeFileSync(file, "host3 ssh-ed25519 AAAA3", { mode: 0o644 });
    await appendKnownHostsLine(file, "host4 ssh-ed25519 AAAA4");
    expect(readFileSync(file, "utf8")).toBe("host3 ssh-ed25519 AAAA3\nhost4 ssh-ed25519 AAAA4\n");
    await expect(appendKnownHostsLine(file, "two\nlines")).rejects.toBeInstanceOf(TypeError);
  });

  it("concurrent appends keep every line", async () => {
    const file = join(tempDir(), "known_hosts");
    const lines = Array.from({ length: 20 }, (_, i) => `host${i} ssh-ed25519 AAAA${i}`);
    await Promise.all(lines.map((l) => appendKnownHostsLine(file, l)));
    expect(readFileSync(file, "utf8").trim().split("\n").sort()).toEqual([...lines].sort());
  });

  it("reads several files and skips missing ones", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "a"), "a ssh-ed25519 AAAA\n");
    const read = await readKnownHostsFiles([join(dir, "a"), join(dir, "missing")]);
    expect(read).toEqual([{ text: "a ssh-ed25519 AAAA\n", source: join(dir, "a") }]);
  });
});
