// Issue 16: OpenSSH certificates against real sshd 9.2 and 10.0.
// User certificates made by `ssh-keygen -s` for ed25519, ECDSA and RSA keys log in to an sshd that
// has TrustedUserCAKeys and an EMPTY authorized_keys, found as `<key>-cert.pub` beside the key and
// given as `certificate`. Expired, not-yet-valid and wrong-principal certificates are refused: the
// client gets AuthenticationError and sshd's log says which check failed.
// Host certificates: sshd's host key signed with `ssh-keygen -s hostca -h -n 127.0.0.1`, served
// with HostCertificate; the client trusts only `@cert-authority [127.0.0.1]:* <hostca.pub>`.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthenticationError, HostKeyMismatchError, HostKeyUnknownError, KeyFormatError, SSHClient } from "../src/entries/ssh.js";
import { connectError, loginOptions } from "./helpers/connect.js";
import { makeClientKey, startSshd, waitForLog, type ClientKey, type HostKeyType, type TestServer } from "./helpers/servers.js";
import { mustRun, tempDir, typeAndBase64 } from "./keys-support.js";
import { toolsServerCommand } from "../fixtures/mcp/fixture-client.js";
import { buildCli, mcpViaCli } from "./cli-helpers.js";
import { expectToolsAnswer } from "./helpers/mcp.js";

const VERSIONS = ["9.2", "10.0"] as const;
const USER = process.env.USER ?? "root";

let caDir: string;
let userCa: string;
let hostCa: string;
let otherHostCa: string;

