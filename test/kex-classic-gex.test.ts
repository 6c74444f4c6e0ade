// diffie-hellman-group-exchange-sha256 (RFC 4419): both halves' K and H for fixed exponents
// recomputed with node:crypto, the request OpenSSH's client sends, groups under 2048 bits (and
// other bad groups) refused by the client, and the server's choice of group.
import { createDiffieHellman, createHash, getDiffieHellman, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { bytesToBigint, bigintToBytes, dhKeyPair, MODP14, MODP16, MODP18, OAKLEY2 } from "../src/ssh/kex/dh-groups.js";
import { chooseGroup, dhGexKex } from "../src/ssh/kex/dh-gex.js";
import { kexMethods } from "../src/ssh/algorithms/kex.js";
import { ProtocolError } from "../src/ssh/errors.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { HOST_BLOB, H_PREFIX, SIG_BLOB, message, scriptedContext, sshMpint, sshString, toHex, u32 } from "./kex-classic-support.js";

const GEX = "diffie-hellman-group-exchange-sha256";
const mp = (v: bigint): Buffer => sshMpint(bigintToBytes(v));

describe(`${GEX}: K and H recomputed with node:crypto`, () => {
  // The group the scripted server sends: OpenSSL's copy of RFC 3526 group 16 (4096 bits).
  const p = getDiffieHellman("modp16").getPrime();
  const client = createDiffieHellman(p, Buffer.from([2]));
  client.setPrivateKey(randomBytes(64));
  const e = client.generateKeys();
  const server = createDiffieHellman(p, Buffer.from([2]));
  server.setPrivateKey(randomBytes(64));
  const f = server.generateKeys();
  const expectedK = sshMpint(client.computeSecret(f));
  const hFor = (min: number, n: number, max: number): string =>
    createHash("sha256")
      .update(Buffer.concat([H_PREFIX, u32(min), u32(n), u32(max), sshMpint(p), sshMpint(Uint8Array.from([2])), sshMpint(e), sshMpint(f), expectedK]))
      .digest("hex");

  it("client half: asks 2048/8192/8192 as OpenSSH does, takes the group, sends e, derives K and H", async () => {
    const method = dhGexKex(GEX, sha256, { makePair: (g) => dhKeyPair(g, bytesToBigint(client.getPrivateKey())) });
    const ctx = scriptedContext([
      (request) => {
        expect(toHex(request)).toBe(toHex(message(34, u32(2048), u32(8192), u32(8192))));
        return message(31, sshMpint(p), sshMpint(Uint8Array.from([2])));
      },
      (init) => {
        expect(toHex(init)).toBe(toHex(message(32, sshMpint(e))));
        return message(33, sshString(HOST_BLOB), sshMpint(f), sshString(SIG_BLOB));
      },
    ]);
    const result = await method.client(ctx);
    expect(toHex(result.sharedSecret)).toBe(expectedK.toString("hex"));
    expect(toHex(result.exchangeHash)).toBe(hFor(2048, 8192, 8192));
    expect(ctx.sent).toHaveLength(2);
  });

  it("server half: picks group 16 for n = 4096 and hashes the request as received", async () => {
    const method = dhGexKex(GEX, sha256, { makePair: (g) => dhKeyPair(g, bytesToBigint(server.getPrivateKey())) });
    const ctx = scriptedContext([
      () => message(34, u32(2048), u32(4096), u32(8192)),
      (group) => {
        expect(toHex(group)).toBe(toHex(message(31, sshMpint(p), sshMpint(Uint8Array.from([2])))));
        return message(32, sshMpint(e));
      },
    ]);
    const result = await method.server(ctx, { blob: HOST_BLOB, sign: async () => SIG_BLOB });
    expect(toHex(result.sharedSecret)).toBe(expectedK.toString("hex"));
    expect(toHex(result.exchangeHash)).toBe(hFor(2048, 4096, 8192));
    expect(toHex(ctx.sent[1]!)).toBe(toHex(message(33, sshString(HOST_BLOB), sshMpint(f), sshString(SIG_BLOB))));
  });

  it("is registered in the table with SHA-256; the SHA-1 variant only when named", () => {
    expect(kexMethods.get(GEX)?.name).toBe(GEX);
    expect(kexMethods.defaults).toContain(GEX);
    expect(kexMethods.has("diffie-hellman-group-exchange-sha1")).toBe(true);
    expect(kexMethods.defaults).not.toContain("diffie-hellman-group-exchange-sha1");
  });
});

describe(`${GEX}: the client refuses bad groups and values`, () => {
  const method = kexMethods.get(GEX)!;
  const groupThen = (p: Buffer, g: Buffer) => [() => message(31, p, g), () => message(33, sshString(HOST_BLOB), mp(5n), sshString(SIG_BLOB))];

  it("refuses a 1024-bit group (Oakley group 2) with a clear error, before sending e", async () => {
    const ctx = scriptedContext(groupThen(mp(OAKLEY2.p), mp(2n)));
    const err = await method.client(ctx).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toMatch(/1024-bit group; groups under 2048 bits are refused/);
    expect(ctx.sent).toHaveLength(1);
  });

  it("refuses a 2047-bit prime", async () => {
    const p = (1n << 2046n) + 1n;
    const err = await method.client(scriptedContext(groupThen(mp(p), mp(2n)))).catch((x: unknown) => x);
    expect((err as Error).message).toMatch(/2047-bit group/);
  });

  it("refuses a group larger than the 8192 bits asked for", async () => {
    const p = (1n << 8192n) + 1n;
    const err = await method.client(scriptedContext(groupThen(mp(p), mp(2n)))).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toMatch(/8193-bit group, more than the 8192/);
  });

  for (const [what, g] of [["g = 1", 1n], ["g = p-1", MODP14.p - 1n], ["g = 0", 0n]] as const) {
    it(`refuses ${what}`, async () => {
      const err = await method.client(scriptedContext(groupThen(mp(MODP14.p), mp(g)))).catch((x: unknown) => x);
      expect((err as Error).message).toMatch(/generator is out of range/);
    });
  }

  it("refuses an even p", async () => {
    const err = await method.client(scriptedContext(groupThen(mp(MODP14.p + 1n), mp(2n)))).catch((x: unknown) => x);
    expect((err as Error).message).toMatch(/prime is even/);
  });

  for (const [what, f] of [["f = 1", 1n], ["f = p-1", MODP14.p - 1n], ["f = p", MODP14.p], ["f = 0", 0n]] as const) {
    it(`refuses ${what}`, async () => {
      const ctx = scriptedContext([() => message(31, mp(MODP14.p), mp(2n)), () => message(33, sshString(HOST_BLOB), mp(f), sshString(SIG_BLOB))]);
      const err = await method.client(ctx).catch((x: unknown) => x);
      expect(err).toBeInstanceOf(ProtocolError);
      expect((err as Error).message).toMatch(/f is out of range/);
    });
  }

  it("refuses a KEXDH_REPLY-shaped message where the group belongs (31 with three fields)", async () => {
    const ctx = scriptedContext([() => message(31, sshString(HOST_BLOB), mp(5n), sshString(SIG_BLOB))]);
    const err = await method.client(ctx).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ProtocolError);
  });
});

