import { createCipheriv, createDecipheriv, createHmac, createSecretKey, type Cipher, type CipherGCMTypes, type KeyObject } from "node:crypto";
import { registerAesBackend, type AesBackend, type CtrStream, type GcmKey, type HmacHash, type HmacKey } from "../../ssh/cipher/aes-backend.js";

/**
 * The AES backend on node:crypto (OpenSSL with AES-NI / PCLMUL where the CPU has them). Deno and
 * Bun implement node:crypto too, so the same adapter serves them. Node's cipher objects return
 * fresh output buffers; the results are copied back so the packet layer's in-place contract holds.
 */

const aesName = (mode: "gcm" | "ctr", keyLength: number): string => {
  if (keyLength !== 16 && keyLength !== 24 && keyLength !== 32) throw new Error(`AES-${mode.toUpperCase()} needs a 16, 24 or 32-byte key`);
  return `aes-${keyLength * 8}-${mode}`;
};

class NodeGcm implements GcmKey {
  private readonly algorithm: CipherGCMTypes;
  private readonly key: KeyObject;

  constructor(key: Uint8Array) {
    this.algorithm = aesName("gcm", key.length) as CipherGCMTypes;
    this.key = createSecretKey(key);
  }

  seal(iv: Uint8Array, aad: Uint8Array, data: Uint8Array, tag: Uint8Array): void {
    // The IV changes every packet, so each packet needs its own cipher object.
    const c = createCipheriv(this.algorithm, this.key, iv);
    c.setAAD(aad);
    data.set(c.update(data));
    c.final();
    tag.set(c.getAuthTag());
  }

  open(iv: Uint8Array, aad: Uint8Array, data: Uint8Array, tag: Uint8Array): boolean {
    const plain = this.decrypt(iv, aad, data, tag);
    if (!plain) return false;
    data.set(plain);
    return true;
  }

  /** The plaintext in the buffer node:crypto returned: no copy back into `data`. */
  decrypt(iv: Uint8Array, aad: Uint8Array, data: Uint8Array, tag: Uint8Array): Uint8Array | null {
    const d = createDecipheriv(this.algorithm, this.key, iv);
    d.setAAD(aad);
    d.setAuthTag(tag);
    const plain = d.update(data);
    try {
      d.final(); // OpenSSL compares the tag in constant time; a mismatch throws here
    } catch {
      return null;
    }
    return new Uint8Array(plain.buffer, plain.byteOffset, plain.byteLength);
  }
}

class NodeCtr implements CtrStream {
  /** One cipher for the life of the key: OpenSSL carries the counter across update() calls. */
  private readonly cipher: Cipher;

  constructor(key: Uint8Array, iv: Uint8Array) {
    if (iv.length !== 16) throw new Error("AES-CTR needs a 16-byte counter block");
    this.cipher = createCipheriv(aesName("ctr", key.length), key, iv);
  }

  update(data: Uint8Array): void {
    data.set(this.cipher.update(data));
  }

  xor(data: Uint8Array): Uint8Array {
    const out = this.cipher.update(data);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }
}

class NodeHmac implements HmacKey {
  private readonly key: KeyObject;
  private readonly seq4 = new Uint8Array(4);

  constructor(
    private readonly hash: HmacHash,
    key: Uint8Array,
  ) {
    // An empty HMAC key is legal (RFC 2104) but createSecretKey refuses it; SSH never derives one.
    this.key = createSecretKey(key);
  }

  mac(seq: number, a: Uint8Array, b: Uint8Array | null, out: Uint8Array): void {
    const s = this.seq4;
    s[0] = seq >>> 24;
    s[1] = seq >>> 16;
    s[2] = seq >>> 8;
    s[3] = seq;
    const h = createHmac(this.hash, this.key).update(s).update(a);
    if (b) h.update(b);
    out.set(h.digest());
  }
}

export const nodeAesBackend: AesBackend = {
  name: "node:crypto",
  gcm: (key) => new NodeGcm(key),
  ctr: (key, iv) => new NodeCtr(key, iv),
  hmac: (hash, key) => new NodeHmac(hash, key),
};

/** Make AES ciphers and HMACs created from now on use node:crypto (call once at platform startup). */
export function installNodeAes(): void {
  registerAesBackend(nodeAesBackend);
}
