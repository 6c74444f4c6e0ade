// Key files of every type and format, made by OpenSSH's ssh-keygen at test time, read by us; our
// signatures checked by ssh-keygen (-Y check-novalidate) and its signatures by us; our generated
// keys read back by ssh-keygen.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KeyDecryptionError, KeyFormatError, ProtocolError } from "../src/ssh/errors.js";
import { fingerprintSha256 } from "../src/ssh/keys/fingerprint.js";
import { generateKey } from "../src/ssh/keys/generate-key.js";
import { HOST_KEY_ALGORITHMS, keyTypeOfAlgorithm } from "../src/ssh/keys/key-types.js";
import { inspectPrivateKey, parsePrivateKey } from "../src/ssh/keys/openssh-private-key.js";
import { readArmor, writeArmor } from "../src/ssh/keys/pem-armor.js";
import type { PrivateKey } from "../src/ssh/keys/private-key.js";
import { decodePublicBlob, parsePublicKeyLine } from "../src/ssh/keys/public-key.js";
import { encodeSignatureBlob, verifySignature } from "../src/ssh/keys/signature.js";
import { fromBase64, toBase64, utf8 } from "../src/ssh/wire/bytes.js";
import { SshReader } from "../src/ssh/wire/reader.js";
import { SshWriter } from "../src/ssh/wire/writer.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { mustRun, tempDir, toolPath, typeAndBase64 } from "./keys-support.js";

const PASS = "pass-phrase-1";

async function keygen(args: string[], passphrase = ""): Promise<{ path: string; text: string; pub: string }> {
  const path = join(tempDir(), "key");
  await mustRun("ssh-keygen", ["-q", "-N", passphrase, "-C", "fmt@test", "-f", path, ...args]);
  return { path, text: readFileSync(path, "utf8"), pub: readFileSync(`${path}.pub`, "utf8") };
}

