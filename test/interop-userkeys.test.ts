// Issue 16: user keys as users really have them log in to sshd 9.2 and 10.0. One key per type
// (ed25519, ECDSA 256/384/521, RSA 2048/3072/4096) made by ssh-keygen, then rewritten by
// `ssh-keygen -p` into each file format it writes (openssh-key-v1 plain, encrypted with its
// default cipher and with -Z aes256-gcm@openssh.com / aes128-ctr; PEM and PKCS#8, plain and
// encrypted, for RSA and ECDSA: ssh-keygen writes ed25519 only as openssh-key-v1). Each file logs
// in and sshd's log shows the key type and, for RSA, that it verified rsa-sha2-512.
// Also: server-sig-algs honoured (PubkeyAcceptedAlgorithms rsa-sha2-256), RSA 1024 refused with
// KeyFormatError, our generateKey() output checked by ssh-keygen -y / -lf and logging in, and
// ssh-agent holding RSA (signing rsa-sha2-512, and rsa-sha2-256 where the server accepts only that:
// the agent's SSH_AGENT_RSA_SHA2_512 / _256 flags), ECDSA and a certificate.
// SHA-1 ssh-rsa user key signatures only when named (as OpenSSH >= 8.8): sshd 10.0 accepting
// nothing else refuses our RSA key by default and takes it with algorithms.publicKey "+ssh-rsa".
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthenticationError, KeyFormatError, SSHClient } from "../src/entries/ssh.js";
import { generateKey } from "../src/ssh/keys/generate-key.js";
import { connectError, connectTo, loginOptions } from "./helpers/connect.js";
import { makeClientKey, startSshd, waitForLog, type ClientKey, type TestServer } from "./helpers/servers.js";
import { mustRun, startAgent, tempDir, typeAndBase64, type TestAgent } from "./keys-support.js";

const VERSIONS = ["9.2", "10.0"] as const;
const PASS = "interop passphrase";

interface KeySpec {
  name: string;
  type: "ed25519" | "ecdsa" | "rsa";
  bits?: number;
  /** sshd's log name for the type ("Accepted publickey ... ssh2: RSA SHA256:..."). */
  logType: string;
  /** The pkalg sshd logs. */
  pkalg: string;
}
const SPECS: KeySpec[] = [
  { name: "ed25519", type: "ed25519", logType: "ED25519", pkalg: "ssh-ed25519" },
  { name: "ecdsa-256", type: "ecdsa", bits: 256, logType: "ECDSA", pkalg: "ecdsa-sha2-nistp256" },
  { name: "ecdsa-384", type: "ecdsa", bits: 384, logType: "ECDSA", pkalg: "ecdsa-sha2-nistp384" },
  { name: "ecdsa-521", type: "ecdsa", bits: 521, logType: "ECDSA", pkalg: "ecdsa-sha2-nistp521" },
  { name: "rsa-2048", type: "rsa", bits: 2048, logType: "RSA", pkalg: "rsa-sha2-512" },
  { name: "rsa-3072", type: "rsa", bits: 3072, logType: "RSA", pkalg: "rsa-sha2-512" },
  { name: "rsa-4096", type: "rsa", bits: 4096, logType: "RSA", pkalg: "rsa-sha2-512" },
];

interface Format {
  name: string;
  /** ssh-keygen -p arguments after -f FILE -P "" (new passphrase, format, cipher). */
  args: string[];
  passphrase?: string;
  /** The first line the file must start with (the format really is what we asked for). */
  header: string;
  ed25519: boolean;
}
const FORMATS: Format[] = [
  { name: "openssh-key-v1", args: ["-N", ""], header: "-----BEGIN OPENSSH PRIVATE KEY-----", ed25519: true },
  { name: "openssh-key-v1 encrypted (default aes256-ctr)", args: ["-N", PASS, "-a", "4"], passphrase: PASS, header: "-----BEGIN OPENSSH PRIVATE KEY-----", ed25519: true },
  { name: "openssh-key-v1 -Z aes256-gcm@openssh.com", args: ["-N", PASS, "-a", "4", "-Z", "aes256-gcm@openssh.com"], passphrase: PASS, header: "-----BEGIN OPENSSH PRIVATE KEY-----", ed25519: true },
  { name: "openssh-key-v1 -Z aes128-ctr", args: ["-N", PASS, "-a", "4", "-Z", "aes128-ctr"], passphrase: PASS, header: "-----BEGIN OPENSSH PRIVATE KEY-----", ed25519: true },
  { name: "PEM", args: ["-N", "", "-m", "PEM"], header: "-----BEGIN (RSA|EC) PRIVATE KEY-----", ed25519: false },
  { name: "PEM encrypted", args: ["-N", PASS, "-m", "PEM"], passphrase: PASS, header: "-----BEGIN (RSA|EC) PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED", ed25519: false },
  { name: "PKCS#8", args: ["-N", "", "-m", "PKCS8"], header: "-----BEGIN PRIVATE KEY-----", ed25519: false },
  { name: "PKCS#8 encrypted", args: ["-N", PASS, "-m", "PKCS8"], passphrase: PASS, header: "-----BEGIN ENCRYPTED PRIVATE KEY-----", ed25519: false },
];

