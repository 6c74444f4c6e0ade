import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { CurveBackend } from "../src/ssh/crypto/backend.js";
import { curveImplementation, prepareCurves } from "../src/ssh/crypto/backend.js";
import { nobleCurves } from "../src/ssh/crypto/noble.js";
import { webCryptoCurves } from "../src/ssh/crypto/webcrypto.js";
import { connectTo } from "./helpers/connect.js";
import { makeClientKey, startSshd, type ClientKey, type TestServer } from "./helpers/servers.js";

// Ed25519/X25519 come from WebCrypto where the runtime has them and from @noble/curves otherwise.
// The two must be interchangeable: same public keys, byte-identical signatures (RFC 8032 signing
// is deterministic), the same verdicts, and agreeing X25519 secrets.

const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));
const BACKENDS: [string, CurveBackend][] = [
  ["webcrypto", webCryptoCurves],
  ["noble", nobleCurves],
];

// RFC 8032 §7.1, TEST 1 and TEST 2 (also what OpenSSL's Ed25519 prints for these seeds).
const RFC8032 = [
  {
    seed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    message: "",
    signature:
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  },
  {
    seed: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    message: "72",
    signature:
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
  },
];

// Low-order X25519 points (RFC 7748 §6.1 asks to refuse the all-zero result they give): 0, 1, and
// the order-8 point 0xe0eb7a7c..., each little-endian u-coordinates.
const LOW_ORDER = [
  "0000000000000000000000000000000000000000000000000000000000000000",
  "0100000000000000000000000000000000000000000000000000000000000000",
  "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
];

describe.each(BACKENDS)("%s curves", (_name, backend) => {
  it.each(RFC8032)("RFC 8032 §7.1 vector: public key, signature, verification", async (v) => {
    expect(await backend.ed25519PublicKey(hex(v.seed))).toEqual(hex(v.publicKey));
    const signer = await backend.ed25519Signer(hex(v.seed));
    expect(signer.publicKey).toEqual(hex(v.publicKey));
    expect(await signer.sign(hex(v.message))).toEqual(hex(v.signature));
    expect(await backend.ed25519Verify(hex(v.publicKey), hex(v.signature), hex(v.message))).toBe(true);
    expect(await backend.ed25519Verify(hex(v.publicKey), hex(v.signature), hex(v.message + "00"))).toBe(false);
  });

  it("derives the signer's public key from the seed, never from the claimed one it is given", async () => {
    const v = RFC8032[0]!;
    const other = hex(RFC8032[1]!.publicKey);
    const signer = await backend.ed25519Signer(hex(v.seed), other);
    expect(signer.publicKey).toEqual(hex(v.publicKey));
    expect(await signer.sign(hex(v.message))).toEqual(hex(v.signature));
    expect((await backend.ed25519Signer(hex(v.seed), hex(v.publicKey))).publicKey).toEqual(hex(v.publicKey));
  });

  it("verification says false, without throwing, for a public key that is not a curve point or has the wrong size", async () => {
    const v = RFC8032[0]!;
    // y = 2 is not the y-coordinate of any point on edwards25519.
    const notAPoint = hex("0200000000000000000000000000000000000000000000000000000000000000");
    expect(await backend.ed25519Verify(notAPoint, hex(v.signature), hex(v.message))).toBe(false);
    expect(await backend.ed25519Verify(hex(v.publicKey).subarray(0, 31), hex(v.signature), hex(v.message))).toBe(false);
  });

  it.each(LOW_ORDER)("X25519 refuses the low-order peer key %s", async (point) => {
    const pair = await backend.x25519KeyPair();
    await expect(pair.agree(hex(point))).rejects.toThrow();
  });

  it("generates Ed25519 key pairs whose public half is the seed's, fresh each time", async () => {
    const a = await backend.ed25519Generate();
    const b = await backend.ed25519Generate();
    expect(a.seed).toHaveLength(32);
    expect(a.seed).not.toEqual(b.seed);
    // Cross-checked with the other backend's derivation.
    const other = backend === webCryptoCurves ? nobleCurves : webCryptoCurves;
    expect(await other.ed25519PublicKey(a.seed)).toEqual(a.publicKey);
    const sig = await (await backend.ed25519Signer(a.seed)).sign(new Uint8Array([1, 2, 3]));
    expect(await other.ed25519Verify(a.publicKey, sig, new Uint8Array([1, 2, 3]))).toBe(true);
  });

  it("gives a fresh X25519 key pair each time", async () => {
    const a = await backend.x25519KeyPair();
    const b = await backend.x25519KeyPair();
    expect(a.publicKey).toHaveLength(32);
    expect(a.publicKey).not.toEqual(b.publicKey);
  });
});

