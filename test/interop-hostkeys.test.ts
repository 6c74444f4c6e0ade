// Issue 16: servers whose only host key is RSA or ECDSA. sshd 9.2 and 10.0 each get ONE host key
// (RSA 3072, ECDSA P-256/384/521); our client with its default algorithms must connect trusting
// only that key's known_hosts line, run a command, and sshd's DEBUG1 log must name the host key
// algorithm it used (rsa-sha2-512 for RSA: the SHA-2 signature, never ssh-rsa/SHA-1). SHA-1
// ssh-rsa only when named (as OpenSSH >= 8.8): sshd 10.0 made to offer nothing else is a
// NegotiationError by default and connects with algorithms.hostKey "+ssh-rsa".
// Dropbear 2022.83 with an RSA and with an ECDSA host key, forced to its AES-CTR + HMAC-SHA2 set.
// (Dropbear 2022.83 as Debian builds it has aes128-ctr, aes256-ctr, chacha20-poly1305, and the
// MACs hmac-sha1 and hmac-sha2-256 only: no GCM and no hmac-sha2-512; see `strings dropbear`.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NegotiationError, SSHClient } from "../src/entries/ssh.js";
import { connectError, connectTo, loginOptions } from "./helpers/connect.js";
import { makeClientKey, startDropbear, startSshd, waitForLog, type ClientKey, type HostKeyType, type TestServer } from "./helpers/servers.js";

const VERSIONS = ["9.2", "10.0"] as const;
const HOST_KEYS: [HostKeyType, string][] = [
  ["rsa", "rsa-sha2-512"],
  ["ecdsa", "ecdsa-sha2-nistp256"],
  ["ecdsa384", "ecdsa-sha2-nistp384"],
  ["ecdsa521", "ecdsa-sha2-nistp521"],
];

let key: ClientKey;
const servers: TestServer[] = [];
beforeAll(async () => {
  key = await makeClientKey();
});
afterAll(() => Promise.all(servers.map((s) => s.stop())));

async function exec(client: SSHClient, command: string): Promise<string> {
  const ch = await client.exec(command);
  const out = await new Response(ch.stdout).text();
  expect((await ch.exit).code).toBe(0);
  return out;
}

describe.each(VERSIONS)("OpenSSH %s with a single host key", (version) => {
  it.each(HOST_KEYS)("host key %s: defaults connect, sshd negotiates %s", async (type, algorithm) => {
    const s = await startSshd({ openssh: version, hostKeyTypes: [type], authorizedKeys: [key.publicKeyLine] });
    servers.push(s);
    expect(s.hostKeyLine.split(" ")[0]).toBe(type === "rsa" ? "ssh-rsa" : algorithm);
    const client = await connectTo(s, key);
    try {
      expect(client.algorithms.hostKey).toBe(algorithm);
      expect(await exec(client, "echo hostkey-$((6*7))")).toBe("hostkey-42\n");
    } finally {
      await client.close();
    }
    await waitForLog(s, new RegExp(`kex: host key algorithm: ${algorithm}( \\[preauth\\])?$`, "m"));
    await s.stop();
  });
});

describe("OpenSSH 10.0 offering only ssh-rsa (SHA-1) host key signatures", () => {
  let s: TestServer;
  beforeAll(async () => {
    // 10.0 leaves ssh-rsa out of its defaults; HostKeyAlgorithms names it and nothing else.
    s = await startSshd({ openssh: "10.0", hostKeyTypes: ["rsa"], authorizedKeys: [key.publicKeyLine], config: ["HostKeyAlgorithms ssh-rsa"] });
    servers.push(s);
  });

  it("default algorithms: a NegotiationError naming the host key category and the server's ssh-rsa", async () => {
    const error = await connectError(loginOptions(s, key));
    expect(error).toBeInstanceOf(NegotiationError);
    const e = error as NegotiationError;
    expect(e.category).toBe("hostKey");
    expect(e.theirs).toEqual(["ssh-rsa"]);
    expect(e.ours).toContain("rsa-sha2-512");
    expect(e.ours).not.toContain("ssh-rsa");
    expect(e.message).toMatch(/no common hostKey algorithm: .*the server offers \[ssh-rsa\].*algorithms\.hostKey/);
    // sshd found no match either, in the client's (our) offer.
    const line = await waitForLog(s, /Unable to negotiate with 127\.0\.0\.1 port \d+: no matching host key type found/);
    expect(line).not.toMatch(/Their offer: .*\bssh-rsa\b/);
  });

  it('algorithms.hostKey "+ssh-rsa": connects, and sshd signs the exchange with ssh-rsa', async () => {
    const client = await connectTo(s, key, { algorithms: { hostKey: "+ssh-rsa" } });
    try {
      expect(client.algorithms.hostKey).toBe("ssh-rsa");
      expect(await exec(client, "echo sha1-hostkey")).toBe("sha1-hostkey\n");
    } finally {
      await client.close();
    }
    await waitForLog(s, /kex: host key algorithm: ssh-rsa( \[preauth\])?$/m);
  });
});

describe("Dropbear 2022.83 with RSA and ECDSA host keys, AES-CTR and HMAC-SHA2", () => {
  const CASES: [HostKeyType, string, string][] = [
    ["rsa", "aes128-ctr", "rsa-sha2-256"],
    ["rsa", "aes256-ctr", "rsa-sha2-256"],
    ["ecdsa", "aes128-ctr", "ecdsa-sha2-nistp256"],
    ["ecdsa", "aes256-ctr", "ecdsa-sha2-nistp256"],
    ["ecdsa521", "aes256-ctr", "ecdsa-sha2-nistp521"],
  ];
  const dropbears = new Map<HostKeyType, TestServer>();
  async function dropbear(type: HostKeyType): Promise<TestServer> {
    let s = dropbears.get(type);
    if (!s) {
      s = await startDropbear({ hostKeyTypes: [type], authorizedKeys: [key.publicKeyLine] });
      servers.push(s);
      dropbears.set(type, s);
    }
    return s;
  }

  it.each(CASES)("host key %s, cipher %s + hmac-sha2-256 (host key algorithm %s)", async (type, cipher, hostKeyAlgorithm) => {
    const s = await dropbear(type);
    const client = await connectTo(s, key, { algorithms: { cipher: [cipher], mac: ["hmac-sha2-256"] } });
    try {
      expect(client.algorithms.hostKey).toBe(hostKeyAlgorithm);
      expect(client.algorithms.cipher).toEqual({ clientToServer: cipher, serverToClient: cipher });
      expect(client.algorithms.mac).toEqual({ clientToServer: "hmac-sha2-256", serverToClient: "hmac-sha2-256" });
      expect(await exec(client, "echo dropbear-ok")).toBe("dropbear-ok\n");
    } finally {
      await client.close();
    }
  });

  it("offers no GCM and no hmac-sha2-512: asking for them alone is a NegotiationError naming the category", async () => {
    const s = await dropbear("rsa");
    const gcm = await connectError({ ...loginOptions(s, key), algorithms: { cipher: ["aes256-gcm@openssh.com"] } });
    expect(gcm).toBeInstanceOf(NegotiationError);
    expect(String((gcm as Error).message)).toMatch(/cipher/i);
    const sha512 = await connectError({ ...loginOptions(s, key), algorithms: { cipher: ["aes256-ctr"], mac: ["hmac-sha2-512"] } });
    expect(sha512).toBeInstanceOf(NegotiationError);
    expect(String((sha512 as Error).message)).toMatch(/mac/i);
  });
});
