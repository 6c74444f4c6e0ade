import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KeyDecryptionError, KeyFormatError } from "../src/ssh/errors.js";
import { inspectPrivateKey, parsePrivateKey } from "../src/ssh/keys/openssh-private-key.js";
import { verifySignature } from "../src/ssh/keys/signature.js";
import { fromBase64, toBase64, utf8 } from "../src/ssh/wire/bytes.js";
import { mustRun, tempDir, typeAndBase64 } from "./keys-support.js";

/** ssh-keygen a key into a fresh directory; returns its path and file text. */
async function keygen(args: string[], passphrase = ""): Promise<{ path: string; text: string }> {
  const path = join(tempDir(), "key");
  await mustRun("ssh-keygen", ["-q", "-N", passphrase, "-C", "kt@test", "-f", path, ...args]);
  return { path, text: readFileSync(path, "utf8") };
}

/** What OpenSSH itself says the public key of a private key file is. */
async function publicOf(path: string, passphrase = ""): Promise<string> {
  return typeAndBase64(await mustRun("ssh-keygen", ["-y", "-P", passphrase, "-f", path]));
}

async function expectError(f: () => Promise<unknown>, cls: typeof KeyFormatError | typeof KeyDecryptionError, message: RegExp): Promise<void> {
  let error: unknown;
  try {
    await f();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(cls);
  expect((error as Error).message).toMatch(message);
}

describe("ssh-keygen ed25519 keys load", () => {
  it("unencrypted: same public key as ssh-keygen -y, comment kept, signs verifiably", async () => {
    const { path, text } = await keygen(["-t", "ed25519"]);
    const key = await parsePrivateKey(text);
    expect(typeAndBase64(key.publicKeyLine())).toBe(await publicOf(path));
    expect(key.comment).toBe("kt@test");
    expect(key.type).toBe("ssh-ed25519");
    const data = utf8("session id and userauth request");
    expect(await verifySignature(key.publicBlob, await key.sign(data), data)).toBe(true);
    expect(inspectPrivateKey(text)).toMatchObject({ type: "ssh-ed25519", encrypted: false, cipher: "none", rounds: 0 });
  });

  it("accepts the file as bytes, with CRLF line endings, and as raw openssh-key-v1", async () => {
    const { path, text } = await keygen(["-t", "ed25519"]);
    const expected = await publicOf(path);
    expect(typeAndBase64((await parsePrivateKey(utf8(text))).publicKeyLine())).toBe(expected);
    expect(typeAndBase64((await parsePrivateKey(text.replace(/\n/g, "\r\n"))).publicKeyLine())).toBe(expected);
    const body = text.split("\n").filter((l) => l && !l.startsWith("-----")).join("");
    expect(typeAndBase64((await parsePrivateKey(fromBase64(body)!)).publicKeyLine())).toBe(expected);
  });

  for (const rounds of [16, 64]) {
    it(`passphrase-protected with -a ${rounds}: loads with the passphrase, not without or with a wrong one`, async () => {
      const passphrase = `pass phrase ${rounds} ✓`;
      const { path, text } = await keygen(["-t", "ed25519", "-a", String(rounds)], passphrase);
      expect(inspectPrivateKey(text)).toMatchObject({ encrypted: true, cipher: "aes256-ctr", kdf: "bcrypt", rounds });
      const key = await parsePrivateKey(text, passphrase);
      expect(typeAndBase64(key.publicKeyLine())).toBe(await publicOf(path, passphrase));
      expect(key.comment).toBe("kt@test");
      await expectError(() => parsePrivateKey(text, "not the passphrase"), KeyDecryptionError, /wrong passphrase/);
      await expectError(() => parsePrivateKey(text), KeyDecryptionError, /encrypted.*passphrase is needed/);
      await expectError(() => parsePrivateKey(text, ""), KeyDecryptionError, /passphrase is needed/);
    });
  }

  for (const cipher of ["aes128-ctr", "aes192-ctr", "aes256-cbc", "aes256-gcm@openssh.com", "aes128-gcm@openssh.com", "chacha20-poly1305@openssh.com"]) {
    it(`encrypted with ${cipher} (ssh-keygen -Z)`, async () => {
      const { path, text } = await keygen(["-t", "ed25519", "-a", "2", "-Z", cipher], "secret");
      expect(inspectPrivateKey(text).cipher).toBe(cipher);
      expect(typeAndBase64((await parsePrivateKey(text, "secret")).publicKeyLine())).toBe(await publicOf(path, "secret"));
      await expectError(() => parsePrivateKey(text, "Secret"), KeyDecryptionError, /wrong passphrase/);
    });
  }
});

describe("other key types and formats are refused with what to do", () => {
  // RSA, ECDSA, PEM and PKCS#8 are read now: test/keys-formats.test.ts.
  it("DSA in OpenSSH format", async () => {
    const { text } = await keygen(["-t", "dsa"]);
    await expectError(() => parsePrivateKey(text), KeyFormatError, /DSA \(ssh-dss\).*supported are ed25519, ECDSA/);
  });

  it("a PuTTY key file", async () => {
    const ppk = "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: x\nPublic-Lines: 2\nAAAA\nAAAA\n";
    await expectError(() => parsePrivateKey(ppk), KeyFormatError, /PuTTY key file \(version 3, ssh-ed25519\).*puttygen/);
  });

  it("a public key instead of the private one", async () => {
    const { path } = await keygen(["-t", "ed25519"]);
    await expectError(() => parsePrivateKey(readFileSync(`${path}.pub`, "utf8")), KeyFormatError, /public key, not a private key/);
  });

  it("something else entirely", async () => {
    await expectError(() => parsePrivateKey("hello"), KeyFormatError, /not a private key file/);
  });
});

describe("damaged files are refused", () => {
  const lastIndexOf = (hay: Uint8Array, needle: Uint8Array) => {
    outer: for (let i = hay.length - needle.length; i >= 0; i--) {
      for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
      return i;
    }
    return -1;
  };

  it("bad padding, a secret whose public half differs, different check ints", async () => {
    const { path, text } = await keygen(["-t", "ed25519"]);
    const lines = text.trim().split("\n");
    const original = fromBase64(lines.slice(1, -1).join(""))!;
    // The raw 32-byte key: the blob is string "ssh-ed25519" (4 + 11 bytes), then string key (4 + 32).
    const publicKey = fromBase64((await publicOf(path)).split(" ")[1]!)!.subarray(19);
    const rearmor = (b: Uint8Array) => `${lines[0]}\n${toBase64(b)}\n${lines.at(-1)}\n`;
    await expect(parsePrivateKey(rearmor(original))).resolves.toMatchObject({ type: "ssh-ed25519" });

    const badPadding = original.slice();
    badPadding[badPadding.length - 1] ^= 0x40;
    await expectError(() => parsePrivateKey(rearmor(badPadding)), KeyFormatError, /bad padding/);

    const badSecret = original.slice();
    badSecret[lastIndexOf(badSecret, publicKey) + 5] ^= 1; // the public half of "seed || public"
    await expectError(() => parsePrivateKey(rearmor(badSecret)), KeyFormatError, /public half/);

    const badCheck = original.slice();
    badCheck[lastIndexOf(badCheck, utf8("ssh-ed25519")) - 4 - 8] ^= 1; // the check ints precede string "ssh-ed25519"
    await expectError(() => parsePrivateKey(rearmor(badCheck)), KeyFormatError, /check numbers differ/);
  });
});
