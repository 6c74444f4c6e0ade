import { curves } from "../crypto/backend.js";
import type { Ed25519Signer } from "../crypto/types.js";
import { KeyFormatError } from "../errors.js";
import { concatBytes, equalBytes } from "../wire/bytes.js";
import { corruptedKey, type KeyType } from "./key-type.js";

/** ssh-ed25519 (RFC 8709): the public key is 32 bytes; the private section holds seed || public. */

export interface Ed25519Public {
  publicKey: Uint8Array;
}
export interface Ed25519Private extends Ed25519Public {
  seed: Uint8Array;
}

/** One backend signer per key: made by the parse-time check, reused by every signature. */
const signers = new WeakMap<Ed25519Private, Promise<Ed25519Signer>>();
const signerOf = (key: Ed25519Private): Promise<Ed25519Signer> => {
  let signer = signers.get(key);
  if (!signer) signers.set(key, (signer = curves().then((c) => c.ed25519Signer(key.seed, key.publicKey))));
  return signer;
};

export const ED25519: KeyType<Ed25519Public, Ed25519Private> = {
  name: "ssh-ed25519",
  algorithms: [
    {
      name: "ssh-ed25519",
      hash: "sha512",
      async verify(key, signature, data) {
        if (signature.length !== 64) return false;
        return (await curves()).ed25519Verify(key.publicKey, signature, data);
      },
      async sign(key, data) {
        return (await signerOf(key)).sign(data);
      },
    },
  ],
  readPublic(r) {
    const publicKey = r.string(64).slice();
    if (publicKey.length !== 32) throw new KeyFormatError(`ssh-ed25519 public key must be 32 bytes, got ${publicKey.length}`);
    return { publicKey };
  },
  writePublic(w, key) {
    w.string(key.publicKey);
  },
  rawKey: (key) => key.publicKey,
  bits: () => 256,
  readPrivate(r) {
    const publicKey = r.string(64).slice();
    const secret = r.string(128);
    if (publicKey.length !== 32 || secret.length !== 64) throw new KeyFormatError("ed25519 key fields have the wrong length");
    if (!equalBytes(secret.subarray(32), publicKey)) throw corruptedKey("the ed25519 secret's public half does not match the key");
    return { publicKey, seed: secret.slice(0, 32) };
  },
  writePrivate(w, key) {
    const secret = concatBytes(key.seed, key.publicKey);
    w.string(key.publicKey).string(secret);
    secret.fill(0);
  },
  publicOf: (key) => ({ publicKey: key.publicKey }),
  async check(key) {
    const { publicKey } = await signerOf(key);
    if (!equalBytes(publicKey, key.publicKey)) {
      signers.delete(key);
      throw corruptedKey("the ed25519 seed does not give the stored public key");
    }
  },
  async generate() {
    const { seed, publicKey } = await (await curves()).ed25519Generate();
    return { seed, publicKey };
  },
  wipe(key) {
    key.seed.fill(0);
  },
};
