// ecdh-sha2-nistp256/384/521 (RFC 5656): the agreement against RFC 5903 §8's vectors on both
// backends, and each half's K and H against an independent recomputation with node:crypto.
import { createECDH, createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  NIST_P256,
  NIST_P384,
  NIST_P521,
  ecdhSha2,
  nistAgree,
  nobleEcdh,
  webCryptoEcdh,
  ecdhBackend,
  type NistCurve,
} from "../src/ssh/kex/ecdh-nist.js";
import { ProtocolError } from "../src/ssh/errors.js";
import { HOST_BLOB, I_C, I_S, SIG_BLOB, VERSIONS, hex, scriptedContext, sshMpint, sshString, toHex } from "./kex-classic-support.js";

// RFC 5903 §8.1-8.3: initiator private i, responder private r, shared x-coordinate girx.
const RFC5903 = [
  {
    curve: NIST_P256,
    node: "prime256v1",
    i: "C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433",
    r: "C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53",
    girx: "D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE",
    gix: "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180",
  },
  {
    curve: NIST_P384,
    node: "secp384r1",
    i: "099F3C7034D4A2C699884D73A375A67F7624EF7C6B3C0F160647B67414DCE655E35B538041E649EE3FAEF896783AB194",
    r: "41CB0779B4BDB85D47846725FBEC3C9430FAB46CC8DC5060855CC9BDA0AA2942E0308312916B8ED2960E4BD55A7448FC",
    girx: "11187331C279962D93D604243FD592CB9D0A926F422E47187521287E7156C5C4D603135569B9E9D09CF5D4A270F59746",
    gix: null,
  },
  {
    curve: NIST_P521,
    node: "secp521r1",
    i: "0037ADE9319A89F4DABDB3EF411AACCCA5123C61ACAB57B5393DCE47608172A095AA85A30FE1C2952C6771D937BA9777F5957B2639BAB072462F68C27A57382D4A52",
    r: "0145BA99A847AF43793FDD0E872E7CDFA16BE30FDC780F97BCCC3F078380201E9C677D600B343757A3BDBF2A3163E4C2F869CCA7458AA4A4EFFC311F5CB151685EB9",
    girx: "01144C7D79AE6956BC8EDB8E7C787C4521CB086FA64407F97894E5E6B2D79B04D1427E73CA4BAA240A34786859810C06B3C715A3A8CC3151F2BEE417996D19F3DDEA",
    gix: "0015417E84DBF28C0AD3C278713349DC7DF153C897A1891BD98BAB4357C9ECBEE1E3BF42E00B8E380AEAE57C2D107564941885942AF5A7F4601723C4195D176CED3E",
  },
];

/** The uncompressed public point of a private scalar, by OpenSSL (node:crypto). */
function nodePublic(nodeCurve: string, priv: string): Uint8Array {
  const e = createECDH(nodeCurve);
  e.setPrivateKey(Buffer.from(priv, "hex"));
  return Uint8Array.from(e.getPublicKey(null, "uncompressed"));
}

const hashName = (c: NistCurve): string => (c.id === "nistp256" ? "sha256" : c.id === "nistp384" ? "sha384" : "sha512");

describe("NIST ECDH agreement: RFC 5903 §8 vectors", () => {
  for (const v of RFC5903) {
    for (const backend of [webCryptoEcdh, nobleEcdh]) {
      it(`${v.curve.id} on ${backend.name}`, async () => {
        const gi = nodePublic(v.node, v.i);
        const gr = nodePublic(v.node, v.r);
        if (v.gix) expect(toHex(gi.subarray(1, 1 + v.curve.fieldBytes))).toBe(v.gix.toLowerCase());
        const pair = await backend.fromPrivate(v.curve, hex(v.i), gi);
        expect(toHex(await nistAgree(v.curve, pair, gr, "peer"))).toBe(v.girx.toLowerCase());
        const other = await backend.fromPrivate(v.curve, hex(v.r), gr);
        expect(toHex(await nistAgree(v.curve, other, gi, "peer"))).toBe(v.girx.toLowerCase());
      });
    }
  }

  it("WebCrypto is the backend on Node (the faster one measured)", async () => {
    expect((await ecdhBackend(NIST_P256)).name).toBe("webcrypto");
  });
});