interface Variant {
  spec: KeySpec;
  format: Format;
  privateKey: string;
  publicKeyLine: string;
  fingerprint: string;
}

const keys = new Map<string, ClientKey>();
const variants: Variant[] = [];
const formatsOf = (spec: KeySpec) => FORMATS.filter((f) => spec.type !== "ed25519" || f.ed25519);
/** OpenSSH 10.0: every type in every format. */
const ALL_CASES = SPECS.flatMap((spec) => formatsOf(spec).map((format) => [spec.name, format.name] as const));
/**
 * OpenSSH 9.2: the file format is read by our client alone, so 9.2 (to keep the run short) gets
 * every type once, each in a different format, so every format also meets 9.2 at least once.
 */
const ROTATED_CASES = [...SPECS, ...SPECS.filter((s) => s.type !== "ed25519")].map((spec, i) => {
  const formats = formatsOf(spec);
  return [spec.name, formats[i % formats.length]!.name] as const;
});
const CASES_OF = { "9.2": ROTATED_CASES, "10.0": ALL_CASES } as const;

// ---- CA and agent material, shared by both servers ----
let caDir: string;
let caPub: string;
let agentRsa: ClientKey;
let agentEcdsa: ClientKey;
let agentCertKey: ClientKey;
let agents: { rsa: TestAgent; ecdsa: TestAgent; cert: TestAgent };
let rsa1024: ClientKey;
const servers = new Map<string, TestServer>();