async function expectError(f: () => Promise<unknown>, cls: new (...a: never[]) => Error, message: RegExp): Promise<void> {
  let error: unknown;
  try {
    await f();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(cls);
  expect((error as Error).message).toMatch(message);
}

/** The SSHSIG "signed data" (PROTOCOL.sshsig) for a message, namespace "test", SHA-512. */
function sshsigSignedData(message: Uint8Array): Uint8Array {
  return new SshWriter().raw(utf8("SSHSIG")).string("test").string("").string("sha512").string(sha512(message)).finish().slice();
}

/** Our signature as an SSHSIG file ssh-keygen -Y check-novalidate can read. */
async function sshsigFile(key: PrivateKey, message: Uint8Array, algorithm: string): Promise<string> {
  const sig = await key.sign(sshsigSignedData(message), algorithm);
  const blob = new SshWriter().raw(utf8("SSHSIG")).uint32(1).string(key.publicBlob).string("test").string("").string("sha512").string(sig).finish();
  return writeArmor("SSH SIGNATURE", blob);
}

/** Key and signature blob of an ssh-keygen -Y sign signature. */
function readSshsig(text: string): { publicBlob: Uint8Array; signature: Uint8Array } {
  const r = new SshReader(readArmor(text)!.body!, 6);
  expect(r.uint32()).toBe(1);
  const publicBlob = r.string().slice();
  expect(r.text()).toBe("test");
  r.string();
  expect(r.text()).toBe("sha512");
  return { publicBlob, signature: r.string().slice() };
}

const MESSAGE = utf8("a message signed by both sides\n");

async function crossCheck(key: PrivateKey, path: string): Promise<void> {
  // ssh-keygen's signature over MESSAGE verifies with our code...
  const msgPath = join(tempDir(), "msg");
  writeFileSync(msgPath, MESSAGE);
  await mustRun("ssh-keygen", ["-Y", "sign", "-f", path, "-P", PASS, "-n", "test", msgPath]);
  const theirs = readSshsig(readFileSync(`${msgPath}.sig`, "utf8"));
  expect(theirs.publicBlob).toEqual(key.publicBlob);
  expect(await verifySignature(theirs.publicBlob, theirs.signature, sshsigSignedData(MESSAGE))).toBe(true);
  expect(await verifySignature(theirs.publicBlob, theirs.signature, sshsigSignedData(utf8("other")))).toBe(false);
  // ...and ours with ssh-keygen, for each SHA-2 algorithm the key has.
  for (const algorithm of key.algorithms.filter((a) => a !== "ssh-rsa")) {
    const sigPath = join(tempDir(), "ours.sig");
    writeFileSync(sigPath, await sshsigFile(key, MESSAGE, algorithm));
    const good = spawnSync(toolPath("ssh-keygen"), ["-Y", "check-novalidate", "-n", "test", "-s", sigPath], { input: MESSAGE, encoding: "utf8" });
    expect(good.status, `${algorithm}: ${good.stderr}`).toBe(0);
    const bad = spawnSync(toolPath("ssh-keygen"), ["-Y", "check-novalidate", "-n", "test", "-s", sigPath], { input: utf8("other"), encoding: "utf8" });
    expect(bad.status).not.toBe(0);
  }
}

const TYPES: [string, string[]][] = [
  ["ed25519", ["-t", "ed25519"]],
  ["ecdsa P-256", ["-t", "ecdsa", "-b", "256"]],
  ["ecdsa P-384", ["-t", "ecdsa", "-b", "384"]],
  ["ecdsa P-521", ["-t", "ecdsa", "-b", "521"]],
  ["rsa 2048", ["-t", "rsa", "-b", "2048"]],
];

describe("key files made by ssh-keygen: public key, fingerprint and signatures agree with OpenSSH", () => {
  for (const [name, args] of TYPES) {
    it(`${name}, openssh-key-v1 encrypted`, async () => {
      const { path, text, pub } = await keygen(args, PASS);
      const key = await parsePrivateKey(text, PASS);
      expect(typeAndBase64(key.publicKeyLine())).toBe(typeAndBase64(pub));
      expect(key.comment).toBe("fmt@test");
      const lf = (await mustRun("ssh-keygen", ["-lf", `${path}.pub`])).split(" ")[1];
      expect(key.fingerprint()).toBe(lf);
      expect(fingerprintSha256(parsePublicKeyLine(pub.trim()).blob)).toBe(lf);
      await crossCheck(key, path);
      await expectError(() => parsePrivateKey(text, "wrong-pass"), KeyDecryptionError, /wrong passphrase/);
    });
  }

  const pemCases: [string, string[], string][] = [
    ["rsa PEM (PKCS#1)", ["-t", "rsa", "-b", "2048", "-m", "PEM"], ""],
    ["rsa PEM encrypted (AES-128-CBC, EVP_BytesToKey)", ["-t", "rsa", "-b", "2048", "-m", "PEM"], PASS],
    ["ecdsa PEM (SEC1)", ["-t", "ecdsa", "-m", "PEM"], ""],
    ["ecdsa P-384 PEM encrypted", ["-t", "ecdsa", "-b", "384", "-m", "PEM"], PASS],
    ["rsa PKCS#8", ["-t", "rsa", "-b", "2048", "-m", "PKCS8"], ""],
    ["rsa PKCS#8 encrypted (PBES2)", ["-t", "rsa", "-b", "2048", "-m", "PKCS8"], PASS],
    ["ecdsa P-521 PKCS#8", ["-t", "ecdsa", "-b", "521", "-m", "PKCS8"], ""],
    ["ecdsa PKCS#8 encrypted", ["-t", "ecdsa", "-m", "PKCS8"], PASS],
  ];
  for (const [name, args, passphrase] of pemCases) {
    it(name, async () => {
      const { text, pub } = await keygen(args, passphrase);
      expect(text).not.toContain("OPENSSH PRIVATE KEY");
      const key = await parsePrivateKey(text, passphrase || undefined);
      expect(typeAndBase64(key.publicKeyLine())).toBe(typeAndBase64(pub));
      const data = utf8("userauth data");
      for (const algorithm of key.algorithms) {
        expect(await verifySignature(key.publicBlob, await key.sign(data, algorithm), data, [algorithm])).toBe(true);
      }
      if (passphrase) {
        await expectError(() => parsePrivateKey(text), KeyDecryptionError, /passphrase is needed/);
        await expectError(() => parsePrivateKey(text, "wrong-pass"), KeyDecryptionError, /wrong passphrase/);
      }
    });
  }

  // Every cipher `ssh -Q cipher` lists that we implement (3des-cbc, which we do not, is below).
  for (const cipher of ["aes128-cbc", "aes192-cbc", "aes256-cbc", "aes128-ctr", "aes192-ctr", "aes256-ctr", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com"]) {
    it(`ecdsa and rsa encrypted with ${cipher} (ssh-keygen -Z)`, async () => {
      for (const args of [["-t", "ecdsa"], ["-t", "rsa", "-b", "2048"]]) {
        const { text, pub } = await keygen([...args, "-a", "2", "-Z", cipher], PASS);
        expect(inspectPrivateKey(text).cipher).toBe(cipher);
        expect(typeAndBase64((await parsePrivateKey(text, PASS)).publicKeyLine())).toBe(typeAndBase64(pub));
      }
    });
  }

  it("a key ssh-keygen encrypted with 3des-cbc: a KeyFormatError naming the cipher and what we support", async () => {
    const { text } = await keygen(["-t", "ed25519", "-a", "2", "-Z", "3des-cbc"], PASS);
    await expectError(() => parsePrivateKey(text, PASS), KeyFormatError, /encrypted with "3des-cbc", which is not supported \(supported: .*aes256-ctr.*\); re-encrypt it with: ssh-keygen -p/);
  });

  it("RSA keys under 2048 bits are refused, saying so", async () => {
    const { text, pub } = await keygen(["-t", "rsa", "-b", "1024"]);
    await expectError(() => parsePrivateKey(text), KeyFormatError, /RSA keys must be at least 2048 bits; this one has 1024/);
    expect(() => parsePublicKeyLine(pub.trim())).toThrow(/at least 2048 bits; this one has 1024/);
    const pem = await keygen(["-t", "rsa", "-b", "1024", "-m", "PEM"]);
    await expectError(() => parsePrivateKey(pem.text), KeyFormatError, /at least 2048 bits/);
  });
});

describe("damaged private keys are refused as corrupted", () => {
  /** The openssh-key-v1 bytes with one bit flipped at `offsetFromEnd(bytes)`. */
  async function flipped(args: string[], locate: (bytes: Uint8Array) => number): Promise<string> {
    const { text } = await keygen(args);
    const lines = text.trim().split("\n");
    const bytes = fromBase64(lines.slice(1, -1).join(""))!;
    bytes[locate(bytes)] ^= 0x01;
    return `${lines[0]}\n${toBase64(bytes)}\n${lines.at(-1)}\n`;
  }
  const find = (hay: Uint8Array, needle: Uint8Array, from = 0) => {
    outer: for (let i = from; i + needle.length <= hay.length; i++) {
      for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
      return i;
    }
    return -1;
  };

  it("an ed25519 seed that does not give the stored public key", async () => {
    const text = await flipped(["-t", "ed25519"], (b) => {
      // Private section: ..., string "ssh-ed25519", string pub(32), string secret(64) = seed || pub.
      const at = find(b, utf8("ssh-ed25519"), find(b, utf8("ssh-ed25519")) + 11 + 4 + 32);
      return at + 11 + 4 + 32 + 4 + 3; // a byte of the seed
    });
    await expectError(() => parsePrivateKey(text), KeyFormatError, /the private key file is corrupted: the ed25519 seed does not give the stored public key/);
  });

  it("an ECDSA scalar whose d·G is not the stored point", async () => {
    const text = await flipped(["-t", "ecdsa"], (b) => b.length - 8 - 4 - 8 - 10); // inside mpint d (before the comment "fmt@test")
    await expectError(() => parsePrivateKey(text), KeyFormatError, /corrupted: d·G is not the stored nistp256 public point/);
  });

  it("an RSA private exponent that does not match", async () => {
    // The private section is n, e, d, iqmp, p, q, comment: flip a byte in the middle of d.
    const text = await flipped(["-t", "rsa", "-b", "2048"], (b) => {
      const section = find(b, utf8("ssh-rsa"), find(b, utf8("ssh-rsa")) + 7);
      return section + 7 + (4 + 257) + (4 + 3) + 4 + 100;
    });
    await expectError(() => parsePrivateKey(text), KeyFormatError, /corrupted: the RSA private exponent/);
  });
});

describe("our generated keys are what ssh-keygen reads", () => {
  const cases: ["ed25519" | "ecdsa" | "rsa", number | undefined, string][] = [
    ["ed25519", undefined, "ssh-ed25519"],
    ["ecdsa", undefined, "ecdsa-sha2-nistp256"],
    ["ecdsa", 384, "ecdsa-sha2-nistp384"],
    ["ecdsa", 521, "ecdsa-sha2-nistp521"],
    ["rsa", 2048, "ssh-rsa"],
    ["rsa", undefined, "ssh-rsa"],
  ];
  for (const [type, bits, name] of cases) {
    it(`${type} ${bits ?? "(default size)"}, plain and encrypted`, async () => {
      for (const passphrase of ["", PASS]) {
        const generated = await generateKey(type, bits, { comment: "gen@test", passphrase, rounds: 2 });
        expect(generated.key.type).toBe(name);
        if (type === "rsa") expect(generated.key.bits).toBe(bits ?? 3072);
        const path = join(tempDir(), "gen");
        writeFileSync(path, generated.privateKey, { mode: 0o600 });
        writeFileSync(`${path}.pub`, `${generated.publicKeyLine}\n`);
        expect(typeAndBase64(await mustRun("ssh-keygen", ["-y", "-P", passphrase, "-f", path]))).toBe(typeAndBase64(generated.publicKeyLine));
        expect((await mustRun("ssh-keygen", ["-lf", `${path}.pub`])).split(" ")[1]).toBe(generated.fingerprint);
        const back = await parsePrivateKey(generated.privateKey, passphrase || undefined);
        expect(back.publicBlob).toEqual(generated.key.publicBlob);
        if (passphrase === "") await crossCheck(back, path);
      }
    });
  }
});

describe("signature algorithms", () => {
  it("the algorithm named in the blob must be one of the key type's; SHA-1 ssh-rsa only when allowed", async () => {
    const rsa = (await generateKey("rsa", 2048)).key;
    const ed = (await generateKey("ed25519")).key;
    const data = utf8("exchange hash");
    expect(rsa.algorithms).toEqual(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]);
    const sha1 = await rsa.sign(data, "ssh-rsa");
    await expect(verifySignature(rsa.publicBlob, sha1, data)).rejects.toThrow(ProtocolError);
    expect(await verifySignature(rsa.publicBlob, sha1, data, ["ssh-rsa"])).toBe(true);
    const sha256 = await rsa.sign(data, "rsa-sha2-256");
    expect(await verifySignature(rsa.publicBlob, sha256, data)).toBe(true);
    await expect(verifySignature(rsa.publicBlob, sha256, data, ["rsa-sha2-512"])).rejects.toThrow(/not the agreed one/);
    // A signature blob that names another key type's algorithm.
    const edSig = await ed.sign(data);
    await expect(verifySignature(rsa.publicBlob, edSig, data)).rejects.toThrow(/does not match key type "ssh-rsa"/);
    // The algorithm name is bound: an rsa-sha2-512 signature relabelled as rsa-sha2-256 fails.
    const inner = new SshReader(await rsa.sign(data, "rsa-sha2-512"));
    inner.string();
    expect(await verifySignature(rsa.publicBlob, encodeSignatureBlob("rsa-sha2-256", inner.string()), data)).toBe(false);
  });

  it("keyTypeOfAlgorithm and HOST_KEY_ALGORITHMS", () => {
    expect(keyTypeOfAlgorithm("rsa-sha2-256")).toBe("ssh-rsa");
    expect(keyTypeOfAlgorithm("rsa-sha2-512-cert-v01@openssh.com")).toBe("ssh-rsa-cert-v01@openssh.com");
    expect(keyTypeOfAlgorithm("ecdsa-sha2-nistp384")).toBe("ecdsa-sha2-nistp384");
    expect(keyTypeOfAlgorithm("ssh-ed25519-cert-v01@openssh.com")).toBe("ssh-ed25519-cert-v01@openssh.com");
    expect(() => keyTypeOfAlgorithm("ssh-dss")).toThrow(KeyFormatError);
    expect(HOST_KEY_ALGORITHMS.at(-1)).toBe("rsa-sha2-256");
    expect(HOST_KEY_ALGORITHMS[0]).toBe("ssh-ed25519-cert-v01@openssh.com");
    expect(decodePublicBlob).toBeTypeOf("function");
  });
});

// What OpenSSL writes that ssh-keygen does not: traditional PEM with DEK-Info AES-192/256-CBC,
// PKCS#8 PBES2 with each HMAC PRF; and the encryptions we refuse (3DES, PBES1, scrypt) with a
// KeyFormatError that says what is supported and how to convert.
describe("PEM and PKCS#8 encryptions written by openssl", () => {
  async function opensslKey(kind: "rsa" | "ec"): Promise<{ path: string; pub: string }> {
    const dir = tempDir();
    const path = join(dir, "plain.pem");
    if (kind === "rsa") await mustRun("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path]);
    else await mustRun("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", path]);
    // ssh-keygen's view of the public key, from the unencrypted file.
    const pub = await mustRun("ssh-keygen", ["-y", "-f", path]);
    return { path, pub };
  }
  const converted = async (src: string, args: string[]): Promise<string> => {
    const out = join(tempDir(), "converted.pem");
    await mustRun("openssl", [...args, "-in", src, "-out", out, "-passout", `pass:${PASS}`]);
    return readFileSync(out, "utf8");
  };

  it.each([
    ["rsa", ["rsa", "-traditional", "-aes192"], "DEK-Info: AES-192-CBC"],
    ["rsa", ["rsa", "-traditional", "-aes256"], "DEK-Info: AES-256-CBC"],
    ["ec", ["ec", "-aes256"], "DEK-Info: AES-256-CBC"],
    ["rsa", ["pkcs8", "-topk8", "-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA1"], "ENCRYPTED PRIVATE KEY"],
    ["ec", ["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA512"], "ENCRYPTED PRIVATE KEY"],
    ["rsa", ["pkcs8", "-topk8", "-v2", "aes-192-cbc", "-v2prf", "hmacWithSHA256"], "ENCRYPTED PRIVATE KEY"],
  ] as const)("%s: openssl %j loads with the passphrase and gives ssh-keygen's public key", async (kind, args, marker) => {
    const { path, pub } = await opensslKey(kind);
    const text = await converted(path, [...args]);
    expect(text).toContain(marker);
    const key = await parsePrivateKey(text, PASS);
    expect(typeAndBase64(key.publicKeyLine())).toBe(typeAndBase64(pub));
    await expectError(() => parsePrivateKey(text, "wrong-pass"), KeyDecryptionError, /wrong passphrase/);
  });

  it.each([
    [["rsa", "-traditional", "-des3"], /DES-EDE3-CBC.*AES/s],
    [["pkcs8", "-topk8", "-v1", "PBE-SHA1-3DES"], /only PBES2 \(PBKDF2 \+ AES-CBC\) is supported: convert it with ssh-keygen -p/],
    [["pkcs8", "-topk8", "-v2", "des3"], /only AES-CBC is supported: convert it with ssh-keygen -p/],
    [["pkcs8", "-topk8", "-scrypt"], /key derivation other than PBKDF2/],
  ] as const)("refused with a KeyFormatError that says what is supported: openssl %j", async (args, message) => {
    const { path } = await opensslKey("rsa");
    const text = await converted(path, [...args]);
    await expectError(() => parsePrivateKey(text, PASS), KeyFormatError, message);
  });
});
