// diffie-hellman-group{1,14,16,18}-* (RFC 4253 §8, RFC 8268): the primes against the RFC's formula
// and OpenSSL's copies, modPow against OpenSSL, each method's K and H for fixed exponents
// recomputed with node:crypto, and out-of-range e / f refused.
import { createDiffieHellman, createHash, getDiffieHellman, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  MODP14,
  MODP16,
  MODP18,
  OAKLEY2,
  bigintToBytes,
  bytesToBigint,
  dhGroupKex,
  dhKeyPair,
  modPow,
  modPow2,
  type DhGroup,
} from "../src/ssh/kex/dh-groups.js";
import { MODP_GROUP14_HEX, MODP_GROUP16_HEX, MODP_GROUP18_HEX, OAKLEY_GROUP2_HEX } from "../src/ssh/kex/modp-groups.js";
import { kexMethods } from "../src/ssh/algorithms/kex.js";
import { ProtocolError } from "../src/ssh/errors.js";
import { HOST_BLOB, H_PREFIX, SIG_BLOB, message, scriptedContext, sshMpint, sshString, toHex } from "./kex-classic-support.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";

/** floor(pi * 2^bits) by Machin's formula, computed here from nothing but integers. */
function piScaled(bits: number): bigint {
  const guard = 64n;
  const one = 1n << (BigInt(bits) + guard);
  const atanInv = (x: bigint): bigint => {
    let sum = 0n;
    let term = one / x;
    let n = 1n;
    let sign = 1n;
    while (term !== 0n) {
      sum += (sign * term) / n;
      term /= x * x;
      n += 2n;
      sign = -sign;
    }
    return sum;
  };
  return (16n * atanInv(5n) - 4n * atanInv(239n)) >> guard;
}

// RFC 2409 §6.2 and RFC 3526 §3, §5, §7: p = 2^n - 2^(n-64) - 1 + 2^64 * ([2^(n-130) pi] + k), and OpenSSL's names.
const GROUPS: Array<{ hex: string; n: number; k: bigint; openssl: string; group: DhGroup }> = [
  { hex: OAKLEY_GROUP2_HEX, n: 1024, k: 129093n, openssl: "modp2", group: OAKLEY2 },
  { hex: MODP_GROUP14_HEX, n: 2048, k: 124476n, openssl: "modp14", group: MODP14 },
  { hex: MODP_GROUP16_HEX, n: 4096, k: 240904n, openssl: "modp16", group: MODP16 },
  { hex: MODP_GROUP18_HEX, n: 8192, k: 4743158n, openssl: "modp18", group: MODP18 },
];

describe("MODP primes", () => {
  for (const g of GROUPS) {
    it(`the ${g.n}-bit prime is the RFC's formula and OpenSSL's ${g.openssl}`, () => {
      const n = BigInt(g.n);
      const formula = (1n << n) - (1n << (n - 64n)) - 1n + (1n << 64n) * (piScaled(g.n - 130) + g.k);
      expect(g.hex.toLowerCase()).toBe(formula.toString(16));
      expect(g.hex.toLowerCase()).toBe(getDiffieHellman(g.openssl).getPrime("hex"));
      expect(g.group.p).toBe(formula);
      expect(g.group.g).toBe(2n);
    });
  }
});

describe("modPow", () => {
  it("agrees with OpenSSL's DH for random exponents and bases (groups 14 and 16)", () => {
    for (const g of [GROUPS[1]!, GROUPS[2]!]) {
      const p = Buffer.from(g.hex, "hex");
      for (let i = 0; i < 3; i++) {
        const x = randomBytes(64);
        const node = createDiffieHellman(p, Buffer.from([2]));
        node.setPrivateKey(x);
        const e = node.generateKeys();
        expect(modPow2(bytesToBigint(x), g.group.p).toString(16)).toBe(bytesToBigint(e).toString(16));
        expect(modPow(2n, bytesToBigint(x), g.group.p)).toBe(bytesToBigint(e));
        const peer = createDiffieHellman(p, Buffer.from([2]));
        peer.generateKeys();
        const k = node.computeSecret(peer.getPublicKey());
        expect(modPow(bytesToBigint(peer.getPublicKey()), bytesToBigint(x), g.group.p)).toBe(bytesToBigint(k));
      }
    }
  });

  it("small cases and edge exponents", () => {
    expect(modPow(3n, 0n, 7n)).toBe(1n);
    expect(modPow(3n, 1n, 7n)).toBe(3n);
    expect(modPow(3n, 6n, 7n)).toBe(1n);
    expect(modPow(5n, 117n, 19n)).toBe(1n); // 5^9 = 1 mod 19, 117 = 13 * 9
    expect(modPow2(10n, 1000n)).toBe(24n);
    expect(modPow2(0n, 13n)).toBe(1n);
    expect(bigintToBytes(0x80ffn)).toEqual(Uint8Array.from([0x80, 0xff]));
    expect(bigintToBytes(0n)).toEqual(new Uint8Array(0));
  });

  it("private exponents are as long as configured and public values in range", () => {
    const pair = dhKeyPair(MODP16);
    expect(pair.x.toString(2)).toHaveLength(512);
    expect(pair.publicValue > 1n && pair.publicValue < MODP16.p - 1n).toBe(true);
    expect(dhKeyPair(MODP18).x.toString(2)).toHaveLength(640);
  });
});

