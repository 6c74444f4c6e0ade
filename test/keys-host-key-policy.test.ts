import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostKeyMismatchError, HostKeyUnknownError } from "../src/ssh/errors.js";
import type { Logger } from "../src/ssh/logger.js";
import { verifyHostKeyWithPolicy, type VerifyHostKeyOptions } from "../src/ssh/keys/host-key-policy.js";
import { appendKnownHostsLine } from "../src/platform/node/known-hosts-file.js";
import { fromBase64 } from "../src/ssh/wire/bytes.js";
import { startSshd, type TestServer } from "./helpers/servers.js";
import { mustRun, tempDir, tool, typeAndBase64 } from "./keys-support.js";

function keyOf(line: string): { type: string; blob: Uint8Array } {
  const [type, b64] = line.trim().split(/\s+/);
  return { type: type!, blob: fromBase64(b64!)! };
}

const base64 = (key: { blob: Uint8Array }) => Buffer.from(key.blob).toString("base64");

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (m: string) => void lines.push(`${level}: ${m}`);
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection");
}

describe("host key policy against a real sshd's key", () => {
  let server: TestServer;
  let hostKey: { type: string; blob: Uint8Array };
  let otherKey: { type: string; blob: Uint8Array };
  let base: Pick<VerifyHostKeyOptions, "host" | "port" | "key">;

  beforeAll(async () => {
    server = await startSshd();
    hostKey = keyOf(server.hostKeyLine);
    const path = join(tempDir(), "other_host_key");
    await mustRun("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path]);
    otherKey = keyOf(readFileSync(`${path}.pub`, "utf8"));
    base = { host: server.host, port: server.port, key: hostKey };
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("yes (default): a known key passes; an unknown host is refused with the exact line to add", async () => {
    await verifyHostKeyWithPolicy({ ...base, knownHosts: [{ text: `${server.knownHostsLine}\n`, source: "kh" }] });
    const error = await rejection(verifyHostKeyWithPolicy({ ...base, knownHosts: [] }));
    expect(error).toBeInstanceOf(HostKeyUnknownError);
    const unknown = error as HostKeyUnknownError;
    expect(unknown.knownHostsLine).toBe(server.knownHostsLine);
    expect(unknown.fingerprint).toBe(server.hostKeyFingerprint);
    expect(unknown.message).toContain(server.knownHostsLine);
  });

  it("a changed key is refused under yes and accept-new, naming the conflicting file:line", async () => {
    const stale = `# header\n${server.knownHostsLine}\n`;
    for (const policy of ["yes", "accept-new"] as const) {
      let appended = 0;
      const error = await rejection(
        verifyHostKeyWithPolicy({
          ...base,
          key: otherKey,
          policy,
          knownHosts: [{ text: stale, source: "/home/u/.ssh/known_hosts" }],
          appendKnownHost: async () => void appended++,
        }),
      );
      expect(error).toBeInstanceOf(HostKeyMismatchError);
      expect((error as HostKeyMismatchError).expectedFrom).toBe("known_hosts /home/u/.ssh/known_hosts:2");
      expect(appended).toBe(0);
    }
  });

  it("accept-new appends a line that ssh-keygen -F finds, then trusts it, then refuses a different key", async () => {
    for (const hash of [false, true]) {
      const file = join(tempDir(), "ssh", "known_hosts");
      const logger = recordingLogger();
      const opts = (text: string | null): VerifyHostKeyOptions => ({
        ...base,
        policy: "accept-new",
        hashKnownHosts: hash,
        knownHosts: text === null ? [] : [{ text, source: file }],
        appendKnownHost: (line) => appendKnownHostsLine(file, line),
        logger,
      });
      await verifyHostKeyWithPolicy(opts(null));
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const written = readFileSync(file, "utf8");
      expect(written.split("\n").filter(Boolean)).toHaveLength(1);
      expect(written.startsWith("|1|")).toBe(hash);
      const found = await tool("ssh-keygen", ["-F", `[127.0.0.1]:${server.port}`, "-f", file]);
      expect(found.code).toBe(0);
      expect(found.stdout).toContain(typeAndBase64(server.hostKeyLine).split(" ")[1]);
      expect(logger.lines.some((l) => l.startsWith("info: permanently added") && l.includes(server.hostKeyFingerprint))).toBe(true);

      await verifyHostKeyWithPolicy(opts(written));
      expect(readFileSync(file, "utf8")).toBe(written);
      const error = await rejection(verifyHostKeyWithPolicy({ ...opts(written), key: otherKey }));
      expect(error).toBeInstanceOf(HostKeyMismatchError);
      expect(readFileSync(file, "utf8")).toBe(written);
    }
  });

  it("no: accepts unknown and changed keys with a loud warning naming the fingerprint", async () => {
    const logger = recordingLogger();
    await verifyHostKeyWithPolicy({ ...base, policy: "no", logger });
    const otherKeyEntry = `[127.0.0.1]:${server.port} ssh-ed25519 ${base64(otherKey)}`;
    await verifyHostKeyWithPolicy({ ...base, policy: "no", logger, knownHosts: [otherKeyEntry] });
    const warnings = logger.lines.filter((l) => l.startsWith("warn: WARNING"));
    expect(warnings).toHaveLength(2);
    expect(warnings.every((w) => w.includes(server.hostKeyFingerprint))).toBe(true);
    expect(warnings[1]).toMatch(/HAS CHANGED/);
  });

  it("@revoked refuses under every policy, even with a matching pin or a plain entry", async () => {
    const revoked = `${server.knownHostsLine}\n@revoked * ${typeAndBase64(server.hostKeyLine)}\n`;
    for (const policy of ["yes", "accept-new", "no"] as const) {
      const error = await rejection(
        verifyHostKeyWithPolicy({ ...base, policy, knownHosts: [{ text: revoked, source: "kh" }], fingerprints: [server.hostKeyFingerprint] }),
      );
      expect(error).toBeInstanceOf(HostKeyMismatchError);
      expect((error as HostKeyMismatchError).expectedFrom).toMatch(/^@revoked at kh:2/);
      expect((error as HostKeyMismatchError).knownHostsLine).toBeUndefined();
    }
  });

  it("pinned fingerprints decide when given (padded or not); known_hosts and the policy are then not consulted", async () => {
    await verifyHostKeyWithPolicy({ ...base, fingerprints: ["SHA256:" + "A".repeat(43), server.hostKeyFingerprint] });
    await verifyHostKeyWithPolicy({ ...base, fingerprints: [`${server.hostKeyFingerprint}=`] });
    // A pin overrides a conflicting known_hosts entry (the caller said exactly which key to expect).
    const conflicting = `[127.0.0.1]:${server.port} ssh-ed25519 ${base64(otherKey)}`;
    await verifyHostKeyWithPolicy({ ...base, knownHosts: [conflicting], fingerprints: [server.hostKeyFingerprint] });
    // ...and a wrong pin refuses even a known key or policy "no".
    const error = await rejection(
      verifyHostKeyWithPolicy({ ...base, policy: "no", knownHosts: [server.knownHostsLine], fingerprints: ["SHA256:" + "A".repeat(43)] }),
    );
    expect(error).toBeInstanceOf(HostKeyMismatchError);
    expect((error as HostKeyMismatchError).expectedFrom).toBe("pinned fingerprints");
    await expect(verifyHostKeyWithPolicy({ ...base, fingerprints: ["aa:bb:cc"] })).rejects.toThrow(/not a SHA256 fingerprint/);
  });

  it("a verifier gets type, fingerprint and blob; false refuses; a matching pin wins before it", async () => {
    const seen: { type: string; fingerprint: string; blob: Uint8Array }[] = [];
    await verifyHostKeyWithPolicy({ ...base, verifier: (k) => (seen.push(k), true) });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.type).toBe("ssh-ed25519");
    expect(seen[0]!.fingerprint).toBe(server.hostKeyFingerprint);
    expect(Buffer.from(seen[0]!.blob).toString("base64")).toBe(server.hostKeyLine.split(" ")[1]);
    const error = await rejection(verifyHostKeyWithPolicy({ ...base, verifier: async () => false }));
    expect((error as HostKeyMismatchError).expectedFrom).toBe("host verifier");
    await verifyHostKeyWithPolicy({ ...base, fingerprints: [server.hostKeyFingerprint], verifier: () => false });
    await verifyHostKeyWithPolicy({ ...base, fingerprints: ["SHA256:" + "B".repeat(43)], verifier: () => true });
  });
});