async function makeCa(name: string): Promise<string> {
  const path = join(caDir, name);
  await mustRun("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path]);
  return path;
}

/** A key with its `<key>-cert.pub` from `ssh-keygen -s userCa -I id -n principal -V validity`. */
async function certifiedKey(type: "ed25519" | "ecdsa" | "rsa", id: string, principal: string, validity: string, bits?: number) {
  const key = await makeClientKey({ type, dir: tempDir(), ...(type === "rsa" ? { bits: 2048 } : {}), ...(bits ? { bits } : {}), comment: id });
  await mustRun("ssh-keygen", ["-q", "-s", userCa, "-I", id, "-n", principal, "-V", validity, `${key.path}.pub`]);
  return { ...key, certificate: readFileSync(`${key.path}-cert.pub`, "utf8") };
}

async function execOk(client: SSHClient): Promise<void> {
  const ch = await client.exec("echo cert-ok");
  expect(await new Response(ch.stdout).text()).toBe("cert-ok\n");
  expect((await ch.exit).code).toBe(0);
}

const LOG_TYPE = { ed25519: "ED25519-CERT", ecdsa: "ECDSA-CERT", rsa: "RSA-CERT" } as const;
type Certified = Awaited<ReturnType<typeof certifiedKey>>;
const good = new Map<string, Certified>();
const bad: Record<"expired" | "future" | "principal", Certified | undefined> = { expired: undefined, future: undefined, principal: undefined };
const userServers = new Map<string, TestServer>();
const stops: TestServer[] = [];

beforeAll(async () => {
  caDir = tempDir();
  [userCa, hostCa, otherHostCa] = await Promise.all([makeCa("user_ca"), makeCa("host_ca"), makeCa("other_host_ca")]);
  for (const type of ["ed25519", "ecdsa", "rsa"] as const) good.set(type, await certifiedKey(type, `good-${type}`, USER, "-5m:+1h"));
  bad.expired = await certifiedKey("ed25519", "expired-cert", USER, "20200101:20200102");
  bad.future = await certifiedKey("ecdsa", "future-cert", USER, "+1d:+2d");
  bad.principal = await certifiedKey("ed25519", "principal-cert", "somebody-else", "-5m:+1h");
  for (const version of VERSIONS) {
    const s = await startSshd({ openssh: version, authorizedKeys: [], config: [`TrustedUserCAKeys ${userCa}.pub`] });
    userServers.set(version, s);
    stops.push(s);
  }
}, 120_000);

afterAll(() => Promise.all(stops.map((s) => s.stop())));

describe.each(VERSIONS)("user certificates, OpenSSH %s with TrustedUserCAKeys and an empty authorized_keys", (version) => {
  it.each(["ed25519", "ecdsa", "rsa"] as const)("%s: <key>-cert.pub beside the key, and given as `certificate`", async (type) => {
    const s = userServers.get(version)!;
    const key = good.get(type)!;
    const count = () => s.log().match(new RegExp(`Accepted publickey for ${USER} .* ssh2: ${LOG_TYPE[type]} .*ID good-${type} `, "g"))?.length ?? 0;
    const before = count();
    const byPath = await SSHClient.connect(loginOptions(s, null, { privateKeyPath: key.path }));
    await execOk(byPath);
    await byPath.close();
    const given = await SSHClient.connect(loginOptions(s, null, { privateKey: key.privateKey, certificate: key.certificate }));
    await execOk(given);
    await given.close();
    await waitForLog(s, new RegExp(`ssh2: ${LOG_TYPE[type]} .*ID good-${type} .*CA ED25519`));
    for (let i = 0; i < 200 && count() < before + 2; i++) await new Promise((r) => setTimeout(r, 25));
    expect(count()).toBe(before + 2);
    if (type === "rsa") expect(s.log()).toMatch(/pkalg rsa-sha2-512-cert-v01@openssh.com/);
  });

  it.each([
    ["expired", /Certificate invalid: expired/, /refused by the server; certificate "expired-cert" expired at 2020-01-02T/],
    ["future", /Certificate invalid: not yet valid/, /refused by the server; certificate "future-cert" is not valid before \d{4}-/],
    ["principal", /Certificate invalid: name is not a listed principal/, new RegExp(`refused by the server; certificate "principal-cert": principal "${USER}" not in \\[somebody-else\\]`)],
  ] as const)("refused certificate (%s): AuthenticationError that says which, and sshd's log says %s", async (which, logLine, says) => {
    const s = userServers.get(version)!;
    const key = bad[which]!;
    const error = await connectError(loginOptions(s, null, { privateKey: key.privateKey, certificate: key.certificate }));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).allowedMethods).toContain("publickey");
    expect((error as AuthenticationError).message).toMatch(says);
    await waitForLog(s, logLine);
  });

  it("an ECDSA P-521 user certificate, and an RSA one restricted to rsa-sha2-256-cert by the server", async () => {
    const p521 = await certifiedKey("ecdsa", "p521-cert", USER, "-5m:+1h", 521);
    const s = userServers.get(version)!;
    const client = await SSHClient.connect(loginOptions(s, null, { privateKeyPath: p521.path }));
    await execOk(client);
    await client.close();
    await waitForLog(s, /Accepted publickey for .* ssh2: ECDSA-CERT .*ID p521-cert /);
    const only256 = await startSshd({
      openssh: version,
      authorizedKeys: [],
      config: [`TrustedUserCAKeys ${userCa}.pub`, "PubkeyAcceptedAlgorithms rsa-sha2-256-cert-v01@openssh.com"],
    });
    stops.push(only256);
    // sshd 9.2 lists every algorithm in server-sig-algs whatever its config says, so ask for the one it takes.
    const algorithms = version === "9.2" ? { publicKey: ["rsa-sha2-256-cert-v01@openssh.com"] } : {};
    const rsa = await SSHClient.connect(loginOptions(only256, null, { privateKeyPath: good.get("rsa")!.path, algorithms }));
    await execOk(rsa);
    await rsa.close();
    await waitForLog(only256, /pkalg rsa-sha2-256-cert-v01@openssh.com/);
    await waitForLog(only256, /Accepted publickey for .* ssh2: RSA-CERT .*ID good-rsa /);
  });

  it("certificatePath names the certificate; a missing one is a KeyFormatError naming the file", async () => {
    const s = userServers.get(version)!;
    const key = good.get("ed25519")!;
    // The certificate at another path than <key>-cert.pub, and a key loaded from memory.
    const elsewhere = join(tempDir(), "elsewhere-cert.pub");
    writeFileSync(elsewhere, key.certificate);
    const client = await SSHClient.connect(loginOptions(s, null, { privateKey: key.privateKey, certificatePath: elsewhere }));
    await execOk(client);
    await client.close();
    const missing = join(tempDir(), "no-such-cert.pub");
    const error = await connectError(loginOptions(s, null, { privateKey: key.privateKey, certificatePath: missing }));
    expect(error).toBeInstanceOf(KeyFormatError);
    expect((error as Error).message).toBe(`cannot read the certificate file ${missing}: it does not exist`);
  });
});