beforeAll(async () => {
  const dir = tempDir();
  await Promise.all(
    SPECS.map(async (spec) => {
      const key = await makeClientKey({ type: spec.type, bits: spec.bits, dir: tempDir(), comment: `interop-${spec.name}` });
      keys.set(spec.name, key);
    }),
  );
  for (const spec of SPECS) {
    const key = keys.get(spec.name)!;
    for (const format of FORMATS) {
      if (spec.type === "ed25519" && !format.ed25519) continue;
      const path = join(dir, `${spec.name}-${variants.length}`);
      copyFileSync(key.path, path);
      await mustRun("ssh-keygen", ["-q", "-p", "-f", path, "-P", "", ...format.args]);
      variants.push({ spec, format, privateKey: readFileSync(path, "utf8"), publicKeyLine: key.publicKeyLine, fingerprint: key.fingerprint });
    }
  }
  // Agent material: an RSA key, an ECDSA key (authorized_keys) and an ed25519 key with a
  // certificate (TrustedUserCAKeys), each in its own agent so each login shows one identity.
  caDir = tempDir();
  await mustRun("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "interop-user-ca", "-f", join(caDir, "ca")]);
  caPub = join(caDir, "ca.pub");
  [agentRsa, agentEcdsa, agentCertKey, rsa1024] = await Promise.all([
    makeClientKey({ type: "rsa", bits: 3072, comment: "agent-rsa" }),
    makeClientKey({ type: "ecdsa", bits: 384, comment: "agent-ecdsa" }),
    makeClientKey({ type: "ecdsa", bits: 256, comment: "agent-cert" }),
    makeClientKey({ type: "rsa", bits: 1024, comment: "too-small" }),
  ]);
  await mustRun("ssh-keygen", ["-q", "-s", join(caDir, "ca"), "-I", "agent-cert-id", "-n", process.env.USER ?? "root", "-V", "-5m:+1h", `${agentCertKey.path}.pub`]);
  const [rsa, ecdsa, cert] = await Promise.all([startAgent(), startAgent(), startAgent()]);
  agents = { rsa, ecdsa, cert };
  const add = (agent: TestAgent, path: string) => mustRun("ssh-add", ["-q", path], { env: { ...process.env, SSH_AUTH_SOCK: agent.socket } });
  await add(rsa, agentRsa.path);
  await add(ecdsa, agentEcdsa.path);
  await add(cert, agentCertKey.path); // ssh-add also loads ${path}-cert.pub
  const listed = await mustRun("ssh-add", ["-l"], { env: { ...process.env, SSH_AUTH_SOCK: cert.socket } });
  expect(listed).toMatch(/ECDSA-CERT/);

  for (const version of VERSIONS) {
    servers.set(
      version,
      await startSshd({
        openssh: version,
        authorizedKeys: [...[...keys.values()].map((k) => k.publicKeyLine), agentRsa.publicKeyLine, agentEcdsa.publicKeyLine],
        config: [`TrustedUserCAKeys ${caPub}`],
      }),
    );
  }
}, 240_000);

afterAll(async () => {
  await Promise.all([...servers.values()].map((s) => s.stop()));
  await Promise.all(Object.values(agents ?? {}).map((a) => a.stop()));
});

function accepted(server: TestServer, logType: string, fingerprint: string): number {
  const re = new RegExp(`Accepted publickey for \\S+ from 127\\.0\\.0\\.1 port \\d+ ssh2: ${logType} ${fingerprint.replace(/[+/]/g, "\\$&")}`, "g");
  return server.log().match(re)?.length ?? 0;
}

async function execOk(client: SSHClient): Promise<void> {
  const ch = await client.exec("echo key-login-ok");
  expect(await new Response(ch.stdout).text()).toBe("key-login-ok\n");
  expect((await ch.exit).code).toBe(0);
}

/** Log in, run a command, and wait until sshd logged one more acceptance of that key. */
async function loginAndCheck(server: TestServer, logType: string, fingerprint: string, options: Parameters<typeof loginOptions>[2]) {
  const before = accepted(server, logType, fingerprint);
  const client = await SSHClient.connect(loginOptions(server, null, options));
  try {
    await execOk(client);
  } finally {
    await client.close();
  }
  const deadline = Date.now() + 5_000;
  while (accepted(server, logType, fingerprint) <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  expect(accepted(server, logType, fingerprint)).toBe(before + 1);
}

describe.each(VERSIONS)("ssh-keygen user keys log in to OpenSSH %s", (version) => {
  it.each(CASES_OF[version])("%s as %s", async (specName, formatName) => {
    const v = variants.find((x) => x.spec.name === specName && x.format.name === formatName)!;
    expect(v.privateKey).toMatch(new RegExp(`^${v.format.header}`));
    const server = servers.get(version)!;
    await loginAndCheck(server, v.spec.logType, v.fingerprint, {
      privateKey: v.privateKey,
      ...(v.format.passphrase !== undefined ? { passphrase: v.format.passphrase } : {}),
    });
    // sshd names the signature algorithm it verified for this key.
    expect(server.log()).toMatch(new RegExp(`userauth_pubkey: .*pkalg ${v.spec.pkalg}`));
    if (v.spec.type === "rsa") expect(server.log()).not.toMatch(/pkalg ssh-rsa /);
  });

  it("an RSA key is used with rsa-sha2-512 by default", async () => {
    const server = servers.get(version)!;
    const key = keys.get("rsa-3072")!;
    const client = await connectTo(server, key);
    await execOk(client);
    await client.close();
    await waitForLog(server, /userauth_pubkey: .*pkalg rsa-sha2-512/);
  });
});

describe.each(VERSIONS)("OpenSSH %s: server-sig-algs, small RSA, our own keys, the agent", (version) => {
  it("PubkeyAcceptedAlgorithms rsa-sha2-256: rsa-sha2-256 is used (10.0: from server-sig-algs; 9.2 advertises every algorithm, so as for OpenSSH's ssh it takes algorithms.publicKey)", async () => {
    const key = keys.get("rsa-2048")!;
    const s = await startSshd({ openssh: version, authorizedKeys: [key.publicKeyLine], config: ["PubkeyAcceptedAlgorithms rsa-sha2-256"] });
    try {
      if (version === "9.2") {
        // sshd 9.2 sends server-sig-algs=<...,rsa-sha2-256,rsa-sha2-512> whatever
        // PubkeyAcceptedAlgorithms says; OpenSSH 9.2's own ssh then signs with rsa-sha2-512 and
        // is refused the same way (checked by hand with `ssh -v`).
        const refused = await connectError(loginOptions(s, key));
        expect(refused).toBeInstanceOf(AuthenticationError);
        await waitForLog(s, /signature algorithm rsa-sha2-512 not in PubkeyAcceptedAlgorithms/);
        const client = await connectTo(s, key, { algorithms: { publicKey: ["rsa-sha2-256"] } });
        await execOk(client);
        await client.close();
      } else {
        const client = await connectTo(s, key);
        await execOk(client);
        await client.close();
      }
      await waitForLog(s, /Accepted publickey for .* ssh2: RSA /);
      expect(s.log()).toMatch(/userauth_pubkey: .*pkalg rsa-sha2-256/);
      if (version === "10.0") expect(s.log()).not.toMatch(/pkalg rsa-sha2-512/);
    } finally {
      await s.stop();
    }
  });

  it("an RSA 1024 key is refused with KeyFormatError saying it is too small", async () => {
    const server = servers.get(version)!;
    const error = await connectError(loginOptions(server, rsa1024));
    expect(error).toBeInstanceOf(KeyFormatError);
    expect((error as Error).message).toMatch(/at least 2048 bits; this one has 1024/);
  });

  const GENERATED: ["ecdsa" | "rsa", number, string][] = [
    ["rsa", 2048, "RSA"],
    ["rsa", 3072, "RSA"],
    ["ecdsa", 256, "ECDSA"],
    ["ecdsa", 384, "ECDSA"],
    ["ecdsa", 521, "ECDSA"],
  ];
  it.each(GENERATED)("generateKey(%s, %d): ssh-keygen -y and -lf agree, and it logs in", async (type, bits, logType) => {
    const encrypted = bits === 384;
    const ours = await generateKey(type, bits, { comment: `ours-${type}-${bits}`, ...(encrypted ? { passphrase: PASS, rounds: 4 } : {}) });
    const path = join(tempDir(), `ours_${type}`);
    writeFileSync(path, ours.privateKey, { mode: 0o600 });
    writeFileSync(`${path}.pub`, `${ours.publicKeyLine}\n`);
    const derived = await mustRun("ssh-keygen", ["-y", "-P", encrypted ? PASS : "", "-f", path]);
    expect(typeAndBase64(derived)).toBe(typeAndBase64(ours.publicKeyLine));
    const listed = await mustRun("ssh-keygen", ["-l", "-E", "sha256", "-f", path]);
    expect(listed.split(/\s+/)[1]).toBe(ours.fingerprint);
    expect(listed).toMatch(new RegExp(`^${bits} `));
    const s = await startSshd({ openssh: version, authorizedKeys: [ours.publicKeyLine] });
    try {
      await loginAndCheck(s, logType, ours.fingerprint, { privateKeyPath: path, ...(encrypted ? { passphrase: PASS } : {}) });
    } finally {
      await s.stop();
    }
  });

  it("agent only: an RSA identity signs with rsa-sha2-512 (the agent's SHA-2 flag)", async () => {
    const server = servers.get(version)!;
    await loginAndCheck(server, "RSA", agentRsa.fingerprint, { agent: agents.rsa.socket });
    expect(server.log()).toMatch(/userauth_pubkey: .*pkalg rsa-sha2-512/);
  });

  it("agent only, PubkeyAcceptedAlgorithms rsa-sha2-256: the RSA identity signs with rsa-sha2-256 (the agent's SSH_AGENT_RSA_SHA2_256 flag)", async () => {
    const s = await startSshd({
      openssh: version,
      authorizedKeys: [agentRsa.publicKeyLine],
      config: ["PubkeyAcceptedAlgorithms rsa-sha2-256"],
      logLevel: "DEBUG3",
    });
    try {
      // 10.0 names only rsa-sha2-256 in server-sig-algs; 9.2 advertises every algorithm whatever
      // PubkeyAcceptedAlgorithms says (see the test above), so there it is named in algorithms.publicKey.
      const algorithms = version === "9.2" ? { algorithms: { publicKey: ["rsa-sha2-256"] } } : {};
      await loginAndCheck(s, "RSA", agentRsa.fingerprint, { agent: agents.rsa.socket, ...algorithms });
      // DEBUG3: the signed request's algorithm, and the monitor's verification of the signature
      // itself (sshd checks the signature blob names the request's algorithm).
      const fp = agentRsa.fingerprint.replace(/[+/]/g, "\\$&");
      expect(s.log()).toMatch(new RegExp(`userauth_pubkey: publickey have rsa-sha2-256 signature for RSA ${fp}`));
      expect(s.log()).toMatch(/mm_answer_keyverify: publickey RSA signature using rsa-sha2-256 verified/);
      expect(s.log()).not.toMatch(/pkalg rsa-sha2-512|signature using rsa-sha2-512/);
    } finally {
      await s.stop();
    }
  });

  it("agent only: an ECDSA identity", async () => {
    const server = servers.get(version)!;
    await loginAndCheck(server, "ECDSA", agentEcdsa.fingerprint, { agent: agents.ecdsa.socket });
  });

  it("agent only: a certificate held by the agent (TrustedUserCAKeys, key not in authorized_keys)", async () => {
    const server = servers.get(version)!;
    const before = server.log().match(/Accepted publickey for .* ssh2: ECDSA-CERT /g)?.length ?? 0;
    const client = await SSHClient.connect(loginOptions(server, null, { agent: agents.cert.socket }));
    await execOk(client);
    await client.close();
    const line = await waitForLog(server, /Accepted publickey for .* ssh2: ECDSA-CERT .*ID agent-cert-id/);
    expect(line).toContain("CA ED25519");
    expect(server.log().match(/Accepted publickey for .* ssh2: ECDSA-CERT /g)?.length).toBe(before + 1);
  });

  it("an agent holding only a key type we cannot use (DSA): AuthenticationError lists it as skipped, with why", async () => {
    const server = servers.get(version)!;
    const agent = await startAgent();
    try {
      const dir = tempDir();
      await mustRun("ssh-keygen", ["-q", "-t", "dsa", "-N", "", "-C", "dsa-only-key", "-f", join(dir, "id_dsa")]);
      await mustRun("ssh-add", ["-q", join(dir, "id_dsa")], { env: { ...process.env, SSH_AUTH_SOCK: agent.socket } });
      const error = await connectError(loginOptions(server, null, { agent: agent.socket }));
      expect(error).toBeInstanceOf(AuthenticationError);
      const skipped = (error as AuthenticationError).skipped;
      expect(skipped).toHaveLength(1);
      expect(skipped[0]).toMatch(/^publickey \(ssh-agent key dsa-only-key\): .*ssh-dss/);
      expect((error as Error).message).not.toContain("tried [nothing]; the server");
    } finally {
      await agent.stop();
    }
  });

  it("a key the server does not know, with the agent empty of it: AuthenticationError", async () => {
    const server = servers.get(version)!;
    const stranger = await makeClientKey({ type: "ecdsa" });
    const error = await connectError(loginOptions(server, stranger));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).allowedMethods).toContain("publickey");
  });
});

