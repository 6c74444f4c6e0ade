import { createCipheriv, randomBytes as nodeRandomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { afterEach, describe, expect, it } from "vitest";
import { registerAesBackend, aesBackend, type AesBackend, type HmacHash } from "../src/ssh/cipher/aes-backend.js";
import { nobleAesBackend } from "../src/ssh/cipher/aes-noble.js";
import { aes128Ctr, aes192Ctr, aes256Ctr, AesCtrCipher } from "../src/ssh/cipher/aes-ctr.js";
import { aes128Gcm, aes256Gcm, AesGcmCipher } from "../src/ssh/cipher/aes-gcm.js";
import { MAC_FAILURE, type CipherFactory, type MacAlgorithm, type PacketCipher } from "../src/ssh/cipher/cipher.js";
import { ProtocolError } from "../src/ssh/errors.js";
import { hmacSha1, hmacSha1Etm, hmacSha256, hmacSha256Etm, hmacSha512, hmacSha512Etm } from "../src/ssh/mac/hmac.js";
import { PacketDecoder } from "../src/ssh/packet/packet-decoder.js";
import { PacketEncoder } from "../src/ssh/packet/packet-encoder.js";
import { installNodeAes, nodeAesBackend } from "../src/platform/node/aes-node.js";

// Known answers from the standards (NIST SP 800-38A, the GCM spec's test cases, RFC 4231, RFC 2202),
// reached through our backends; packet-level answers from ssh2's ciphers and from node:crypto
// following RFC 5647 by hand, never from our own code.

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s/g, ""), "hex"));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const backends: AesBackend[] = [nobleAesBackend, nodeAesBackend];

afterEach(() => registerAesBackend(null));

// NIST SP 800-38A F.5.1, F.5.3, F.5.5 (CTR-AES128/192/256.Encrypt); all share counter and plaintext.
const CTR_COUNTER = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
const CTR_PLAIN = `6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
  30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710`;
const CTR_VECTORS = [
  {
    name: "F.5.1 AES-128",
    key: "2b7e151628aed2a6abf7158809cf4f3c",
    cipher: `874d6191b620e3261bef6864990db6ce 9806f66b7970fdff8617187bb9fffdff
      5ae4df3edbd5d35e5b4f09020db03eab 1e031dda2fbe03d1792170a0f3009cee`,
  },
  {
    name: "F.5.3 AES-192",
    key: "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
    cipher: `1abc932417521ca24f2b0459fe7e6e0b 090339ec0aa6faefd5ccc2c6f4ce8e94
      1e36b26bd1ebc670d1bd1d665620abf7 4f78a7f6d29809585a97daec58c6b050`,
  },
  {
    name: "F.5.5 AES-256",
    key: "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
    cipher: `601ec313775789a5b7a7f504bbf3d228 f443e3ca4d62b59aca84e990cacaf5c5
      2b0930daa23de94ce87017ba2d84988d dfc9c58db67aada613c2dd08457941a6`,
  },
];

// The GCM specification (McGrew and Viega), test cases 2-4 (AES-128) and 14-16 (AES-256).
const GCM_P = `d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72
  1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255`;
