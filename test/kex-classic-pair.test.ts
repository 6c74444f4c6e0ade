// Every classic kex method, our client transport against our server transport in memory: the
// exchange completes, both sides hold the same session id, messages pass, and a rekey with the
// same method works. The table's order is OpenSSH 10's, and the SHA-1 methods are offered only
// when named.
import { afterEach, describe, expect, it } from "vitest";
import { kexMethods } from "../src/ssh/algorithms/kex.js";
import { offeredAlgorithms } from "../src/ssh/algorithms/offer.js";
import { NegotiationError } from "../src/ssh/errors.js";
import { transportPair, type TransportPair } from "./helpers/transport-pair.js";
import { CLASSIC_KEX as METHODS } from "./kex-classic-support.js";

const pairs: TransportPair[] = [];
afterEach(async () => {
  for (const p of pairs.splice(0)) await p.close().catch(() => {});
});

async function until(cond: () => boolean, what: string, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}


describe("classic kex methods, client and server transports in memory", () => {
  for (const name of METHODS) {
    it(`${name}: handshake, a message each way, a rekey`, async () => {
      const p = await transportPair({ client: { kex: [name] }, server: { kex: [name] } });
      pairs.push(p);
      expect(p.client.algorithms?.kex).toBe(name);
      expect(p.server.algorithms?.kex).toBe(name);
      expect(p.client.sessionId).not.toBeNull();
      expect(p.client.sessionId).toEqual(p.server.sessionId);
      // The session id is H, whose length is the method's hash length.
      expect(p.client.sessionId!.length).toBe(kexMethods.get(name)!.hash(new Uint8Array(0)).length);
      await p.client.send(Uint8Array.from([50, 1]));
      await p.server.send(Uint8Array.from([50, 2]));
      await p.client.rekey();
      await p.client.send(Uint8Array.from([50, 3]));
      await until(() => p.received.server.length === 2 && p.received.client.length === 1, "messages");
      expect(p.received.server.map((m) => m[1])).toEqual([1, 3]);
      expect(p.client.kexCount).toBe(2);
    }, 60_000);
  }

  it("the client's first choice wins when the server has several", async () => {
    const p = await transportPair({
      client: { kex: ["ecdh-sha2-nistp384", "curve25519-sha256"] },
      server: { kex: ["curve25519-sha256", "diffie-hellman-group14-sha256", "ecdh-sha2-nistp384"] },
    });
    pairs.push(p);
    expect(p.server.algorithms?.kex).toBe("ecdh-sha2-nistp384");
  });
});

describe("the kex table", () => {
  it("lists our defaults in OpenSSH 10's order after the curve25519 rows", () => {
    // `ssh -G` of OpenSSH 10.0p2: mlkem768x25519-sha256, sntrup761x25519-sha512(@openssh.com), then these.
    const openssh10 = [
      "curve25519-sha256",
      "curve25519-sha256@libssh.org",
      "ecdh-sha2-nistp256",
      "ecdh-sha2-nistp384",
      "ecdh-sha2-nistp521",
      "diffie-hellman-group-exchange-sha256",
      "diffie-hellman-group16-sha512",
      "diffie-hellman-group18-sha512",
      "diffie-hellman-group14-sha256",
    ];
    const ours = offeredAlgorithms().kex.filter((n) => openssh10.includes(n));
    expect(ours).toEqual(openssh10);
    // Nothing classic comes after what OpenSSH 10 offers by default.
    expect(offeredAlgorithms().kex.slice(-openssh10.length + 2)).toEqual(openssh10.slice(2));
  });

  it("offers the SHA-1 and 1024-bit methods only when named", () => {
    const defaults = offeredAlgorithms().kex;
    for (const n of ["diffie-hellman-group14-sha1", "diffie-hellman-group1-sha1", "diffie-hellman-group-exchange-sha1"]) {
      expect(defaults).not.toContain(n);
      expect(kexMethods.names).toContain(n);
      expect(offeredAlgorithms({ kex: [n] }).kex).toEqual([n]);
      expect(offeredAlgorithms({ kex: `+${n}` }).kex).toEqual([...defaults, n]);
    }
  });

  it("a server that has only group1-sha1 cannot be reached with the defaults", async () => {
    const err = await transportPair({ client: { kex: offeredAlgorithms().kex }, server: { kex: ["diffie-hellman-group1-sha1"] } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NegotiationError);
  });
});