describe("the mcp-ssh CLI with --client-key: <key>-cert.pub beside it is offered, as ssh offers an IdentityFile's", () => {
  let removeCli: (() => void) | undefined;
  let server: TestServer;
  let knownHosts: string;
  beforeAll(async () => {
    const cli = buildCli();
    server = await startSshd({ authorizedKeys: [], config: [`TrustedUserCAKeys ${userCa}.pub`, `ForceCommand ${toolsServerCommand(["--name", "certified"])}`] });
    stops.push(server);
    knownHosts = join(tempDir(), "known_hosts");
    writeFileSync(knownHosts, `${server.knownHostsLine}\n`);
    removeCli = await cli;
  });
  afterAll(() => removeCli?.());

  it.each(["ed25519", "rsa"] as const)("%s key: an MCP call through an sshd with an empty authorized_keys", async (type) => {
    const key = good.get(type)!;
    const args = ["--host", "127.0.0.1", "--port", String(server.port), "--username", USER, "--client-key", key.path, "--known-hosts", knownHosts];
    const { client } = await mcpViaCli(args, { PATH: process.env.PATH ?? "", HOME: tempDir() });
    try {
      await expectToolsAnswer(client, "certified");
    } finally {
      await client.close();
    }
    await waitForLog(server, new RegExp(`Accepted publickey for ${USER} .* ssh2: ${LOG_TYPE[type]} .*ID good-${type} `));
  });
});

