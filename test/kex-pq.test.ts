/**
 * The hybrid post-quantum key exchanges: mlkem768x25519-sha256, sntrup761x25519-sha512 (both names).
 * Each method's client half runs against its server half over an in-memory pair of queues; known
 * answers pin the ephemeral keys and recompute Q_C, Q_S, K and H here from the primitives
 * (node:crypto X25519 and SHA-2, noble's ML-KEM with explicit seeds, the KAT-checked sntrup761).
 */
import { createHash, createPrivateKey, createPublicKey, diffieHellman } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { x25519 } from "@noble/curves/ed25519.js";
import { ml_kem768 } from "@noble/post-quantum/ml-kem.js";
import type { X25519KeyPair } from "../src/ssh/crypto/backend.js";
import { sntrup761Encapsulate, sntrup761KeyPair } from "../src/ssh/crypto/sntrup761.js";
import { ProtocolError } from "../src/ssh/errors.js";
import type { KexContext, KexMethod, KexResult, ServerHostKey } from "../src/ssh/kex/kex-method.js";
import { mlkem768x25519Sha256, mlkem768x25519Sha256With } from "../src/ssh/kex/mlkem768x25519.js";
import { sntrup761x25519Sha512, sntrup761x25519Sha512OpenSSH, sntrup761x25519Sha512With } from "../src/ssh/kex/sntrup761x25519.js";

// ---- wire helpers written here, not borrowed from the code under test

const u32 = (n: number): Uint8Array => Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));
const str = (b: Uint8Array | string): Uint8Array => {
  const bytes = typeof b === "string" ? new TextEncoder().encode(b) : b;
  return cat(u32(bytes.length), bytes);
};
const fill = (n: number, byte: number): Uint8Array => new Uint8Array(n).fill(byte);

const V_C = "SSH-2.0-mcp-ssh_test";
const V_S = "SSH-2.0-OpenSSH_10.0";
const I_C = cat(Uint8Array.of(20), fill(16, 0xc1), str("mlkem768x25519-sha256"));
const I_S = cat(Uint8Array.of(20), fill(16, 0x5e), str("mlkem768x25519-sha256"));
const K_S = cat(str("ssh-ed25519"), str(fill(32, 0x42)));
const SIGNATURE = cat(str("ssh-ed25519"), str(fill(64, 0x57)));

/** A server host key whose signature is a fixed blob; it records what it was asked to sign. */
function hostKey(): ServerHostKey & { signed: Uint8Array[] } {
  const signed: Uint8Array[] = [];
  return {
    blob: K_S,
    signed,
    async sign(data) {
      signed.push(data.slice());
      return SIGNATURE;
    },
  };
}