describe(`${GEX}: the server half`, () => {
  const method = kexMethods.get(GEX)!;
  it("chooses the smallest group of at least n bits within [min, max], else the largest within", () => {
    const groups = [MODP14, MODP16, MODP18];
    expect(chooseGroup(groups, { min: 2048, n: 3072, max: 8192 })).toBe(MODP16);
    expect(chooseGroup(groups, { min: 2048, n: 2048, max: 8192 })).toBe(MODP14);
    expect(chooseGroup(groups, { min: 2048, n: 8192, max: 8192 })).toBe(MODP18);
    expect(chooseGroup(groups, { min: 2048, n: 8192, max: 6000 })).toBe(MODP16);
    expect(chooseGroup(groups, { min: 5000, n: 6000, max: 6000 })).toBeNull();
  });

  it("refuses an inconsistent request", async () => {
    const ctx = scriptedContext([() => message(34, u32(4096), u32(2048), u32(8192))]);
    const err = await method.server(ctx, { blob: HOST_BLOB, sign: async () => SIG_BLOB }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toMatch(/inconsistent/);
  });

  it("refuses e out of range", async () => {
    const ctx = scriptedContext([() => message(34, u32(2048), u32(2048), u32(2048)), () => message(32, mp(1n))]);
    const err = await method.server(ctx, { blob: HOST_BLOB, sign: async () => SIG_BLOB }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ProtocolError);
    expect(ctx.sent).toHaveLength(1);
  });

  it("never offers a group under 2048 bits, whatever the client asks", async () => {
    const ctx = scriptedContext([() => message(34, u32(1024), u32(1024), u32(2048)), () => message(32, mp(5n))]);
    await method.server(ctx, { blob: HOST_BLOB, sign: async () => SIG_BLOB }).catch(() => {});
    expect(toHex(ctx.sent[0]!)).toBe(toHex(message(31, mp(MODP14.p), mp(2n))));
  });
});