describe("OpenSSH 10.0 accepting only ssh-rsa (SHA-1) user key signatures", () => {
  let s: TestServer;
  let key: ClientKey;
  beforeAll(async () => {
    key = keys.get("rsa-3072")!;
    // 10.0 leaves ssh-rsa out of its defaults; PubkeyAcceptedAlgorithms names it and nothing else
    // (and so does its server-sig-algs). DEBUG3 logs the algorithm of the signature it verified.
    s = await startSshd({ openssh: "10.0", authorizedKeys: [key.publicKeyLine], config: ["PubkeyAcceptedAlgorithms ssh-rsa"], logLevel: "DEBUG3" });
  });
  afterAll(() => s?.stop());

  it("default algorithms: the RSA key is not offered (AuthenticationError saying the server's server-sig-algs take none of its algorithms)", async () => {
    const from = s.log().length;
    const error = await connectError(loginOptions(s, key));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toMatch(/the server accepts none of its signature algorithms \[rsa-sha2-512, rsa-sha2-256\] \(server-sig-algs: ssh-rsa\)/);
    // sshd saw only the `none` probe: no publickey request, so no ssh-rsa signature either.
    const thisConnection = { log: () => s.log().slice(from) };
    await waitForLog(thisConnection, /Disconnected from authenticating user \S+ 127\.0\.0\.1 port \d+/);
    expect(thisConnection.log()).toMatch(/userauth-request for user \S+ service ssh-connection method none/);
    expect(thisConnection.log()).not.toMatch(/method publickey/);
  });

  it('algorithms.publicKey "+ssh-rsa": logs in, sshd verifies an ssh-rsa signature', async () => {
    const before = accepted(s, "RSA", key.fingerprint);
    const client = await connectTo(s, key, { algorithms: { publicKey: "+ssh-rsa" } });
    await execOk(client);
    await client.close();
    await waitForLog(s, new RegExp(`Accepted publickey for \\S+ from 127\\.0\\.0\\.1 port \\d+ ssh2: RSA ${key.fingerprint.replace(/[+/]/g, "\\$&")}`));
    expect(accepted(s, "RSA", key.fingerprint)).toBe(before + 1);
    expect(s.log()).toMatch(/userauth_pubkey: publickey have ssh-rsa signature for RSA /);
    expect(s.log()).toMatch(/mm_answer_keyverify: publickey RSA signature using ssh-rsa verified/);
  });
});
