import { describe, expect, it } from "vitest";
import { bcryptPbkdf } from "../src/ssh/keys/bcrypt-pbkdf.js";
import { BLOWFISH_STATE_WORDS, WordStream, blowfishEncipher, blowfishExpand, blowfishInitState } from "../src/ssh/keys/blowfish.js";
import { concatBytes, toHex, utf8 } from "../src/ssh/wire/bytes.js";

const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));

/** Plain Blowfish with the standard key schedule (Blowfish_key = initstate + expand0state). */
function blowfishEncrypt(key: Uint8Array, block: Uint8Array): string {
  const state = new Uint32Array(BLOWFISH_STATE_WORDS);
  const lr = new Uint32Array(2);
  blowfishInitState(state);
  blowfishExpand(state, new WordStream(key), null, lr);
  const v = new DataView(block.buffer, block.byteOffset, 8);
  lr[0] = v.getUint32(0);
  lr[1] = v.getUint32(4);
  blowfishEncipher(state, lr);
  return lr[0]!.toString(16).padStart(8, "0") + lr[1]!.toString(16).padStart(8, "0");
}

describe("Blowfish core", () => {
  it("starts from the hex digits of pi", () => {
    const state = new Uint32Array(BLOWFISH_STATE_WORDS);
    blowfishInitState(state);
    // P1, P2, P18 and the first and last S-box words as published with Blowfish.
    expect(state[0]!.toString(16)).toBe("243f6a88");
    expect(state[1]!.toString(16)).toBe("85a308d3");
    expect(state[17]!.toString(16)).toBe("8979fb1b");
    expect(state[18]!.toString(16)).toBe("d1310ba6");
    expect(state[BLOWFISH_STATE_WORDS - 1]!.toString(16)).toBe("3ac372e6");
  });

  // Eric Young's Blowfish ECB vectors (Schneier's vectors.txt).
  it.each([
    ["0000000000000000", "0000000000000000", "4ef997456198dd78"],
    ["ffffffffffffffff", "ffffffffffffffff", "51866fd5b85ecb8a"],
    ["3000000000000000", "1000000000000001", "7d856f9a613063f2"],
    ["1111111111111111", "1111111111111111", "2466dd878b963c9d"],
    ["0123456789abcdef", "1111111111111111", "61f9c3802281b096"],
    ["fedcba9876543210", "0123456789abcdef", "0aceab0fc6a0a28d"],
  ])("key %s encrypts %s to %s", (key, plain, cipher) => {
    expect(blowfishEncrypt(hex(key), hex(plain))).toBe(cipher);
  });
});

describe("bcrypt_pbkdf", () => {
  // OpenBSD's regress vectors for bcrypt_pbkdf(3) (as republished by RustCrypto's bcrypt-pbkdf tests).
  const lorem =
    "Lorem ipsum dolor sit amet, consectetur adipisicing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. " +
    "Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. " +
    "Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. " +
    "Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.";
  const vectors: [string, Uint8Array, Uint8Array, number, string][] = [
    ["password/salt/4", utf8("password"), utf8("salt"), 4, "5bbf0cc293587f1c3635555c27796598d47e579071bf427e9d8fbe842aba34d9"],
    ["password/NUL/4", utf8("password"), new Uint8Array(1), 4, "c12b566235eee04c212598970a579a67"],
    ["NUL/salt/4", new Uint8Array(1), utf8("salt"), 4, "6051be18c2f4f82cbf0efee5471b4bb9"],
    ["password NUL/salt NUL/4", utf8("password\0"), utf8("salt\0"), 4, "7410e44cf4fa07bfaac8a928b1727fac001375e7bf7384370f48efd121743050"],
    ["pass NUL wor/sa NUL l/4", utf8("pass\0wor"), utf8("sa\0l"), 4, "c2bffd9db38f6569efef4372f4de83c0"],
    ["pass NUL word/sa NUL lt/4", utf8("pass\0word"), utf8("sa\0lt"), 4, "4ba4ac3925c0e8d7f0cdb6bb1684a56f"],
    [
      "password/salt/8, 64 bytes",
      utf8("password"),
      utf8("salt"),
      8,
      "e1367ec5151a33faac4cc1c144cd23fa15d5548493ecc99b9b5d9c0d3b27bec76227ea66088b849b20ab7aa478010246e74bba51723fefa9f9474d6508845e8d",
    ],
    ["password/salt/42", utf8("password"), utf8("salt"), 42, "833cf0dcf56db65608e8f0dc0ce882bd"],
    ["lorem ipsum/salis NUL/8", utf8(lorem), concatBytes(utf8("salis"), new Uint8Array(1)), 8, "10978b07253df57f71a162eb0e8ad30a"],
  ];

  it.each(vectors)("%s", (_name, pass, salt, rounds, expected) => {
    expect(toHex(bcryptPbkdf(pass, salt, rounds, expected.length / 2))).toBe(expected);
  });

  it("rejects what the reference rejects", () => {
    expect(() => bcryptPbkdf(new Uint8Array(0), utf8("salt"), 4, 32)).toThrow(RangeError);
    expect(() => bcryptPbkdf(utf8("p"), new Uint8Array(0), 4, 32)).toThrow(RangeError);
    expect(() => bcryptPbkdf(utf8("p"), utf8("salt"), 0, 32)).toThrow(RangeError);
    expect(() => bcryptPbkdf(utf8("p"), utf8("salt"), 1, 0)).toThrow(RangeError);
    expect(() => bcryptPbkdf(utf8("p"), utf8("salt"), 1, 1025)).toThrow(RangeError);
  });
});