describe("WebCrypto and @noble/curves agree", () => {
  const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });

  it("on public keys, signatures and verdicts for random seeds, messages and bit flips", async () => {
    await fc.assert(
      fc.asyncProperty(bytes(32), fc.uint8Array({ maxLength: 300 }), fc.nat(), async (seed, message, flip) => {
        const pub = await webCryptoCurves.ed25519PublicKey(seed);
        expect(await nobleCurves.ed25519PublicKey(seed)).toEqual(pub);
        const sig = await (await webCryptoCurves.ed25519Signer(seed)).sign(message);
        expect(await (await nobleCurves.ed25519Signer(seed)).sign(message)).toEqual(sig);
        const bad = sig.slice();
        bad[flip % 64]! ^= 1 << (flip % 8);
        for (const b of [webCryptoCurves, nobleCurves]) {
          expect(await b.ed25519Verify(pub, sig, message)).toBe(true);
          expect(await b.ed25519Verify(pub, bad, message)).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("on X25519 shared secrets between a key pair of each", async () => {
    for (let i = 0; i < 50; i++) {
      const a = await webCryptoCurves.x25519KeyPair();
      const b = await nobleCurves.x25519KeyPair();
      const ab = await a.agree(b.publicKey);
      expect(ab).toHaveLength(32);
      expect(await b.agree(a.publicKey)).toEqual(ab);
    }
  });
});

describe("backend selection", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("prefers WebCrypto on Node; can be pinned to @noble/curves", async () => {
    expect(await prepareCurves()).toBe("webcrypto");
    expect(curveImplementation()).toBe("webcrypto");
    expect(await prepareCurves({ webcrypto: false })).toBe("noble");
    expect(curveImplementation()).toBe("noble");
    expect(await prepareCurves()).toBe("webcrypto");
  });

  it("falls back to @noble/curves where WebCrypto lacks Ed25519/X25519", async () => {
    vi.resetModules();
    const real = globalThis.crypto;
    const refusing = {
      ...real.subtle,
      importKey: async () => {
        throw new DOMException("Unrecognized name.", "NotSupportedError");
      },
    };
    vi.stubGlobal("crypto", { getRandomValues: real.getRandomValues.bind(real), subtle: refusing });
    const fresh = await import("../src/ssh/crypto/backend.js");
    expect(fresh.curveImplementation()).toBe(null);
    const backend = await fresh.curves();
    expect(backend.name).toBe("noble");
    expect(await backend.ed25519PublicKey(hex(RFC8032[0]!.seed))).toEqual(hex(RFC8032[0]!.publicKey));
  });
});

describe("a real login with each backend", () => {
  let server: TestServer;
  let key: ClientKey;

  beforeAll(async () => {
    key = await makeClientKey();
    server = await startSshd({ authorizedKeys: [key.publicKeyLine] });
  });
  afterAll(async () => {
    await server?.stop();
    await prepareCurves();
  });

  it.each([true, false])("sshd: kex, host key check, publickey auth and exec (webcrypto: %s)", async (webcrypto) => {
    expect(await prepareCurves({ webcrypto })).toBe(webcrypto ? "webcrypto" : "noble");
    const client = await connectTo(server, key);
    try {
      const ch = await client.exec("echo curves-ok");
      const out = await new Response(ch.stdout).text();
      expect(out).toBe("curves-ok\n");
      expect((await ch.exit).code).toBe(0);
    } finally {
      await client.close();
    }
  });
});