const METHODS = [
  { name: "diffie-hellman-group14-sha256", hash: "sha256", noble: sha256, g: GROUPS[1]! },
  { name: "diffie-hellman-group16-sha512", hash: "sha512", noble: sha512, g: GROUPS[2]! },
  { name: "diffie-hellman-group18-sha512", hash: "sha512", noble: sha512, g: GROUPS[3]! },
  { name: "diffie-hellman-group14-sha1", hash: "sha1", noble: sha1, g: GROUPS[1]! },
  { name: "diffie-hellman-group1-sha1", hash: "sha1", noble: sha1, g: GROUPS[0]! },
];

describe("DH group methods: K and H recomputed with node:crypto", () => {
  for (const m of METHODS) {
    const p = Buffer.from(m.g.hex, "hex");
    const client = createDiffieHellman(p, Buffer.from([2]));
    client.setPrivateKey(randomBytes(64));
    const e = client.generateKeys();
    const server = createDiffieHellman(p, Buffer.from([2]));
    server.setPrivateKey(randomBytes(64));
    const f = server.generateKeys();
    const k = client.computeSecret(f);
    const expectedK = sshMpint(k);
    const expectedH = createHash(m.hash).update(Buffer.concat([H_PREFIX, sshMpint(e), sshMpint(f), expectedK])).digest("hex");
    const fixed = (priv: Buffer) => () => dhKeyPair(m.g.group, bytesToBigint(priv));

    it(`${m.name} is registered with the group's hash`, () => {
      const row = kexMethods.get(m.name);
      expect(row?.name).toBe(m.name);
      expect(toHex(row!.hash(new Uint8Array(3)))).toBe(createHash(m.hash).update(Buffer.alloc(3)).digest("hex"));
    });

    it(`${m.name} client half`, async () => {
      const method = dhGroupKex(m.name, m.noble, m.g.group, fixed(client.getPrivateKey()));
      const ctx = scriptedContext([
        (init) => {
          expect(toHex(init)).toBe(toHex(message(30, sshMpint(e))));
          return message(31, sshString(HOST_BLOB), sshMpint(f), sshString(SIG_BLOB));
        },
      ]);
      const result = await method.client(ctx);
      expect(toHex(result.sharedSecret)).toBe(expectedK.toString("hex"));
      expect(toHex(result.exchangeHash)).toBe(expectedH);
      expect(toHex(result.hostKeyBlob)).toBe(toHex(HOST_BLOB));
    });

    it(`${m.name} server half`, async () => {
      const method = dhGroupKex(m.name, m.noble, m.g.group, fixed(server.getPrivateKey()));
      const ctx = scriptedContext([() => message(30, sshMpint(e))]);
      const result = await method.server(ctx, { blob: HOST_BLOB, sign: async (h) => (expect(toHex(h)).toBe(expectedH), SIG_BLOB) });
      expect(toHex(result.sharedSecret)).toBe(expectedK.toString("hex"));
      expect(toHex(result.exchangeHash)).toBe(expectedH);
      expect(toHex(ctx.sent[0]!)).toBe(toHex(message(31, sshString(HOST_BLOB), sshMpint(f), sshString(SIG_BLOB))));
    });
  }
});

describe("DH group methods refuse out-of-range values (RFC 4253 §8: 1 < e, f < p-1)", () => {
  const p = MODP14.p;
  const mp = (v: bigint): Buffer => sshMpint(bigintToBytes(v));
  const cases: Array<[string, Buffer]> = [
    ["0", mp(0n)],
    ["1", mp(1n)],
    ["p-1", mp(p - 1n)],
    ["p", mp(p)],
    ["p+5", mp(p + 5n)],
    ["a negative value", sshString(Uint8Array.from([0xff, 0x01]))],
    ["a 9000-bit value", sshString(new Uint8Array(1125).fill(1))],
  ];
  const method = kexMethods.get("diffie-hellman-group14-sha256")!;
  for (const [what, value] of cases) {
    it(`the client refuses f = ${what}`, async () => {
      const err = await method.client(scriptedContext([() => message(31, sshString(HOST_BLOB), value, sshString(SIG_BLOB))])).catch((x: unknown) => x);
      expect(err).toBeInstanceOf(ProtocolError);
    });
    it(`the server refuses e = ${what} and sends nothing`, async () => {
      const ctx = scriptedContext([() => message(30, value)]);
      const err = await method.server(ctx, { blob: HOST_BLOB, sign: async () => SIG_BLOB }).catch((x: unknown) => x);
      expect(err).toBeInstanceOf(ProtocolError);
      expect(ctx.sent).toHaveLength(0);
    });
  }
  it("names the value and the range", async () => {
    const err = await method.client(scriptedContext([() => message(31, sshString(HOST_BLOB), mp(1n), sshString(SIG_BLOB))])).catch((x: unknown) => x);
    expect((err as Error).message).toMatch(/f is out of range.*1 < f < p-1/);
  });
  it("refuses a reply of the wrong message number", async () => {
    const err = await method.client(scriptedContext([() => message(33, sshString(HOST_BLOB))])).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toMatch(/expected KEXDH_REPLY \(31\)/);
  });
});