describe.each(VERSIONS)("host certificates, OpenSSH %s", (version) => {
  /** sshd whose ed25519 host key is certified by `ca` for `names`. */
  async function hostCertServer(ca: string, names: string, validity = "-5m:+1h", hostKey: HostKeyType = "ed25519", extra: string[] = []): Promise<TestServer> {
    const s = await startSshd({
      openssh: version,
      authorizedKeys: [good.get("ed25519")!.publicKeyLine],
      hostKeyTypes: [hostKey],
      prepare: async (_dir, hostKeys) => {
        const hostKey = hostKeys[0]!.path;
        await mustRun("ssh-keygen", ["-q", "-s", ca, "-h", "-I", `host-${version}`, "-n", names, "-V", validity, ...extra, `${hostKey}.pub`]);
        return [`HostCertificate ${hostKey}-cert.pub`];
      },
    });
    stops.push(s);
    return s;
  }
  const caLine = (ca: string, pattern = "[127.0.0.1]:*") => `@cert-authority ${pattern} ${typeAndBase64(readFileSync(`${ca}.pub`, "utf8"))}`;
  const key = () => good.get("ed25519")!;

  let trusted: TestServer;
  beforeAll(async () => {
    trusted = await hostCertServer(hostCa, "127.0.0.1");
  });

  it("@cert-authority only: connects, and the host key algorithm is a certificate", async () => {
    for (const pattern of ["[127.0.0.1]:*", "127.0.0.1,[127.0.0.1]:*", `[127.0.0.1]:${trusted.port}`]) {
      const client = await SSHClient.connect(loginOptions(trusted, null, { privateKeyPath: key().path, knownHosts: caLine(hostCa, pattern) }));
      expect(client.algorithms.hostKey).toBe("ssh-ed25519-cert-v01@openssh.com");
      await execOk(client);
      await client.close();
    }
    await waitForLog(trusted, /kex: host key algorithm: ssh-ed25519-cert-v01@openssh.com/);
  });

  it("a plain `127.0.0.1` pattern does not match port != 22 (as in OpenSSH): HostKeyUnknownError", async () => {
    const error = await connectError(loginOptions(trusted, null, { privateKeyPath: key().path, knownHosts: caLine(hostCa, "127.0.0.1") }));
    expect(error).toBeInstanceOf(HostKeyUnknownError);
  });

  it("an @revoked line for the host key refuses it: HostKeyMismatchError (expected per @revoked)", async () => {
    const revoked = `@revoked * ${trusted.hostKeyLine}`;
    const error = await connectError(loginOptions(trusted, null, { privateKeyPath: key().path, knownHosts: `${caLine(hostCa)}\n${revoked}\n` }));
    expect(error).toBeInstanceOf(HostKeyMismatchError);
    expect((error as HostKeyMismatchError).expectedFrom).toMatch(/revoked/);
  });

  it("a certificate for another name is refused: HostKeyUnknownError (no plain key to fall back on) that says why", async () => {
    const wrong = await hostCertServer(hostCa, "other.example.org");
    const error = await connectError(loginOptions(wrong, null, { privateKeyPath: key().path, knownHosts: caLine(hostCa) }));
    expect(error).toBeInstanceOf(HostKeyUnknownError);
    expect((error as HostKeyUnknownError).certificateProblem).toBe(`certificate "host-${version}": principal "127.0.0.1" not in [other.example.org]`);
    expect((error as Error).message).toContain("and its host certificate was not accepted: certificate");
    await wrong.stop();
  });

  it.each([
    ["rsa", "rsa-sha2-512-cert-v01@openssh.com"],
    ["ecdsa384", "ecdsa-sha2-nistp384-cert-v01@openssh.com"],
  ] as const)("an %s host key's certificate through @cert-authority: negotiated as %s", async (type, algorithm) => {
    const s = await hostCertServer(hostCa, "127.0.0.1", "-5m:+1h", type);
    const client = await SSHClient.connect(loginOptions(s, null, { privateKeyPath: key().path, knownHosts: caLine(hostCa) }));
    expect(client.algorithms.hostKey).toBe(algorithm);
    await execOk(client);
    await client.close();
    await waitForLog(s, new RegExp(`kex: host key algorithm: ${algorithm}`));
    await s.stop();
  });

  it("a host certificate with a critical option (none is defined for hosts): refused, saying so", async () => {
    const s = await hostCertServer(hostCa, "127.0.0.1", "-5m:+1h", "ed25519", ["-O", "critical:no-such-option@example.com=x"]);
    const error = await connectError(loginOptions(s, null, { privateKeyPath: key().path, knownHosts: caLine(hostCa) }));
    expect(error).toBeInstanceOf(HostKeyUnknownError);
    expect((error as HostKeyUnknownError).certificateProblem).toBe(
      `certificate "host-${version}" has the critical option "no-such-option@example.com", which we do not support, so it must be refused`,
    );
    await s.stop();
  });

  it("an expired host certificate: HostKeyUnknownError that says it expired", async () => {
    const expired = await hostCertServer(hostCa, "127.0.0.1", "20200101:20200102");
    const error = await connectError(loginOptions(expired, null, { privateKeyPath: key().path, knownHosts: caLine(hostCa) }));
    expect(error).toBeInstanceOf(HostKeyUnknownError);
    expect((error as HostKeyUnknownError).certificateProblem).toMatch(new RegExp(`^certificate "host-${version}" expired at 2020-01-02T`));
    await expired.stop();
  });

  it("a certificate from an unknown CA falls back to the plain key in known_hosts", async () => {
    const other = await hostCertServer(otherHostCa, "127.0.0.1");
    const knownHosts = `${caLine(hostCa)}\n${other.knownHostsLine}\n`;
    const client = await SSHClient.connect(loginOptions(other, null, { privateKeyPath: key().path, knownHosts }));
    await execOk(client);
    await client.close();
    // Forced to the certificate algorithm, the server shows the certificate; still trusted by its plain key.
    const forced = await SSHClient.connect(
      loginOptions(other, null, { privateKeyPath: key().path, knownHosts, algorithms: { hostKey: ["ssh-ed25519-cert-v01@openssh.com"] } }),
    );
    expect(forced.algorithms.hostKey).toBe("ssh-ed25519-cert-v01@openssh.com");
    await execOk(forced);
    await forced.close();
    // Without the plain key line it is unknown.
    const error = await connectError(
      loginOptions(other, null, { privateKeyPath: key().path, knownHosts: caLine(hostCa), algorithms: { hostKey: ["ssh-ed25519-cert-v01@openssh.com"] } }),
    );
    expect(error).toBeInstanceOf(HostKeyUnknownError);
    await other.stop();
  });
});