describe("ecdh-sha2-nist* exchange hash and K, recomputed with node:crypto", () => {
  for (const v of RFC5903) {
    const name = `ecdh-sha2-${v.curve.id}`;
    const gi = nodePublic(v.node, v.i);
    const gr = nodePublic(v.node, v.r);
    const expectedK = sshMpint(hex(v.girx));
    const expectedH = (): string =>
      createHash(hashName(v.curve))
        .update(Buffer.concat([sshString(VERSIONS.clientVersion), sshString(VERSIONS.serverVersion), sshString(I_C), sshString(I_S), sshString(HOST_BLOB), sshString(gi), sshString(gr), expectedK]))
        .digest("hex");

    it(`${name} client half (private key i, server r)`, async () => {
      const method = ecdhSha2(v.curve, () => webCryptoEcdh.fromPrivate(v.curve, hex(v.i), gi));
      const ctx = scriptedContext([
        (init) => {
          expect(init[0]).toBe(30);
          expect(toHex(init.subarray(5))).toBe(toHex(gi));
          return Uint8Array.from(Buffer.concat([Buffer.from([31]), sshString(HOST_BLOB), sshString(gr), sshString(SIG_BLOB)]));
        },
      ]);
      const result = await method.client(ctx);
      expect(toHex(result.sharedSecret)).toBe(expectedK.toString("hex"));
      expect(toHex(result.exchangeHash)).toBe(expectedH());
      expect(toHex(result.signature)).toBe(toHex(SIG_BLOB));
    });

    it(`${name} server half (private key r, client i)`, async () => {
      const method = ecdhSha2(v.curve, () => nobleEcdh.fromPrivate(v.curve, hex(v.r), gr));
      const ctx = scriptedContext([() => Uint8Array.from(Buffer.concat([Buffer.from([30]), sshString(gi)]))]);
      let signed: Uint8Array | null = null;
      const result = await method.server(ctx, {
        blob: HOST_BLOB,
        sign: async (h) => {
          signed = h.slice();
          return SIG_BLOB;
        },
      });
      expect(toHex(result.sharedSecret)).toBe(expectedK.toString("hex"));
      expect(toHex(result.exchangeHash)).toBe(expectedH());
      expect(toHex(signed!)).toBe(expectedH());
      expect(ctx.sent).toHaveLength(1);
      expect(toHex(ctx.sent[0]!)).toBe(Buffer.concat([Buffer.from([31]), sshString(HOST_BLOB), sshString(gr), sshString(SIG_BLOB)]).toString("hex"));
    });
  }
});

describe("ecdh-sha2-nist* refuses hostile points", () => {
  const reply = (q: Uint8Array) => () => Uint8Array.from(Buffer.concat([Buffer.from([31]), sshString(HOST_BLOB), sshString(q), sshString(SIG_BLOB)]));
  const valid = nodePublic("prime256v1", RFC5903[0]!.r);
  const offCurve = valid.slice();
  offCurve[64]! ^= 1;
  const compressed = Uint8Array.from([0x02 | (valid[64]! & 1), ...valid.subarray(1, 33)]);
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ["a point one byte short", valid.subarray(0, 64), /64 bytes, not 65/],
    ["a point one byte long", Uint8Array.from([...valid, 0]), /exceeds the limit|66 bytes/],
    ["an empty value", new Uint8Array(0), /0 bytes, not 65/],
    ["a compressed point", compressed, /33 bytes, not 65/],
    ["a point with a wrong prefix", Uint8Array.from([0x05, ...valid.subarray(1)]), /not an uncompressed point/],
    ["a point off the curve", offCurve, /not a valid point on the curve/],
    ["the all-zero point", Uint8Array.from([0x04, ...new Uint8Array(64)]), /not a valid point on the curve/],
  ];
  for (const backend of [webCryptoEcdh, nobleEcdh]) {
    for (const [what, q, message] of cases) {
      it(`${backend.name}: the client refuses ${what} from the server`, async () => {
        const method = ecdhSha2(NIST_P256, () => backend.generate(NIST_P256));
        const err = await method.client(scriptedContext([reply(q)])).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ProtocolError);
        expect((err as Error).message).toMatch(message);
      });
    }
    it(`${backend.name}: the server refuses an off-curve Q_C`, async () => {
      const method = ecdhSha2(NIST_P256, () => backend.generate(NIST_P256));
      const ctx = scriptedContext([() => Uint8Array.from(Buffer.concat([Buffer.from([30]), sshString(offCurve)]))]);
      const err = await method.server(ctx, { blob: HOST_BLOB, sign: async () => SIG_BLOB }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProtocolError);
      expect(ctx.sent).toHaveLength(0);
    });
  }
});
