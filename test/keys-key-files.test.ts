import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Logger } from "../src/ssh/logger.js";
import { generateEd25519Key } from "../src/ssh/keys/generate-key.js";
import { KeyFileExistsError, ensureKeyFile, writeKeyPair } from "../src/platform/node/key-files.js";
import { inspectPrivateKey, parsePrivateKey } from "../src/ssh/keys/openssh-private-key.js";
import { mustRun, tempDir, tool, typeAndBase64 } from "./keys-support.js";

const mode = (path: string) => statSync(path).mode & 0o777;

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (m: string) => void lines.push(`${level}: ${m}`);
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

async function fingerprintFromKeygen(path: string): Promise<string> {
  return (await mustRun("ssh-keygen", ["-l", "-E", "sha256", "-f", path])).split(/\s+/)[1]!;
}

describe("keys we generate are OpenSSH keys", () => {
  it("ssh-keygen -y prints our public key and ssh-keygen -lf our fingerprint; modes 0600/0644, new dirs 0700", async () => {
    const dir = join(tempDir(), "new", ".ssh");
    const path = join(dir, "id_test");
    const written = await writeKeyPair(path, { comment: "gen@test" });
    expect(readFileSync(`${path}.pub`, "utf8")).toBe(`${written.publicKeyLine}\n`);
    expect(written.publicKeyLine).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]+ gen@test$/);
    expect(typeAndBase64(await mustRun("ssh-keygen", ["-y", "-f", path]))).toBe(typeAndBase64(written.publicKeyLine));
    expect(await fingerprintFromKeygen(path)).toBe(written.fingerprint);
    expect(await fingerprintFromKeygen(`${path}.pub`)).toBe(written.fingerprint);
    expect(mode(path)).toBe(0o600);
    expect(mode(`${path}.pub`)).toBe(0o644);
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, ".."))).toBe(0o700);
  });

  it("writes the file the way ssh-keygen does: armor, 70-column base64", async () => {
    const { privateKey } = await generateEd25519Key({ comment: "c" });
    const lines = privateKey.split("\n");
    expect(lines[0]).toBe("-----BEGIN OPENSSH PRIVATE KEY-----");
    expect(lines.at(-2)).toBe("-----END OPENSSH PRIVATE KEY-----");
    expect(lines.at(-1)).toBe("");
    const body = lines.slice(1, -2);
    expect(body.slice(0, -1).every((l) => l.length === 70)).toBe(true);
    expect(body.at(-1)!.length).toBeLessThanOrEqual(70);
  });

  it("an encrypted key we write is decrypted by ssh-keygen -y -P, and only with the passphrase", async () => {
    const path = join(tempDir(), "id_enc");
    const written = await writeKeyPair(path, { passphrase: "correct horse", comment: "enc@test" });
    expect(typeAndBase64(await mustRun("ssh-keygen", ["-y", "-P", "correct horse", "-f", path]))).toBe(
      typeAndBase64(written.publicKeyLine),
    );
    const wrong = await tool("ssh-keygen", ["-y", "-P", "wrong horse", "-f", path]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/incorrect passphrase/);
    // And ssh-keygen can re-encrypt it (it parsed the whole private section, comment included).
    await mustRun("ssh-keygen", ["-p", "-P", "correct horse", "-N", "new pass", "-a", "4", "-f", path]);
    expect((await parsePrivateKey(readFileSync(path, "utf8"), "new pass")).comment).toBe("enc@test");
  });

  it("honours rounds (ssh-keygen -a) and the default of 16", async () => {
    const four = (await generateEd25519Key({ passphrase: "pw", rounds: 4 })).privateKey;
    const dflt = (await generateEd25519Key({ passphrase: "pw" })).privateKey;
    const path = join(tempDir(), "k");
    for (const [text, rounds] of [
      [four, 4],
      [dflt, 16],
    ] as const) {
      writeFileSync(path, text, { mode: 0o600 });
      // ssh-keygen -l does not print rounds, but decrypting proves the header; our reader reports them.
      await mustRun("ssh-keygen", ["-y", "-P", "pw", "-f", path]);
      expect(inspectPrivateKey(text).rounds).toBe(rounds);
    }
  });

  it("refuses to overwrite an existing key unless asked", async () => {
    const path = join(tempDir(), "id_ed25519");
    const first = await writeKeyPair(path);
    await expect(writeKeyPair(path)).rejects.toBeInstanceOf(KeyFileExistsError);
    expect(readFileSync(`${path}.pub`, "utf8")).toBe(`${first.publicKeyLine}\n`);
    const second = await writeKeyPair(path, { overwrite: true });
    expect(second.fingerprint).not.toBe(first.fingerprint);
    expect(await fingerprintFromKeygen(path)).toBe(second.fingerprint);
    expect(mode(path)).toBe(0o600);
  });
});

describe("ensureKeyFile (the reference's ensure_key_exists)", () => {
  it("creates a missing key, then leaves it alone", async () => {
    const path = join(tempDir(), "sub", "m2m_key");
    const logger = recordingLogger();
    const created = await ensureKeyFile(path, { comment: "m2m", logger });
    expect(created.created).toBe(true);
    expect(created.fingerprint).toBe(await fingerprintFromKeygen(path));
    expect(logger.lines.some((l) => l.startsWith("info: created") && l.includes(created.fingerprint!))).toBe(true);
    const before = readFileSync(path, "utf8");
    const again = await ensureKeyFile(path, { logger });
    expect(again.created).toBe(false);
    expect(readFileSync(path, "utf8")).toBe(before);
    expect(logger.lines.filter((l) => l.startsWith("warn"))).toEqual([]);
  });

  it("warns when an existing private key is readable by others", async () => {
    const path = join(tempDir(), "open_key");
    await writeKeyPair(path);
    chmodSync(path, 0o644);
    const logger = recordingLogger();
    expect((await ensureKeyFile(path, { logger })).created).toBe(false);
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatch(/^warn: private key .*open_key is accessible by group or others \(mode 0644\).*chmod 600/);
  });
});