/** A queue of kex payloads: `receive` waits for the next `send`. */
class Queue {
  private items: Uint8Array[] = [];
  private waiters: ((m: Uint8Array) => void)[] = [];
  readonly sent: Uint8Array[] = [];
  push(m: Uint8Array): void {
    this.sent.push(m);
    const waiter = this.waiters.shift();
    if (waiter) waiter(m);
    else this.items.push(m);
  }
  pop(): Promise<Uint8Array> {
    const item = this.items.shift();
    return item ? Promise.resolve(item) : new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** Two KexContexts joined back to back: what one sends, the other receives. */
function contextPair(): { client: KexContext; server: KexContext; toServer: Queue; toClient: Queue } {
  const toServer = new Queue();
  const toClient = new Queue();
  const common = { clientVersion: V_C, serverVersion: V_S, clientKexInit: I_C, serverKexInit: I_S };
  return {
    client: { ...common, send: (m) => toServer.push(m), receive: () => toClient.pop() },
    server: { ...common, send: (m) => toClient.push(m), receive: () => toServer.pop() },
    toServer,
    toClient,
  };
}

async function exchange(clientMethod: KexMethod, serverMethod: KexMethod = clientMethod) {
  const { client, server, toServer, toClient } = contextPair();
  const key = hostKey();
  const [c, s] = await Promise.all([clientMethod.client(client), serverMethod.server(server, key)]);
  return { c, s, init: toServer.sent, reply: toClient.sent, signed: key.signed };
}

// ---- pinned ephemeral keys

const pkcs8X25519 = (secret: Uint8Array) =>
  createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b656e04220420", "hex"), secret]), format: "der", type: "pkcs8" });
const spkiX25519 = (pub: Uint8Array) =>
  createPublicKey({ key: Buffer.concat([Buffer.from("302a300506032b656e032100", "hex"), pub]), format: "der", type: "spki" });
/** X25519 public key and shared secret by node:crypto (OpenSSL), independent of the method's backend. */
const nodeX25519Public = (secret: Uint8Array): Uint8Array =>
  new Uint8Array(createPublicKey(pkcs8X25519(secret)).export({ format: "der", type: "spki" }).subarray(12));
const nodeX25519 = (secret: Uint8Array, peer: Uint8Array): Uint8Array =>
  new Uint8Array(diffieHellman({ privateKey: pkcs8X25519(secret), publicKey: spkiX25519(peer) }));

/** The method's X25519 side pinned to `secret` (computed with @noble/curves; refuses an all-zero result). */
const pinnedX25519 = (secret: Uint8Array) => async (): Promise<X25519KeyPair> => ({
  publicKey: x25519.getPublicKey(secret),
  async agree(peer) {
    const shared = x25519.getSharedSecret(secret, peer);
    if (shared.every((b) => b === 0)) throw new Error("all-zero X25519 secret");
    return shared;
  },
});

/** A random source that hands out `chunks` in order and insists on the sizes the adapter documents. */
function scripted(...chunks: Uint8Array[]): (n: number) => Uint8Array {
  return (n) => {
    const next = chunks.shift();
    if (!next || next.length !== n) throw new Error(`unexpected random(${n})`);
    return next.slice();
  };
}

/** A deterministic byte stream (SHA-256 in counter mode) for the sntrup761 draws. */
function stream(label: string): (n: number) => Uint8Array {
  let counter = 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let at = 0; at < n; at += 32) {
      const block = createHash("sha256").update(`${label}/${counter++}`).digest();
      out.set(block.subarray(0, Math.min(32, n - at)), at);
    }
    return out;
  };
}

