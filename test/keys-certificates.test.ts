// OpenSSH certificates made by `ssh-keygen -s` at test time: parsed, checked (each failing check
// named), used as signers, found in ssh-agent, and looked up through known_hosts @cert-authority.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../src/platform/node.js";
import { loadSigners } from "../src/ssh/auth/signers.js";
import { silentLogger } from "../src/ssh/logger.js";
import { listAgentSigners } from "../src/platform/node/agent-socket.js";
import { CertificateError, verifyCertificate } from "../src/ssh/keys/certificate-verify.js";
import { parseCertificate } from "../src/ssh/keys/certificate.js";
import { certificateAuthoritiesFor, parseKnownHosts } from "../src/ssh/keys/known-hosts.js";
import { parsePrivateKey } from "../src/ssh/keys/openssh-private-key.js";
import { decodePublicBlob, parsePublicKeyLine } from "../src/ssh/keys/public-key.js";
import { verifySignature } from "../src/ssh/keys/signature.js";
import { utf8 } from "../src/ssh/wire/bytes.js";
import { mustRun, startAgent, tempDir, type TestAgent } from "./keys-support.js";

async function keypair(dir: string, name: string, args: string[]): Promise<{ path: string; pub: string }> {
  const path = join(dir, name);
  await mustRun("ssh-keygen", ["-q", "-N", "", "-C", name, "-f", path, ...args]);
  return { path, pub: readFileSync(`${path}.pub`, "utf8").trim() };
}

/** `ssh-keygen -s ca ... key.pub`; returns the certificate blob. */
async function certify(ca: string, keyPath: string, args: string[]): Promise<Uint8Array> {
  await mustRun("ssh-keygen", ["-q", "-s", ca, ...args, `${keyPath}.pub`]);
  return parsePublicKeyLine(readFileSync(`${keyPath}-cert.pub`, "utf8").trim()).blob;
}

async function expectCertError(p: Promise<unknown>, message: RegExp): Promise<void> {
  await expect(p).rejects.toThrow(CertificateError);
  await expect(p).rejects.toThrow(message);
}

