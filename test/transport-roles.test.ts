// Issue 15: one transport, two roles. Our client transport and our server transport complete key
// exchanges against each other in memory (no sockets), rekey from either side, derive matching keys
// in both directions, and answer what they do not implement with UNIMPLEMENTED. A cipher row that
// only this test registers is offered and negotiated without any other file changing.
import { afterEach, describe, expect, it } from "vitest";
import { MSG } from "../src/ssh/messages.js";
import { ciphers } from "../src/ssh/algorithms/ciphers.js";
import { offeredAlgorithms } from "../src/ssh/algorithms/offer.js";
import { MAC_FAILURE, type CipherFactory, type PacketCipher } from "../src/ssh/cipher/cipher.js";
import { ProtocolError } from "../src/ssh/errors.js";
import { transportPair, type TransportPair } from "./helpers/transport-pair.js";

const pairs: TransportPair[] = [];
afterEach(async () => {
  for (const p of pairs.splice(0)) await p.close().catch(() => {});
});
async function pair(...args: Parameters<typeof transportPair>): Promise<TransportPair> {
  const p = await transportPair(...args);
  pairs.push(p);
  return p;
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("client and server transports of the same code", () => {
  it("agree on the session id and the host key, and the server's EXT_INFO reaches the client", async () => {
    const p = await pair();
    expect(p.client.sessionId).not.toBeNull();
    expect(p.client.sessionId).toEqual(p.server.sessionId);
    expect(p.client.hostKeyBlob).toEqual(p.hostKeyBlob);
    expect(p.client.algorithms).toEqual({
      kex: "curve25519-sha256",
      hostKey: "ssh-ed25519",
      cipher: { clientToServer: "chacha20-poly1305@openssh.com", serverToClient: "chacha20-poly1305@openssh.com" },
      mac: { clientToServer: null, serverToClient: null },
    });
    expect(p.server.algorithms).toEqual(p.client.algorithms);
    await until(() => p.client.peerSigAlgs !== undefined, "EXT_INFO");
    expect(p.client.peerSigAlgs).toEqual(["ssh-ed25519"]);
  });

  it("an unanswered message gets one IGNORE back to carry the ACK; an IGNORE gets none, so two of our transports never nudge each other in a loop", async () => {
    const p = await pair();
    await until(() => p.client.peerSigAlgs !== undefined, "EXT_INFO");
    const settle = async () => {
      // Quiet for 100 ms: whatever a message set off is over.
      for (let last = -1; last !== p.written.client + p.written.server; ) {
        last = p.written.client + p.written.server;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await settle();
    const before = { client: p.written.client, server: p.written.server };
    await p.client.send(Uint8Array.from([MSG.USERAUTH_REQUEST, 9]));
    await until(() => p.received.server.length === 1, "the message");
    await settle();
    // The server sent exactly one small packet (the IGNORE nudge under chacha20-poly1305: 4-byte
    // length, then padding length, 5 bytes of payload and 10 of padding, a multiple of 8 with at
    // least 4 of padding, then the 16-byte tag: 36 bytes); the client answered it with nothing.
    expect(p.written.server - before.server).toBe(36);
    const clientSent = p.written.client - before.client;
    await new Promise((r) => setTimeout(r, 300));
    expect(p.written.client - before.client).toBe(clientSent);
    expect(p.written.server - before.server).toBe(36);
  });

  it("carries messages both ways, through rekeys started by either side", async () => {
    const p = await pair();
    const msg = (n: number) => Uint8Array.from([MSG.USERAUTH_REQUEST, n]);
    await p.client.send(msg(1));
    await p.server.send(msg(2));
    await p.client.rekey();
    expect(p.client.kexCount).toBe(2);
    await p.client.send(msg(3));
    await p.server.rekey();
    await p.server.send(msg(4));
    await p.client.send(msg(5));
    await until(() => p.received.server.length === 3 && p.received.client.length === 2, "all messages");
    expect(p.received.server.map((m) => m[1])).toEqual([1, 3, 5]);
    expect(p.received.client.map((m) => m[1])).toEqual([2, 4]);
    expect(p.server.kexCount).toBe(3);
    expect(p.client.kexCount).toBe(3);
  });

  it("answers a message number it does not implement with UNIMPLEMENTED naming that packet's sequence number", async () => {
    const p = await pair();
    const warnings: string[] = [];
    // The client logs the server's UNIMPLEMENTED at warn level with the sequence number it names.
    (p.client as unknown as { opts: { logger: { warn: (m: string) => void } } }).opts.logger = {
      ...(p.client as unknown as { opts: { logger: object } }).opts.logger,
      warn: (m: string) => void warnings.push(m),
    } as never;
    const seqBefore = (p.client as unknown as { encoder: { seq: number } }).encoder.seq;
    await p.client.send(Uint8Array.from([15, 1, 2, 3])); // 15: reserved transport number, implemented by nobody
    await until(() => warnings.length > 0, "UNIMPLEMENTED");
    expect(warnings[0]).toContain(`#${seqBefore}`);
    // The session goes on.
    await p.client.send(Uint8Array.from([MSG.USERAUTH_REQUEST, 9]));
    await until(() => p.received.server.length === 1, "the next message");
  });

  it("negotiates a cipher row that only this test registers, with no other file touched", async () => {
    // A test-only cipher: XOR with the first key byte and a 4-byte additive tag; AEAD-shaped.
    const name = "xor-test@mcp-ssh.invalid";
    const xor: CipherFactory = {
      name,
      keyLength: 16,
      ivLength: 0,
      aead: true,
      create(key): PacketCipher {
        const k = key[0]! | 1;
        const tagOf = (buf: Uint8Array, end: number, seq: number) => {
          let t = seq >>> 0;
          for (let i = 0; i < end; i++) t = (t * 31 + buf[i]!) >>> 0;
          return t;
        };
        return {
          name,
          blockSize: 8,
          lengthInAlignment: false,
          tagLength: 4,
          headLength: 4,
          seal(seq, buf) {
            const end = buf.length - 4;
            for (let i = 4; i < end; i++) buf[i]! ^= k;
            new DataView(buf.buffer, buf.byteOffset).setUint32(end, tagOf(buf, end, seq));
          },
          decryptLength: (_seq, head) => new DataView(head.buffer, head.byteOffset).getUint32(0),
          open(seq, buf) {
            const end = buf.length - 4;
            if (new DataView(buf.buffer, buf.byteOffset).getUint32(end) !== tagOf(buf, end, seq)) throw new ProtocolError(MAC_FAILURE);
            for (let i = 4; i < end; i++) buf[i]! ^= k;
            return buf.subarray(4, end);
          },
        };
      },
    };
    ciphers.add(name, xor, { byDefault: false });
    try {
      // Named by the caller, it is offered (and not by default).
      expect(offeredAlgorithms({ cipher: [name] }).cipher).toEqual([name]);
      expect(offeredAlgorithms().cipher).not.toContain(name);
      expect(offeredAlgorithms({ cipher: `+${name}` }).cipher.at(-1)).toBe(name);
      const p = await pair({ client: { cipher: [name] }, server: { cipher: ["chacha20-poly1305@openssh.com", name] } });
      expect(p.client.algorithms?.cipher).toEqual({ clientToServer: name, serverToClient: name });
      await p.client.send(Uint8Array.from([MSG.USERAUTH_REQUEST, 42]));
      await until(() => p.received.server.length === 1, "a message under the test cipher");
      expect([...p.received.server[0]!]).toEqual([MSG.USERAUTH_REQUEST, 42]);
    } finally {
      ciphers.remove(name);
    }
  });

  it("a cipher offered by one side only is a NegotiationError that names both lists", async () => {
    await expect(pair({ client: { kex: ["curve25519-sha256@libssh.org"] }, server: { kex: ["curve25519-sha256"] } })).rejects.toThrow(
      /no common kex algorithm: we offer \[curve25519-sha256@libssh.org\], the server offers \[curve25519-sha256\]/,
    );
  });
});

describe("the OpenSSH forms of algorithms.*", () => {
  it("+ appends, - removes by pattern, ^ puts first, a plain list is exact; unknown names are refused", () => {
    const d = offeredAlgorithms().kex;
    expect(offeredAlgorithms({ kex: "-curve25519-sha256@*" }).kex).toEqual(d.filter((a) => a !== "curve25519-sha256@libssh.org"));
    expect(offeredAlgorithms({ kex: ["^curve25519-sha256@libssh.org"] }).kex[0]).toBe("curve25519-sha256@libssh.org");
    expect(offeredAlgorithms({ kex: ["curve25519-sha256"] }).kex).toEqual(["curve25519-sha256"]);
    expect(() => offeredAlgorithms({ kex: ["diffie-hellman-group1-sha42"] })).toThrow(/algorithms.kex: "diffie-hellman-group1-sha42" is not supported \(supported: /);
    expect(() => offeredAlgorithms({ cipher: [] })).toThrow(/algorithms.cipher must not be empty/);
  });

  it("the same forms for host keys, ciphers, MACs and user-key algorithms; a '-' that removes everything is refused", () => {
    const d = offeredAlgorithms();
    expect(offeredAlgorithms({ hostKey: "-ecdsa-*" }).hostKey).toEqual(d.hostKey.filter((a) => !a.startsWith("ecdsa-")));
    expect(offeredAlgorithms({ hostKey: "^rsa-sha2-256" }).hostKey).toEqual(["rsa-sha2-256", ...d.hostKey.filter((a) => a !== "rsa-sha2-256")]);
    expect(offeredAlgorithms({ hostKey: "+ssh-rsa" }).hostKey).toEqual([...d.hostKey, "ssh-rsa"]);
    expect(offeredAlgorithms({ cipher: "-aes*-ctr" }).cipher).toEqual(d.cipher.filter((a) => !/^aes\d+-ctr$/.test(a)));
    expect(offeredAlgorithms({ cipher: "^aes128-ctr,aes256-ctr" }).cipher.slice(0, 2)).toEqual(["aes128-ctr", "aes256-ctr"]);
    expect(offeredAlgorithms({ cipher: "aes256-gcm@openssh.com,aes128-ctr" }).cipher).toEqual(["aes256-gcm@openssh.com", "aes128-ctr"]);
    expect(offeredAlgorithms({ mac: "-*-etm@openssh.com" }).mac).toEqual(d.mac.filter((a) => !a.endsWith("-etm@openssh.com")));
    expect(offeredAlgorithms({ mac: "+hmac-sha1" }).mac).toEqual([...d.mac, "hmac-sha1"]);
    expect(offeredAlgorithms({ publicKey: "-rsa-sha2-*" }).publicKey).toEqual(d.publicKey.filter((a) => !a.startsWith("rsa-sha2-")));
    expect(offeredAlgorithms({ publicKey: "^rsa-sha2-256" }).publicKey[0]).toBe("rsa-sha2-256");
    // ssh(1) refuses a list that leaves nothing ("Bad SSH2 cipher spec"); so do we, at once,
    // instead of offering an empty list and failing at negotiation. MACs may be empty (AEAD ciphers).
    for (const category of ["kex", "hostKey", "cipher", "publicKey"] as const) {
      expect(() => offeredAlgorithms({ [category]: "-*" })).toThrow(new RegExp(`algorithms.${category} "-\\*" removes every algorithm \\(supported: `));
    }
    expect(offeredAlgorithms({ mac: "-*" }).mac).toEqual([]);
  });

  it("the kex offer never contains a name we cannot run (marker pseudo-names come from the role)", () => {
    for (const name of offeredAlgorithms().kex) expect(name).not.toMatch(/^(ext-info|kex-strict)/);
  });
});
