// ECDSA against RFC 6979 A.2.5 (P-256, SHA-256, "sample"), and the WebCrypto and noble
// verification paths held to the same answers.
import { describe, expect, it } from "vitest";
import { bigIntToBytes } from "../src/ssh/crypto/bigint.js";
import { ecdsaPublicKey, ecdsaSign, ecdsaVerify, nobleVerify } from "../src/ssh/crypto/ecdsa.js";
import { utf8 } from "../src/ssh/wire/bytes.js";

const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((h) => parseInt(h, 16)));
const N256 = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

describe("ECDSA P-256 (RFC 6979 A.2.5)", () => {
  const d = hex("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721");
  const ux = "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6";
  const uy = "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299";
  const r = 0xefd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716n;
  const s = 0xf7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8n;
  const message = utf8("sample");

  it("public key and deterministic signature", async () => {
    expect(await ecdsaPublicKey("nistp256", d)).toEqual(hex(`04${ux}${uy}`));
    expect(await ecdsaSign("nistp256", d, message)).toEqual({ r, s });
  });

  it("both verification paths agree, high-s included (OpenSSL does not normalise s)", async () => {
    const point = hex(`04${ux}${uy}`);
    const compact = (rr: bigint, ss: bigint) => new Uint8Array([...bigIntToBytes(rr, 32), ...bigIntToBytes(ss, 32)]);
    for (const [rr, ss, msg, want] of [
      [r, s, message, true],
      [r, N256 - s, message, true],
      [r, s, utf8("other"), false],
      [r + 1n, s, message, false],
    ] as const) {
      expect(await ecdsaVerify("nistp256", point, rr, ss, msg)).toBe(want);
      expect(await nobleVerify("nistp256", point, compact(rr, ss), msg)).toBe(want);
    }
    const offCurve = point.slice();
    offCurve[40] ^= 1;
    expect(await ecdsaVerify("nistp256", offCurve, r, s, message)).toBe(false);
    expect(await ecdsaVerify("nistp256", point, 0n, s, message)).toBe(false);
  });
});