describe("certificates made by ssh-keygen -s", () => {
  let dir: string;
  const cas: Record<string, { path: string; blob: Uint8Array }> = {};
  const keys: Record<string, { path: string; pub: string }> = {};
  beforeAll(async () => {
    dir = tempDir();
    for (const [name, args] of [["ca-ed", ["-t", "ed25519"]], ["ca-rsa", ["-t", "rsa", "-b", "2048"]], ["ca-ec", ["-t", "ecdsa", "-b", "384"]]] as const) {
      const k = await keypair(dir, name, [...args]);
      cas[name] = { path: k.path, blob: parsePublicKeyLine(k.pub).blob };
    }
    keys.ed = await keypair(dir, "user-ed", ["-t", "ed25519"]);
    keys.rsa = await keypair(dir, "user-rsa", ["-t", "rsa", "-b", "2048"]);
    keys.ec = await keypair(dir, "user-ec", ["-t", "ecdsa"]);
  });

  for (const [keyName, certType] of [["ed", "ssh-ed25519-cert-v01@openssh.com"], ["rsa", "ssh-rsa-cert-v01@openssh.com"], ["ec", "ecdsa-sha2-nistp256-cert-v01@openssh.com"]] as const) {
    for (const caName of ["ca-ed", "ca-rsa", "ca-ec"]) {
      it(`a user certificate of a ${keyName} key signed by ${caName}`, async () => {
        const blob = await certify(cas[caName]!.path, keys[keyName]!.path, ["-I", `id-${keyName}`, "-n", "alice,bob", "-V", "-5m:+1h", "-z", "42"]);
        const decoded = decodePublicBlob(blob);
        expect(decoded.type).toBe(certType);
        const cert = decoded.certificate!;
        expect(cert.keyId).toBe(`id-${keyName}`);
        expect(cert.serial).toBe(42n);
        expect(cert.principals).toEqual(["alice", "bob"]);
        expect(cert.certType).toBe("user");
        expect(cert.publicBlob).toEqual(parsePublicKeyLine(keys[keyName]!.pub).blob);
        expect([...cert.extensions.keys()]).toContain("permit-pty");
        await expect(verifyCertificate(blob, { type: "user", caKeys: [cas[caName]!.blob], principal: "alice" })).resolves.toMatchObject({ keyId: `id-${keyName}` });
        // The certified key signs for the certificate.
        const key = await parsePrivateKey(readFileSync(keys[keyName]!.path, "utf8"));
        const signer = key.withCertificate(blob);
        expect(signer.type).toBe(certType);
        const data = utf8("userauth data");
        for (const algorithm of signer.algorithms.filter((a) => !a.startsWith("ssh-rsa"))) {
          expect(algorithm.endsWith("-cert-v01@openssh.com")).toBe(true);
          expect(await verifySignature(blob, await signer.sign(data, algorithm), data, [algorithm])).toBe(true);
        }
      });
    }
  }

  it("each failed check is named", async () => {
    const ca = cas["ca-ed"]!;
    const user = await certify(ca.path, keys.ed!.path, ["-I", "u", "-n", "alice", "-V", "+0s:+1h"]);
    const check = { type: "user" as const, caKeys: [ca.blob], principal: "alice" };
    await expectCertError(verifyCertificate(user, { ...check, principal: "carol" }), /principal "carol" not in \[alice\]/);
    await expectCertError(verifyCertificate(user, { ...check, type: "host" }), /is a user certificate where a host certificate is needed/);
    await expectCertError(verifyCertificate(user, { ...check, caKeys: [cas["ca-rsa"]!.blob] }), /signed by CA ssh-ed25519 SHA256:.*not trusted/);
    await expect(verifyCertificate(user, { ...check, caKeys: [], isTrustedCa: () => true })).resolves.toBeTruthy();
    const cert = parseCertificate(user);
    // valid_after is inclusive, valid_before exclusive.
    await expect(verifyCertificate(user, { ...check, now: Number(cert.validAfter) })).resolves.toBeTruthy();
    await expectCertError(verifyCertificate(user, { ...check, now: Number(cert.validAfter) - 1 }), /not valid before \d{4}-/);
    await expect(verifyCertificate(user, { ...check, now: Number(cert.validBefore) - 1 })).resolves.toBeTruthy();
    await expectCertError(verifyCertificate(user, { ...check, now: Number(cert.validBefore) }), /expired at \d{4}-/);

    const old = await certify(ca.path, keys.ed!.path, ["-I", "old", "-n", "alice", "-V", "20200101:20200201"]);
    await expectCertError(verifyCertificate(old, check), /expired at 2020-02-01/);
    const future = await certify(ca.path, keys.ed!.path, ["-I", "future", "-n", "alice", "-V", "+1d:+2d"]);
    await expectCertError(verifyCertificate(future, check), /not valid before/);

    const known = await certify(ca.path, keys.ed!.path, ["-I", "fc", "-n", "alice", "-O", "force-command=/bin/true", "-O", "source-address=10.0.0.0/8"]);
    const verified = await verifyCertificate(known, check);
    expect(new TextDecoder().decode(verified.criticalOptions.get("force-command")!.subarray(4))).toBe("/bin/true");
    const unknown = await certify(ca.path, keys.ed!.path, ["-I", "uc", "-n", "alice", "-O", "critical:no-such-option@example.com=x"]);
    await expectCertError(verifyCertificate(unknown, check), /critical option "no-such-option@example.com"/);

    // A host chooses its certificate's key id and principals: escape sequences in them never reach
    // a message (they would reach the terminal through the "host certificate refused" warning).
    const hostile = await certify(ca.path, keys.ed!.path, ["-h", "-I", "id\x1b]0;owned\x07", "-n", "h\x1b[2J", "-V", "20200101:20200201"]);
    for (const [c, message] of [
      [{ type: "host" as const, caKeys: [ca.blob], principal: "example.org" }, /principal "example.org" not in \[h\?\[2J\]/],
      [{ type: "host" as const, caKeys: [ca.blob], principal: "h\x1b[2J" }, /certificate "id\?\]0;owned\?" expired at 2020-02-01/],
      [{ type: "host" as const, caKeys: [] }, /certificate "id\?\]0;owned\?" is signed by CA/],
    ] as const) {
      const error = await verifyCertificate(hostile, c).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CertificateError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
    }

    // Altered after signing: the key id's first byte.
    const tampered = user.slice();
    const at = tampered.findIndex((_, i) => tampered[i] === 0 && tampered[i + 1] === 0 && tampered[i + 2] === 0 && tampered[i + 3] === 1 && tampered[i + 4] === 0x75);
    expect(at).toBeGreaterThan(0);
    tampered[at + 4] = "v".charCodeAt(0);
    await expectCertError(verifyCertificate(tampered, check), /CA signature does not verify/);
  });

  it("host certificates and known_hosts @cert-authority", async () => {
    const ca = cas["ca-ec"]!;
    const host = await certify(ca.path, keys.ec!.path, ["-h", "-I", "host-id", "-n", "server.example.com,10.1.2.3"]);
    const knownHosts = parseKnownHosts(
      [
        `@cert-authority *.example.com ${readFileSync(`${ca.path}.pub`, "utf8").trim()}`,
        `@cert-authority other.org ${readFileSync(`${cas["ca-ed"]!.path}.pub`, "utf8").trim()}`,
      ].join("\n"),
    );
    const caKeys = certificateAuthoritiesFor(knownHosts, "server.example.com", 22).map((e) => e.blob);
    expect(caKeys).toEqual([ca.blob]);
    await expect(verifyCertificate(host, { type: "host", caKeys, principal: "server.example.com" })).resolves.toMatchObject({ certType: "host" });
    await expectCertError(verifyCertificate(host, { type: "host", caKeys, principal: "evil.example.com" }), /principal "evil.example.com" not in/);
    expect(certificateAuthoritiesFor(knownHosts, "server.other.net", 22)).toEqual([]);
    const revoked = parseKnownHosts(`@cert-authority *.example.com ${readFileSync(`${ca.path}.pub`, "utf8").trim()}\n@revoked * ${readFileSync(`${ca.path}.pub`, "utf8").trim()}`);
    expect(certificateAuthoritiesFor(revoked, "server.example.com", 22)).toEqual([]);
  });

  it("loadSigners offers <key>-cert.pub before the key, and refuses a certificate of another key", async () => {
    const blob = await certify(cas["ca-ed"]!.path, keys.ec!.path, ["-I", "beside", "-n", "alice"]);
    const signers = await loadSigners({ username: "alice", privateKeyPath: keys.ec!.path }, silentLogger);
    expect(signers.map((s) => s.type)).toEqual(["ecdsa-sha2-nistp256-cert-v01@openssh.com", "ecdsa-sha2-nistp256"]);
    expect(signers[0]!.publicBlob).toEqual(blob);
    const other = readFileSync(`${keys.ec!.path}-cert.pub`, "utf8");
    await expect(loadSigners({ username: "alice", privateKeyPath: keys.ed!.path, certificate: other }, silentLogger)).rejects.toThrow(/certifies another key/);
  });

  describe("certificates held by ssh-agent", () => {
    let agent: TestAgent;
    afterAll(async () => {
      await agent?.stop();
    });
    it("are Signers whose publicBlob is the certificate; RSA ones sign with SHA-2", async () => {
      agent = await startAgent();
      const blob = await certify(cas["ca-ed"]!.path, keys.rsa!.path, ["-I", "agent-cert", "-n", "alice"]);
      await mustRun("ssh-add", [keys.rsa!.path], { env: { ...process.env, SSH_AUTH_SOCK: agent.socket } });
      const signers = await listAgentSigners(agent.socket);
      const cert = signers.find((s) => s.type === "ssh-rsa-cert-v01@openssh.com")!;
      expect(cert.publicBlob).toEqual(blob);
      expect(cert.algorithms[0]).toBe("rsa-sha2-512-cert-v01@openssh.com");
      const data = utf8("signed through the agent");
      for (const algorithm of ["rsa-sha2-512-cert-v01@openssh.com", "rsa-sha2-256-cert-v01@openssh.com"]) {
        const sig = await cert.sign(data, algorithm);
        expect(await verifySignature(cert.publicBlob, sig, data, [algorithm])).toBe(true);
      }
      const plain = signers.find((s) => s.type === "ssh-rsa")!;
      expect(await verifySignature(plain.publicBlob, await plain.sign(data, "rsa-sha2-256"), data)).toBe(true);
      const ec = await keypair(tempDir(), "agent-ec", ["-t", "ecdsa", "-b", "521"]);
      await mustRun("ssh-add", [ec.path], { env: { ...process.env, SSH_AUTH_SOCK: agent.socket } });
      const ecSigner = (await listAgentSigners(agent.socket)).find((s) => s.type === "ecdsa-sha2-nistp521")!;
      expect(await verifySignature(ecSigner.publicBlob, await ecSigner.sign(data), data)).toBe(true);
    });
  });
});
