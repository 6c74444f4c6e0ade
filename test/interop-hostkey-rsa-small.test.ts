// RSA host keys under 2048 bits, against real sshd 9.2 and 10.0 (both serve a 1024-bit RSA host key:
// their RequiredRSASize default is 1024). Each server has the harness's ed25519 host key and an RSA
// 1024 one (made by ssh-keygen), each with a host certificate: the RSA key's signed by an ed25519 CA,
// the ed25519 key's signed by an RSA-1024 CA.
// - The client asking only for rsa-sha2-512/256 must fail with HostKeyRefusedError saying it is the
//   server's host key, its size and fingerprint (from ssh-keygen -lf), the rule, and what to do
//   (the other host key types the server offers); not the KeyFormatError written for the user's own
//   key. It must leave with a DISCONNECT (reason 9, HOST_KEY_NOT_VERIFIABLE) that sshd logs.
// - The same for the RSA host certificate, whose certified key is the 1024-bit one.
// - A host certificate signed by the RSA-1024 CA is refused as a certificate (OpenSSH falls back to
//   the plain key when a host certificate is not accepted, sshconnect.c check_host_key): with the
//   plain key in known_hosts the client connects, and warns naming the CA's size.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostKeyRefusedError, SSHClient } from "../src/entries/ssh.js";
import type { Logger } from "../src/ssh/logger.js";
import { connectError, loginOptions } from "./helpers/connect.js";
import { makeClientKey, startSshd, waitForLog, type ClientKey, type TestServer } from "./helpers/servers.js";
import { mustRun, tempDir, typeAndBase64 } from "./keys-support.js";

const VERSIONS = ["9.2", "10.0"] as const;

let key: ClientKey;
let ed25519Ca: string;
let rsa1024Ca: string;
const servers = new Map<string, TestServer>();

beforeAll(async () => {
  key = await makeClientKey();
  const caDir = tempDir();
  ed25519Ca = join(caDir, "ed25519_ca");
  rsa1024Ca = join(caDir, "rsa1024_ca");
  await mustRun("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "ed25519-ca", "-f", ed25519Ca]);
  await mustRun("ssh-keygen", ["-q", "-t", "rsa", "-b", "1024", "-N", "", "-C", "rsa1024-ca", "-f", rsa1024Ca]);
  for (const version of VERSIONS) {
    const s = await startSshd({
      openssh: version,
      hostKeyTypes: ["ed25519", "rsa1024"],
      authorizedKeys: [key.publicKeyLine],
      prepare: async (_dir, hostKeys) => {
        const [ed25519, rsa] = hostKeys.map((k) => k.path) as [string, string];
        const certify = (ca: string, hostKey: string) =>
          mustRun("ssh-keygen", ["-q", "-s", ca, "-h", "-I", `host-${version}`, "-n", "127.0.0.1", "-V", "-5m:+1h", `${hostKey}.pub`]);
        await certify(rsa1024Ca, ed25519);
        await certify(ed25519Ca, rsa);
        return [`HostCertificate ${ed25519}-cert.pub`, `HostCertificate ${rsa}-cert.pub`];
      },
    });
    servers.set(version, s);
  }
}, 120_000);

afterAll(() => Promise.all([...servers.values()].map((s) => s.stop())));

describe.each(VERSIONS)("OpenSSH %s serving an RSA-1024 host key", (version) => {
  const rsaKey = () => servers.get(version)!.hostKeys![1]!;

  it("rsa-sha2-512/256 only: HostKeyRefusedError naming the server's key, its size and the way out; sshd logs our DISCONNECT", async () => {
    const s = servers.get(version)!;
    expect(rsaKey().hostKeyLine).toMatch(/^ssh-rsa /);
    const error = await connectError(loginOptions(s, key, { algorithms: { hostKey: ["rsa-sha2-512", "rsa-sha2-256"] } }));
    expect(error).toBeInstanceOf(HostKeyRefusedError);
    const e = error as HostKeyRefusedError;
    expect(e.name).toBe("HostKeyRefusedError");
    expect(e.keyType).toBe("ssh-rsa");
    expect(e.bits).toBe(1024);
    expect(e.fingerprint).toBe(rsaKey().hostKeyFingerprint);
    expect(e.message).toContain(`the server's host key is RSA with 1024 bits (${rsaKey().hostKeyFingerprint}, rsa-sha2-512)`);
    expect(e.message).toContain("RSA keys under 2048 bits are refused (OpenSSH: RequiredRSASize, default 1024)");
    expect(e.message).toContain("The server needs an ed25519 or 3072-bit RSA host key");
    // The other types this server offers (in sshd's order), and no RSA among them.
    const others = /or ask for another type it offers \(algorithms\.hostKey\): (\S+)$/.exec(e.message)?.[1];
    expect(others?.split(",").sort()).toEqual(["ssh-ed25519", "ssh-ed25519-cert-v01@openssh.com"]);
    expect(e.message).not.toMatch(/ssh-keygen -t ed25519 \(or -t rsa -b 3072\)|Create a new key/);
    await waitForLog(s, /Received disconnect from 127\.0\.0\.1 port \d+:9: the server's host key is RSA with 1024 bits/);
  });

  it("its host certificate certifies the 1024-bit key: HostKeyRefusedError saying so", async () => {
    const s = servers.get(version)!;
    const error = await connectError(loginOptions(s, key, { algorithms: { hostKey: ["rsa-sha2-512-cert-v01@openssh.com"] } }));
    expect(error).toBeInstanceOf(HostKeyRefusedError);
    const e = error as HostKeyRefusedError;
    expect(e.keyType).toBe("ssh-rsa-cert-v01@openssh.com");
    expect(e.bits).toBe(1024);
    expect(e.message).toContain("the server's host certificate (ssh-rsa-cert-v01@openssh.com) certifies a key that is RSA with 1024 bits");
    await waitForLog(s, /Received disconnect from 127\.0\.0\.1 port \d+:9: the server's host certificate/);
  });

  it("a host certificate signed by an RSA-1024 CA is not accepted; the plain key in known_hosts is, with a warning naming the CA", async () => {
    const s = servers.get(version)!;
    const warnings: string[] = [];
    const logger: Logger = { debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} };
    // An @cert-authority line for the host (another CA: a line with the RSA-1024 CA would itself be
    // skipped as unusable), so the certificate is checked, and the host's plain ed25519 key.
    const caLine = `@cert-authority [127.0.0.1]:* ${typeAndBase64(readFileSync(`${ed25519Ca}.pub`, "utf8"))}`;
    const client = await SSHClient.connect(
      loginOptions(s, key, { algorithms: { hostKey: ["ssh-ed25519-cert-v01@openssh.com"] }, knownHosts: `${caLine}\n${s.knownHostsLine}\n`, logger }),
    );
    try {
      expect(client.algorithms.hostKey).toBe("ssh-ed25519-cert-v01@openssh.com");
      const ch = await client.exec("echo plain-key-ok");
      expect(await new Response(ch.stdout).text()).toBe("plain-key-ok\n");
    } finally {
      await client.close();
    }
    const caFingerprint = (await mustRun("ssh-keygen", ["-l", "-E", "sha256", "-f", `${rsa1024Ca}.pub`])).split(/\s+/)[1];
    expect(warnings.join("\n")).toContain(`is signed by CA ssh-rsa ${caFingerprint}, an RSA key of 1024 bits; mcp-ssh refuses RSA keys under 2048 bits`);
  });
});