const sha = (alg: "sha256" | "sha512", ...parts: Uint8Array[]): Uint8Array => {
  const h = createHash(alg);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

/** H per RFC 4253 §8 / RFC 5656 §4 with K already encoded (a string for the hybrids). */
const exchangeHash = (alg: "sha256" | "sha512", qc: Uint8Array, qs: Uint8Array, k: Uint8Array): Uint8Array =>
  sha(alg, str(V_C), str(V_S), str(I_C), str(I_S), str(K_S), str(qc), str(qs), k);

function expectAgreement(r: { c: KexResult; s: KexResult; signed: Uint8Array[] }, hashBytes: number): void {
  expect(r.c.sharedSecret).toEqual(r.s.sharedSecret);
  expect(r.c.exchangeHash).toEqual(r.s.exchangeHash);
  expect(r.c.exchangeHash.length).toBe(hashBytes);
  // K is string(HASH(...)): a 4-byte length, then the digest.
  expect(r.c.sharedSecret.length).toBe(4 + hashBytes);
  expect(r.c.sharedSecret.subarray(0, 4)).toEqual(u32(hashBytes));
  expect(r.c.hostKeyBlob).toEqual(K_S);
  expect(r.c.signature).toEqual(SIGNATURE);
  expect(r.signed).toEqual([r.s.exchangeHash]);
}

describe("hybrid kex: client half against server half", () => {
  const methods: [KexMethod, string, number][] = [
    [mlkem768x25519Sha256, "mlkem768x25519-sha256", 32],
    [sntrup761x25519Sha512, "sntrup761x25519-sha512", 64],
    [sntrup761x25519Sha512OpenSSH, "sntrup761x25519-sha512@openssh.com", 64],
  ];
  for (const [method, name, hashBytes] of methods) {
    it(`${name}: both sides reach the same K and H; fresh keys every exchange`, async () => {
      expect(method.name).toBe(name);
      expect(method.hash(new Uint8Array(0)).length).toBe(hashBytes);
      const first = await exchange(method);
      expectAgreement(first, hashBytes);
      const second = await exchange(method);
      expectAgreement(second, hashBytes);
      expect(second.init[0]).not.toEqual(first.init[0]);
      expect(second.reply[0]).not.toEqual(first.reply[0]);
      expect(second.c.sharedSecret).not.toEqual(first.c.sharedSecret);
    });
  }
});

describe("hybrid kex known answers (ephemeral keys pinned, K and H recomputed from the primitives)", () => {
  const clientX = fill(32, 0x11);
  const serverX = fill(32, 0x22);

  it("mlkem768x25519-sha256", async () => {
    const seed = Uint8Array.from({ length: 64 }, (_, i) => i);
    const message = Uint8Array.from({ length: 32 }, (_, i) => 0xa0 + i);
    const clientMethod = mlkem768x25519Sha256With({ random: scripted(seed), x25519KeyPair: pinnedX25519(clientX) });
    const serverMethod = mlkem768x25519Sha256With({ random: scripted(message), x25519KeyPair: pinnedX25519(serverX) });
    const r = await exchange(clientMethod, serverMethod);
    expectAgreement(r, 32);

    const { publicKey: ek } = ml_kem768.keygen(seed);
    const { cipherText, sharedSecret: kemSecret } = ml_kem768.encapsulate(ek, message);
    const qc = cat(ek, nodeX25519Public(clientX));
    const qs = cat(cipherText, nodeX25519Public(serverX));
    expect(qc.length).toBe(1184 + 32);
    expect(qs.length).toBe(1088 + 32);
    const k = str(sha("sha256", kemSecret, nodeX25519(clientX, nodeX25519Public(serverX))));
    expect(r.init).toEqual([cat(Uint8Array.of(30), str(qc))]);
    expect(r.reply).toEqual([cat(Uint8Array.of(31), str(K_S), str(qs), str(SIGNATURE))]);
    expect(r.c.sharedSecret).toEqual(k);
    expect(r.c.exchangeHash).toEqual(exchangeHash("sha256", qc, qs, k));
  });

  it("sntrup761x25519-sha512 (and the @openssh.com name, which differs only in name)", async () => {
    for (const name of ["sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com"]) {
      const clientMethod = sntrup761x25519Sha512With({ random: stream("client"), x25519KeyPair: pinnedX25519(clientX) }, name);
      const serverMethod = sntrup761x25519Sha512With({ random: stream("server"), x25519KeyPair: pinnedX25519(serverX) }, name);
      expect(clientMethod.name).toBe(name);
      const r = await exchange(clientMethod, serverMethod);
      expectAgreement(r, 64);

      // sntrup761 itself is held to the submission's KAT in test/sntrup761-kat.test.ts.
      const { publicKey } = sntrup761KeyPair(stream("client"));
      const { ciphertext, sharedSecret: kemSecret } = sntrup761Encapsulate(publicKey, stream("server"));
      const qc = cat(publicKey, nodeX25519Public(clientX));
      const qs = cat(ciphertext, nodeX25519Public(serverX));
      expect(qc.length).toBe(1158 + 32);
      expect(qs.length).toBe(1039 + 32);
      const k = str(sha("sha512", kemSecret, nodeX25519(clientX, nodeX25519Public(serverX))));
      expect(r.init).toEqual([cat(Uint8Array.of(30), str(qc))]);
      expect(r.reply).toEqual([cat(Uint8Array.of(31), str(K_S), str(qs), str(SIGNATURE))]);
      expect(r.c.sharedSecret).toEqual(k);
      expect(r.c.exchangeHash).toEqual(exchangeHash("sha512", qc, qs, k));
    }
  });
});

// ---- hostile peers

/** Run the server half on a hand-made KEX_ECDH_INIT carrying `qc`. */
async function serverGets(method: KexMethod, qc: Uint8Array): Promise<KexResult> {
  const { server, toServer } = contextPair();
  toServer.push(cat(Uint8Array.of(30), str(qc)));
  return method.server(server, hostKey());
}

/** Run the client half against a fake server that answers with `qs`. */
async function clientGets(method: KexMethod, qs: Uint8Array): Promise<KexResult> {
  const { client, toClient } = contextPair();
  const run = method.client(client);
  toClient.push(cat(Uint8Array.of(31), str(K_S), str(qs), str(SIGNATURE)));
  return run;
}

/** Low-order X25519 points whose product with any key is zero: 0 and 1 (RFC 7748 §6.1). */
const LOW_ORDER = [fill(32, 0), cat(Uint8Array.of(1), fill(31, 0))];

describe("hybrid kex refuses hostile values with ProtocolError", () => {
  const kems = [
    { method: mlkem768x25519Sha256, kem: "ML-KEM-768", pk: 1184, ct: 1088, publicKey: () => ml_kem768.keygen().publicKey },
    { method: sntrup761x25519Sha512, kem: "sntrup761", pk: 1158, ct: 1039, publicKey: () => sntrup761KeyPair().publicKey },
  ];
  for (const { method, kem, pk, ct, publicKey } of kems) {
    it(`${method.name}: wrong-length Q_C and Q_S`, async () => {
      for (const length of [0, 32, pk + 31, pk + 33]) {
        const failure = serverGets(method, fill(length, 7));
        await expect(failure).rejects.toBeInstanceOf(ProtocolError);
        await expect(failure).rejects.toThrow(`client's ${kem} + X25519 value (Q_C) is ${length} bytes, not ${pk + 32}`);
      }
      for (const length of [0, ct + 31, ct + 33]) {
        const failure = clientGets(method, fill(length, 7));
        await expect(failure).rejects.toBeInstanceOf(ProtocolError);
        await expect(failure).rejects.toThrow(`server's ${kem} + X25519 reply value (Q_S) is ${length} bytes, not ${ct + 32}`);
      }
    });

    it(`${method.name}: a low-order X25519 key (all-zero shared secret) from either side`, async () => {
      for (const point of LOW_ORDER) {
        const failure = serverGets(method, cat(publicKey(), point));
        await expect(failure).rejects.toBeInstanceOf(ProtocolError);
        await expect(failure).rejects.toThrow(/client's X25519 public key is invalid or of low order/);
        const reply = clientGets(method, cat(fill(ct, 3), point));
        await expect(reply).rejects.toBeInstanceOf(ProtocolError);
        await expect(reply).rejects.toThrow(/server's X25519 public key is invalid or of low order/);
      }
    });
  }

  it("mlkem768x25519-sha256: an ML-KEM key with a coefficient >= q (FIPS 203 §7.2 check)", async () => {
    const ek = ml_kem768.keygen().publicKey.slice();
    ek[0] = 0xff; // the first 12-bit coefficient becomes 0x?ff | 0xf00 >= 3329
    ek[1] |= 0x0f;
    const failure = serverGets(mlkem768x25519Sha256, cat(ek, nodeX25519Public(fill(32, 9))));
    await expect(failure).rejects.toBeInstanceOf(ProtocolError);
    await expect(failure).rejects.toThrow("client's ML-KEM-768 public key is invalid");
  });

  it("a tampered KEM ciphertext is not an error at the kex but gives the two sides different K", async () => {
    for (const method of [mlkem768x25519Sha256, sntrup761x25519Sha512]) {
      const { client, server, toClient } = contextPair();
      // A man in the middle flips one ciphertext bit in KEX_ECDH_REPLY.
      const tamperedClient: KexContext = {
        ...client,
        async receive() {
          const reply = (await toClient.pop()).slice();
          reply[1 + 4 + K_S.length + 4 + 10] ^= 1;
          return reply;
        },
      };
      const [c, s] = await Promise.all([method.client(tamperedClient), method.server(server, hostKey())]);
      expect(c.sharedSecret.length).toBe(s.sharedSecret.length);
      expect(c.sharedSecret).not.toEqual(s.sharedSecret);
      expect(c.exchangeHash).not.toEqual(s.exchangeHash);
    }
  });
});

describe("hybrid kex code is loaded only when negotiated", () => {
  it("the method modules import the KEMs dynamically, never statically", () => {
    const mlkem = readFileSync(new URL("../src/ssh/kex/mlkem768x25519.ts", import.meta.url), "utf8");
    const sntrup = readFileSync(new URL("../src/ssh/kex/sntrup761x25519.ts", import.meta.url), "utf8");
    expect(mlkem).toContain('await import("@noble/post-quantum/ml-kem.js")');
    expect(sntrup).toContain('await import("../crypto/sntrup761.js")');
    for (const source of [mlkem, sntrup]) {
      expect(source).not.toMatch(/^import[^;]*post-quantum/m);
      expect(source).not.toMatch(/^import[^;]*crypto\/sntrup761/m);
    }
  });
});
