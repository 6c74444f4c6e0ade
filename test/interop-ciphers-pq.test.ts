// Issues 16 and 17 against real OpenSSH: sshd 9.2 (Debian) and 10.0 (bookworm-backports, unpacked
// by scripts/fetch-openssh10.sh), each restricted to one cipher, one MAC or one post-quantum kex at
// a time. We offer our defaults; sshd's own DEBUG1 log must show the algorithm negotiated, and a
// command's output must arrive intact.
import { createHash } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { SSHClient } from "../src/entries/ssh.js";
import { makeClientKey, startSshd, type ClientKey, type TestServer } from "./helpers/servers.js";
import { connectTo } from "./helpers/connect.js";

const VERSIONS = ["9.2", "10.0"] as const;
const CIPHERS = ["aes128-ctr", "aes192-ctr", "aes256-ctr", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com"];
const MACS = ["hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com", "hmac-sha2-256", "hmac-sha2-512"];
/** Offered only when named (issue 16). */
const NAMED_ONLY_MACS = ["hmac-sha1", "hmac-sha1-etm@openssh.com"];

let key: ClientKey;
const servers: TestServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.stop())));

async function server(version: (typeof VERSIONS)[number], config: string[]): Promise<TestServer> {
  key ??= await makeClientKey();
  const s = await startSshd({ openssh: version, authorizedKeys: [key.publicKeyLine], config });
  servers.push(s);
  return s;
}

async function exec(client: SSHClient, command: string): Promise<string> {
  const ch = await client.exec(command);
  const out = await new Response(ch.stdout).text();
  expect((await ch.exit).code).toBe(0);
  return out;
}

describe.each(VERSIONS)("OpenSSH %s restricted to one cipher or MAC", (version) => {
  it.each(CIPHERS)("cipher %s", async (cipher) => {
    const s = await server(version, [`Ciphers ${cipher}`, "MACs hmac-sha2-256-etm@openssh.com"]);
    const client = await connectTo(s, key);
    expect(await exec(client, "echo cipher-ok")).toBe("cipher-ok\n");
    expect(client.algorithms.cipher).toEqual({ clientToServer: cipher, serverToClient: cipher });
    const aead = cipher.includes("gcm") || cipher.includes("chacha");
    expect(client.algorithms.mac.clientToServer).toBe(aead ? null : "hmac-sha2-256-etm@openssh.com");
    await client.close();
    expect(s.log()).toContain(`kex: client->server cipher: ${cipher}`);
    expect(s.log()).toContain(`kex: server->client cipher: ${cipher}`);
  });

  it.each(MACS)("MAC %s with aes128-ctr", async (mac) => {
    const s = await server(version, ["Ciphers aes128-ctr", `MACs ${mac}`]);
    const client = await connectTo(s, key);
    expect(await exec(client, "echo mac-ok")).toBe("mac-ok\n");
    await client.close();
    expect(s.log()).toMatch(new RegExp(`kex: client->server cipher: aes128-ctr MAC: ${mac.replace(/[.]/g, "\\.")} `));
  });

  it.each(NAMED_ONLY_MACS)("MAC %s only when named", async (mac) => {
    const s = await server(version, ["Ciphers aes128-ctr", `MACs ${mac}`]);
    const refused = await connectTo(s, key).catch((e: unknown) => e);
    expect((refused as Error).name).toBe("NegotiationError");
    const client = await connectTo(s, key, { algorithms: { mac: `+${mac}` } });
    expect(await exec(client, "echo sha1-ok")).toBe("sha1-ok\n");
    await client.close();
    expect(s.log()).toContain(`MAC: ${mac} `);
  });
});

describe("post-quantum key exchange against OpenSSH", () => {
  it("OpenSSH 10.0 with its default settings negotiates mlkem768x25519-sha256 with our defaults", async () => {
    const s = await server("10.0", []);
    const client = await connectTo(s, key);
    expect(client.algorithms.kex).toBe("mlkem768x25519-sha256");
    expect(await exec(client, "echo pq")).toBe("pq\n");
    await client.close();
    expect(s.log()).toMatch(/kex: algorithm: mlkem768x25519-sha256/);
  });

  const SNTRUP: [(typeof VERSIONS)[number], string][] = [
    ["9.2", "sntrup761x25519-sha512@openssh.com"],
    ["10.0", "sntrup761x25519-sha512"],
    ["10.0", "sntrup761x25519-sha512@openssh.com"],
  ];
  it.each(SNTRUP)("OpenSSH %s restricted to %s: exec, and a forced rekey in the middle of 64 MiB with sha256 intact", async (version, kex) => {
    const s = await server(version, [`KexAlgorithms ${kex}`]);
    const client = await connectTo(s, key);
    expect(client.algorithms.kex).toBe(kex);
    expect(await exec(client, "echo ntru")).toBe("ntru\n");
    const size = 64 * 1024 * 1024;
    const ch = await client.exec(`head -c ${size} /dev/urandom | tee >(sha256sum >&2)`);
    const hash = createHash("sha256");
    let seen = 0;
    let rekeyed: Promise<void> | null = null;
    const reader = ch.stdout.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      hash.update(value);
      seen += value.length;
      if (!rekeyed && seen > size / 2) rekeyed = client.rekey();
    }
    await rekeyed;
    const errText = await new Response(ch.stderr).text();
    expect((await ch.exit).code).toBe(0);
    expect(seen).toBe(size);
    expect(errText.split(" ")[0]).toBe(hash.digest("hex"));
    expect(client.kexCount).toBe(2);
    expect(client.algorithms.kex).toBe(kex);
    await client.close();
    expect(s.log().match(new RegExp(`kex: algorithm: ${kex.replace(/[.]/g, "\\.")}`, "g"))?.length).toBe(2);
  }, 120_000);
});