const GCM_P60 = GCM_P.replace(/\s/g, "").slice(0, 120);
const GCM_A = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
const K128 = "feffe9928665731c6d6a8f9467308308";
const GCM_VECTORS = [
  { tc: 2, key: "00".repeat(16), iv: "00".repeat(12), p: "00".repeat(16), a: "", c: "0388dace60b6a392f328c2b971b2fe78", t: "ab6e47d42cec13bdf53a67b21257bddf" },
  {
    tc: 3, key: K128, iv: "cafebabefacedbaddecaf888", p: GCM_P, a: "",
    c: `42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e
      21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985`,
    t: "4d5c2af327cd64a62cf35abd2ba6fab4",
  },
  {
    tc: 4, key: K128, iv: "cafebabefacedbaddecaf888", p: GCM_P60, a: GCM_A,
    c: `42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e
      21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091`,
    t: "5bc94fbc3221a5db94fae95ae7121a47",
  },
  { tc: 14, key: "00".repeat(32), iv: "00".repeat(12), p: "00".repeat(16), a: "", c: "cea7403d4d606b6e074ec5d3baf39d18", t: "d0d1c8a799996bf0265b98b5d48ab919" },
  {
    tc: 15, key: K128 + K128, iv: "cafebabefacedbaddecaf888", p: GCM_P, a: "",
    c: `522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa
      8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad`,
    t: "b094dac5d93471bdec1a502270e3cc6c",
  },
  {
    tc: 16, key: K128 + K128, iv: "cafebabefacedbaddecaf888", p: GCM_P60, a: GCM_A,
    c: `522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa
      8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662`,
    t: "76fc6ece0f4e1768cddf8853bb2d551b",
  },
];

// RFC 4231 test cases 1, 2, 3, 6 (SHA-256, SHA-512) and RFC 2202 test cases 1, 2, 3, 6 (SHA-1).
const HMAC_INPUTS = [
  { key: "0b".repeat(20), data: toHex(ascii("Hi There")) },
  { key: toHex(ascii("Jefe")), data: toHex(ascii("what do ya want for nothing?")) },
  { key: "aa".repeat(20), data: "dd".repeat(50) },
];
const LARGE_KEY_DATA = toHex(ascii("Test Using Larger Than Block-Size Key - Hash Key First"));
const HMAC_VECTORS: { hash: HmacHash; key: string; data: string; mac: string }[] = [
  { hash: "sha256", ...HMAC_INPUTS[0]!, mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
  { hash: "sha256", ...HMAC_INPUTS[1]!, mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
  { hash: "sha256", ...HMAC_INPUTS[2]!, mac: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
  { hash: "sha256", key: "aa".repeat(131), data: LARGE_KEY_DATA, mac: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
  {
    hash: "sha512", ...HMAC_INPUTS[0]!,
    mac: "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
  },
  {
    hash: "sha512", ...HMAC_INPUTS[1]!,
    mac: "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
  },
  {
    hash: "sha512", ...HMAC_INPUTS[2]!,
    mac: "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb",
  },
  {
    hash: "sha512", key: "aa".repeat(131), data: LARGE_KEY_DATA,
    mac: "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
  },
  { hash: "sha1", ...HMAC_INPUTS[0]!, mac: "b617318655057264e28bc0b6fb378c8ef146be00" },
  { hash: "sha1", ...HMAC_INPUTS[1]!, mac: "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
  { hash: "sha1", ...HMAC_INPUTS[2]!, mac: "125d7342b9ac11cd91a39af48aa17b4f63f175d3" },
  { hash: "sha1", key: "aa".repeat(80), data: LARGE_KEY_DATA, mac: "aa4ae5e15272d00e95705637ce8a3b55ed402112" },
];

/** AES-ECB from OpenSSL: keystream blocks for any counter value, independent of our CTR code. */
function ecb(key: Uint8Array, block: Uint8Array): Uint8Array {
  const c = createCipheriv(`aes-${key.length * 8}-ecb`, key, null);
  c.setAutoPadding(false);
  return new Uint8Array(c.update(block));
}

/** An unaligned copy (odd byteOffset), as socket reads deliver packets. */
function unaligned(b: Uint8Array): Uint8Array {
  const big = new Uint8Array(b.length + 1);
  big.set(b, 1);
  return big.subarray(1);
}

for (const backend of backends) {
  describe(`AES backend ${backend.name}: known answers`, () => {
    for (const v of CTR_VECTORS) {
      it(`CTR ${v.name} (SP 800-38A), in pieces, continuing the counter`, () => {
        const data = hex(CTR_PLAIN);
        const s = backend.ctr(hex(v.key), hex(CTR_COUNTER));
        s.update(data.subarray(0, 16));
        s.update(unaligned(data.subarray(16, 48)).fill(0)); // a throwaway view: the stream still advances
        s.update(data.subarray(48));
        expect(toHex(data.subarray(0, 16))).toBe(toHex(hex(v.cipher).subarray(0, 16)));
        expect(toHex(data.subarray(48))).toBe(toHex(hex(v.cipher).subarray(48)));
        const whole = hex(CTR_PLAIN);
        backend.ctr(hex(v.key), hex(CTR_COUNTER)).update(whole);
        expect(toHex(whole)).toBe(toHex(hex(v.cipher)));
        // and back (CTR decryption is the same operation), on an unaligned view
        const back = unaligned(hex(v.cipher));
        backend.ctr(hex(v.key), hex(CTR_COUNTER)).update(back);
        expect(toHex(back)).toBe(toHex(hex(CTR_PLAIN)));
        // xor: the same stream, the result wherever the backend put it, mixed with update
        const x = backend.ctr(hex(v.key), hex(CTR_COUNTER));
        const first = x.xor(unaligned(hex(v.cipher).subarray(0, 32)));
        const rest = hex(v.cipher).subarray(32);
        x.update(rest);
        expect(toHex(first) + toHex(rest)).toBe(toHex(hex(CTR_PLAIN)));
      });
    }

    it("CTR carries across the whole 128-bit counter block (and wraps at 2^128)", () => {
      const key = hex("000102030405060708090a0b0c0d0e0f");
      for (const start of ["00ffffffffffffffffffffffffffffff", "0000000000000000ffffffffffffffff", "ffffffffffffffffffffffffffffffff"]) {
        const counters = [hex(start)];
        // the next two counter blocks, computed with BigInt (mod 2^128)
        for (let i = 1; i < 3; i++) {
          const n = (BigInt("0x" + start) + BigInt(i)) % (1n << 128n);
          counters.push(hex(n.toString(16).padStart(32, "0")));
        }
        const expected = Buffer.concat(counters.map((c) => ecb(key, c)));
        const data = new Uint8Array(48);
        backend.ctr(key, hex(start)).update(data);
        expect(toHex(data)).toBe(expected.toString("hex"));
      }
    });

    for (const v of GCM_VECTORS) {
      it(`GCM test case ${v.tc}: seal and open`, () => {
        const key = backend.gcm(hex(v.key));
        const data = hex(v.p);
        const tag = new Uint8Array(16);
        key.seal(hex(v.iv), hex(v.a), data, tag);
        expect(toHex(data)).toBe(toHex(hex(v.c)));
        expect(toHex(tag)).toBe(v.t);
        // the same key object again (per-key state must not leak between packets), unaligned
        const again = unaligned(hex(v.p));
        key.seal(hex(v.iv), hex(v.a), again, tag);
        expect(toHex(again)).toBe(toHex(hex(v.c)));
        expect(toHex(tag)).toBe(v.t);
        const ct = unaligned(hex(v.c));
        expect(key.open(hex(v.iv), hex(v.a), ct, hex(v.t))).toBe(true);
        expect(toHex(ct)).toBe(toHex(hex(v.p)));
        // decrypt: the plaintext wherever the backend put it
        const plain = key.decrypt(hex(v.iv), hex(v.a), unaligned(hex(v.c)), hex(v.t));
        expect(plain && toHex(plain)).toBe(toHex(hex(v.p)));
      });
    }

    it("GCM open refuses a wrong tag, AAD, IV or ciphertext and leaves the data alone", () => {
      const v = GCM_VECTORS[2]!;
      const key = backend.gcm(hex(v.key));
      const cases: [string, string, string, string][] = [
        [v.iv, v.a, v.c, "5bc94fbc3221a5db94fae95ae7121a46"],
        [v.iv, "ff" + GCM_A.slice(2), v.c, v.t],
        ["cafebabefacedbaddecaf889", v.a, v.c, v.t],
        [v.iv, v.a, "43" + v.c.replace(/\s/g, "").slice(2), v.t],
      ];
      for (const [iv, a, c, t] of cases) {
        const data = hex(c);
        expect(key.open(hex(iv), hex(a), data, hex(t))).toBe(false);
        expect(toHex(data)).toBe(toHex(hex(c)));
        expect(key.decrypt(hex(iv), hex(a), data, hex(t))).toBe(null);
        expect(toHex(data)).toBe(toHex(hex(c)));
      }
    });

    for (const v of HMAC_VECTORS) {
      it(`HMAC-${v.hash.toUpperCase()} ${v.mac.slice(0, 8)}... (RFC ${v.hash === "sha1" ? 2202 : 4231})`, () => {
        // Our MAC always starts with uint32 seq: the vector's first 4 bytes are that sequence number.
        const data = hex(v.data);
        const seq = new DataView(data.buffer).getUint32(0);
        const out = new Uint8Array(v.mac.length / 2);
        const k = backend.hmac(v.hash, hex(v.key));
        k.mac(seq, data.subarray(4), null, out);
        expect(toHex(out)).toBe(v.mac);
        // split in two parts, same key object again
        const cut = 4 + Math.floor((data.length - 4) / 2);
        out.fill(0);
        k.mac(seq, data.subarray(4, cut), data.subarray(cut), out);
        expect(toHex(out)).toBe(v.mac);
      });
    }
  });
}

describe("both AES backends give identical bytes", () => {
  it("on random keys, IVs, lengths and AAD", () => {
    for (let trial = 0; trial < 40; trial++) {
      const keyLen = [16, 24, 32][trial % 3]!;
      const key = new Uint8Array(nodeRandomBytes(keyLen));
      const iv16 = new Uint8Array(nodeRandomBytes(16));
      const len = 16 * (1 + (trial * 7) % 70);
      const plain = new Uint8Array(nodeRandomBytes(len));
      const outs = backends.map((b) => {
        const d = plain.slice();
        const s = b.ctr(key, iv16);
        s.update(d.subarray(0, 16));
        s.update(d.subarray(16));
        return toHex(d);
      });
      expect(outs[0]).toBe(outs[1]);
      const iv12 = iv16.subarray(0, 12);
      const aad = new Uint8Array(nodeRandomBytes(trial % 20));
      const gcmOuts = backends.map((b) => {
        const d = plain.subarray(0, len - (trial % 16)).slice();
        const tag = new Uint8Array(16);
        b.gcm(key).seal(iv12, aad, d, tag);
        return toHex(d) + toHex(tag);
      });
      expect(gcmOuts[0]).toBe(gcmOuts[1]);
      for (const hash of ["sha1", "sha256", "sha512"] as HmacHash[]) {
        const macOuts = backends.map((b) => {
          const out = new Uint8Array(hash === "sha1" ? 20 : hash === "sha256" ? 32 : 64);
          b.hmac(hash, key).mac(trial * 0x01010101, plain, aad, out);
          return toHex(out);
        });
        expect(macOuts[0]).toBe(macOuts[1]);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Packet level

const ssh2crypto = createRequire(import.meta.url)("ssh2/lib/protocol/crypto.js");

const CIPHERS: CipherFactory[] = [aes128Gcm, aes256Gcm, aes128Ctr, aes192Ctr, aes256Ctr];
const MACS: MacAlgorithm[] = [hmacSha256Etm, hmacSha512Etm, hmacSha256, hmacSha512, hmacSha1, hmacSha1Etm];

interface Combo {
  label: string;
  factory: CipherFactory;
  mac: MacAlgorithm | null;
}
const COMBOS: Combo[] = CIPHERS.flatMap((factory): Combo[] =>
  factory.aead ? [{ label: factory.name, factory, mac: null }] : MACS.map((mac) => ({ label: `${factory.name} + ${mac.name}`, factory, mac })),
);

interface Keys {
  key: Uint8Array;
  iv: Uint8Array;
  macKey: Uint8Array;
}
function keysFor(c: Combo, salt = 0): Keys {
  const fill = (n: number, m: number) => Uint8Array.from({ length: n }, (_, i) => (i * m + 7 + salt) & 0xff);
  return { key: fill(c.factory.keyLength, 13), iv: fill(c.factory.ivLength, 29), macKey: fill(c.mac?.keyLength ?? 0, 41) };
}
function create(c: Combo, k: Keys): PacketCipher {
  return c.factory.create(k.key, k.iv, c.mac ? { algorithm: c.mac, key: k.macKey } : undefined);
}

/** A plaintext packet laid out as the encoder does for `cipher` (padding bytes deterministic). */
function plainPacket(cipher: PacketCipher, payload: Uint8Array): Uint8Array {
  const block = cipher.blockSize;
  const unpadded = (cipher.lengthInAlignment ? 4 : 0) + 1 + payload.length;
  let pad = block - (unpadded % block);
  if (pad < 4) pad += block;
  const len = 1 + payload.length + pad;
  const buf = new Uint8Array(4 + len + cipher.tagLength);
  new DataView(buf.buffer).setUint32(0, len);
  buf[4] = pad;
  buf.set(payload, 5);
  for (let i = 0; i < pad; i++) buf[5 + payload.length + i] = (i * 17 + 3) & 0xff;
  return buf;
}

const payloadOf = (n: number, m = 1) => Uint8Array.from({ length: n }, (_, i) => (i * m + 5) & 0xff);

function expectMacFailure(fn: () => void): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ProtocolError);
  expect((caught as Error).message).toBe(MAC_FAILURE);
}

/** The receiving side as the decoder drives it: decryptLength on the head, then open; the body. */
function receive(cipher: PacketCipher, seq: number, wire: Uint8Array): Uint8Array {
  const len = cipher.decryptLength(seq, wire.subarray(0, cipher.headLength));
  const body = cipher.open(seq, wire);
  expect(body.length).toBe(len);
  return body;
}

/** ssh2's own outbound cipher (its JavaScript path on node:crypto), sealing a packet we built. */
function ssh2Seal(c: Combo, k: Keys, seq: number, packets: Uint8Array[]): Uint8Array[] {
  const written: Buffer[] = [];
  const cipher = ssh2crypto.createCipher({
    outbound: {
      onWrite: (chunk: Buffer) => written.push(Buffer.from(chunk)),
      cipherInfo: ssh2crypto.CIPHER_INFO[c.factory.name],
      cipherKey: Buffer.from(k.key),
      cipherIV: Buffer.from(k.iv),
      macInfo: c.mac ? ssh2crypto.MAC_INFO[c.mac.name] : undefined,
      macKey: c.mac ? Buffer.from(k.macKey) : undefined,
      seqno: seq,
      forceNative: true,
    },
  });
  return packets.map((p) => {
    written.length = 0;
    cipher.encrypt(Buffer.from(p));
    return new Uint8Array(Buffer.concat(written));
  });
}

/** ssh2's inbound decipher, fed our wire bytes; returns the payloads it accepted. */
function ssh2Open(c: Combo, k: Keys, seq: number, wire: Uint8Array): Uint8Array[] {
  const payloads: Uint8Array[] = [];
  const decipher = ssh2crypto.createDecipher({
    inbound: {
      onPayload: (p: Buffer) => {
        payloads.push(new Uint8Array(p));
      },
      decipherInfo: ssh2crypto.CIPHER_INFO[c.factory.name],
      decipherKey: Buffer.from(k.key),
      decipherIV: Buffer.from(k.iv),
      macInfo: c.mac ? ssh2crypto.MAC_INFO[c.mac.name] : undefined,
      macKey: c.mac ? Buffer.from(k.macKey) : undefined,
      seqno: seq,
      forceNative: true,
    },
  });
  const data = Buffer.from(wire);
  decipher.decrypt(data, 0, data.length);
  return payloads;
}

for (const backend of backends) {
  describe(`AES packet ciphers on ${backend.name}`, () => {
    const use = () => registerAesBackend(backend);

    it("the factories pick the registered backend (and MAC rows with it)", () => {
      use();
      expect(aesBackend()).toBe(backend);
      if (backend === nodeAesBackend) {
        registerAesBackend(null);
        installNodeAes();
        expect(aesBackend()).toBe(nodeAesBackend);
      }
    });

    for (const c of COMBOS) {
      describe(c.label, () => {
        it("has the right shape", () => {
          use();
          const cipher = create(c, keysFor(c));
          expect(cipher.name).toBe(c.factory.name);
          expect(cipher.blockSize).toBe(16);
          const etmOrAead = !c.mac || c.mac.etm;
          expect(cipher.lengthInAlignment).toBe(!etmOrAead);
          expect(cipher.headLength).toBe(etmOrAead ? 4 : 16);
          expect(cipher.tagLength).toBe(c.mac ? c.mac.tagLength : 16);
          expect(c.factory.aead).toBe(c.mac === null);
        });

        it("seals exactly as ssh2 does, and ssh2 opens what we seal", () => {
          use();
          const k = keysFor(c);
          for (const seq of [0, 3, 0xffffffff]) {
            const sender = create(c, k);
            const payloads = [payloadOf(0), payloadOf(1), payloadOf(200, 3), payloadOf(32768, 7), payloadOf(13)];
            const plains = payloads.map((p) => plainPacket(sender, p));
            const ours = plains.map((p, i) => {
              const b = p.slice();
              sender.seal((seq + i) >>> 0, b);
              return b;
            });
            const theirs = ssh2Seal(c, k, seq, plains.map((p) => p.subarray(0, p.length - sender.tagLength)));
            for (let i = 0; i < ours.length; i++) expect(toHex(ours[i]!)).toBe(toHex(theirs[i]!));
            const opened = ssh2Open(c, k, seq, Buffer.concat(ours));
            expect(opened.map(toHex)).toEqual(payloads.map(toHex));
          }
        });

        it("round-trips through PacketEncoder and PacketDecoder, split across reads", () => {
          use();
          const k = keysFor(c);
          const enc = new PacketEncoder();
          const dec = new PacketDecoder();
          enc.cipher = create(c, k);
          dec.cipher = create(c, k);
          enc.seq = dec.seq = 0xfffffffe; // across the wrap
          const payloads = [payloadOf(1), payloadOf(100, 3), payloadOf(40000, 5), payloadOf(15), payloadOf(16), payloadOf(0)];
          const wire = Buffer.concat(payloads.map((p) => enc.encodePayload(p)));
          const got: string[] = [];
          // odd-sized reads into separate buffers: packets split at every kind of boundary
          for (let o = 0; o < wire.length; o += 997) {
            dec.push(new Uint8Array(wire.subarray(o, o + 997)));
            for (let p = dec.next(); p; p = dec.next()) got.push(toHex(p));
          }
          expect(got).toEqual(payloads.map(toHex));
          expect(dec.seq).toBe(4);
        });

        it("rejects a flipped bit in the length, the body or the tag with MAC_FAILURE", () => {
          use();
          const k = keysFor(c);
          const sealer = create(c, k);
          const plain = plainPacket(sealer, payloadOf(70, 11));
          const wire = plain.slice();
          sealer.seal(9, wire);
          const positions = [0, 1, 2, 3, 4, 5, 20, 16, 15, wire.length - sealer.tagLength - 1, wire.length - sealer.tagLength, wire.length - 1];
          for (const pos of positions) {
            for (const bit of [0, 7]) {
              const bad = wire.slice();
              bad[pos]! ^= 1 << bit;
              const receiver = create(c, k);
              // the decoder would refuse an absurd length before open(); here open() must refuse it
              expectMacFailure(() => receive(receiver, 9, bad));
            }
          }
          // the untouched packet opens
          // open hands back padding_length || payload || padding, in place or in a buffer of its own
          const body = receive(create(c, k), 9, wire.slice());
          expect(toHex(body)).toBe(toHex(plain.subarray(4, plain.length - sealer.tagLength)));
        });

        it("binds each packet to its place in the stream", () => {
          use();
          const k = keysFor(c);
          const sealer = create(c, k);
          const a = plainPacket(sealer, payloadOf(40));
          const b = plainPacket(sealer, payloadOf(40, 3));
          sealer.seal(5, a);
          sealer.seal(6, b);
          if (c.mac) {
            // the MAC covers the sequence number
            expectMacFailure(() => receive(create(c, k), 6, a.slice()));
          }
          // out of order (the second packet first): GCM's invocation counter, CTR's keystream and seq
          expectMacFailure(() => receive(create(c, k), 5, b.slice()));
          const r = create(c, k);
          receive(r, 5, a.slice());
          receive(r, 6, b.slice());
        });

        it("refuses key material of the wrong size", () => {
          use();
          const k = keysFor(c);
          expect(() => c.factory.create(k.key.subarray(1), k.iv, c.mac ? { algorithm: c.mac, key: k.macKey } : undefined)).toThrow();
          expect(() => c.factory.create(k.key, k.iv.subarray(1), c.mac ? { algorithm: c.mac, key: k.macKey } : undefined)).toThrow();
          if (c.mac) expect(() => c.factory.create(k.key, k.iv, { algorithm: c.mac!, key: k.macKey.subarray(1) })).toThrow();
        });
      });
    }
  });
}

describe("aes128-gcm@openssh.com against RFC 5647 built with node:crypto by hand", () => {
  it("matches for consecutive packets (invocation counter carried across its low bytes)", () => {
    const key = hex("00112233445566778899aabbccddeeff");
    const iv = hex("0a0b0c0d" + "00000000000000fe"); // the counter's low byte wraps on the 3rd packet
    for (const backend of backends) {
      const ours = new AesGcmCipher("aes128-gcm@openssh.com", key, iv, backend);
      for (let n = 0; n < 4; n++) {
        const payload = payloadOf(50 + n, 9);
        const packet = plainPacket(ours, payload);
        const end = packet.length - 16;
        // RFC 5647 §7.1 nonce: fixed(4) || invocation_counter(8), counter = initial + n
        const counter = (BigInt("0x00000000000000fe") + BigInt(n)).toString(16).padStart(16, "0");
        const c = createCipheriv("aes-128-gcm", key, hex("0a0b0c0d" + counter));
        c.setAAD(packet.subarray(0, 4));
        const expected = Buffer.concat([packet.subarray(0, 4), c.update(packet.subarray(4, end)), c.final(), c.getAuthTag()]);
        ours.seal(1000 + n, packet);
        expect(toHex(packet)).toBe(expected.toString("hex"));
      }
    }
  });

  it("a CTR cipher accepts the MAC row object alone (MacAlgorithm.create path)", () => {
    // A MAC row that is not one of ours: AesCtrCipher must use its create(), tag length and etm flag.
    const calls: number[] = [];
    const row: MacAlgorithm = {
      name: "test-mac",
      keyLength: 4,
      tagLength: 8,
      etm: true,
      create: () => ({
        tagLength: 8,
        compute(seq, data, out) {
          calls.push(seq);
          out.fill(data.length & 0xff);
        },
      }),
    };
    const c = new AesCtrCipher("aes128-ctr", new Uint8Array(16), new Uint8Array(16), row, new Uint8Array(4), nobleAesBackend);
    const p = plainPacket(c, payloadOf(10));
    c.seal(42, p);
    expect(calls).toEqual([42]);
    expect(p.subarray(p.length - 8).every((b) => b === ((p.length - 8) & 0xff))).toBe(true);
  });
});
