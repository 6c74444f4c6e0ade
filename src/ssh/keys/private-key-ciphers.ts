import { KeyDecryptionError, KeyFormatError } from "../errors.js";
import { concatBytes, equalBytes, utf8 } from "../wire/bytes.js";

/**
 * The ciphers OpenSSH can protect an openssh-key-v1 private section with (`ssh-keygen -Z`; the
 * table in OpenSSH's cipher.c). The section is one message: no sequence numbers, no AAD, and for
 * the AEAD ciphers the tag follows the encrypted string in the file (PROTOCOL.key).
 */
export interface KeyFileCipher {
  readonly name: string;
  readonly keyLength: number;
  readonly ivLength: number;
  /** The private section is padded to this (8 when unencrypted). */
  readonly blockSize: number;
  readonly tagLength: number;
  encrypt(key: Uint8Array, iv: Uint8Array, plain: Uint8Array): Promise<{ data: Uint8Array; tag: Uint8Array }>;
  /** Rejects with KeyDecryptionError when an AEAD tag does not verify (a wrong passphrase). */
  decrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array, tag: Uint8Array): Promise<Uint8Array>;
}

/**
 * Derive `cipher`'s key and IV from a passphrase with bcrypt_pbkdf (PROTOCOL.key), hand them to
 * `use`, and wipe them afterwards whatever `use` does.
 */
export async function withPassphraseKey<T>(
  cipher: KeyFileCipher,
  passphrase: string,
  salt: Uint8Array,
  rounds: number,
  use: (key: Uint8Array, iv: Uint8Array) => Promise<T>,
): Promise<T> {
  // Only encrypted key files need bcrypt (and Blowfish): imported for them, not in every bundle.
  const { bcryptPbkdf } = await import("./bcrypt-pbkdf.js");
  const derived = bcryptPbkdf(utf8(passphrase), salt, rounds, cipher.keyLength + cipher.ivLength);
  try {
    return await use(derived.subarray(0, cipher.keyLength), derived.subarray(cipher.keyLength));
  } finally {
    derived.fill(0);
  }
}

// Importing noble's AES builds its lookup tables: ~5 MiB and ~15 ms at start-up, for what only
// encrypted key files need. Loaded on first use instead (and a lazy chunk in browser bundles).
const aes = () => import("@noble/ciphers/aes.js");
// The same for ChaCha20 and Poly1305, which a browser's packets run in WebAssembly instead.
const chacha = async () => ({ ...(await import("@noble/ciphers/chacha.js")), ...(await import("@noble/ciphers/_poly1305.js")) });

const NO_TAG = new Uint8Array(0);
const wrongPassphrase = () => new KeyDecryptionError("wrong passphrase: the private key did not decrypt");

const aesCtr = (bytes: number): KeyFileCipher => ({
  name: `aes${bytes * 8}-ctr`,
  keyLength: bytes,
  ivLength: 16,
  blockSize: 16,
  tagLength: 0,
  encrypt: async (key, iv, plain) => ({ data: (await aes()).ctr(key, iv).encrypt(plain), tag: NO_TAG }),
  decrypt: async (key, iv, data) => (await aes()).ctr(key, iv).decrypt(data),
});

const aesCbc = (bytes: number): KeyFileCipher => ({
  name: `aes${bytes * 8}-cbc`,
  keyLength: bytes,
  ivLength: 16,
  blockSize: 16,
  tagLength: 0,
  // The private section carries its own 1, 2, 3... padding; no PKCS#7 on top.
  encrypt: async (key, iv, plain) => ({ data: (await aes()).cbc(key, iv, { disablePadding: true }).encrypt(plain), tag: NO_TAG }),
  decrypt: async (key, iv, data) => (await aes()).cbc(key, iv, { disablePadding: true }).decrypt(data),
});

const aesGcm = (bytes: number): KeyFileCipher => ({
  name: `aes${bytes * 8}-gcm@openssh.com`,
  keyLength: bytes,
  ivLength: 12,
  blockSize: 16,
  tagLength: 16,
  encrypt: async (key, iv, plain) => {
    const sealed = (await aes()).gcm(key, iv).encrypt(plain);
    return { data: sealed.subarray(0, plain.length), tag: sealed.subarray(plain.length) };
  },
  decrypt: async (key, iv, data, tag) => {
    const { gcm } = await aes();
    try {
      return gcm(key, iv).decrypt(concatBytes(data, tag));
    } catch {
      throw wrongPassphrase();
    }
  },
});

/**
 * chacha20-poly1305@openssh.com on one message with sequence number 0 and no length field
 * (PROTOCOL.chacha20poly1305 with aadlen 0): only the first 32 key bytes (K_2) are used.
 */
const chachaPoly: KeyFileCipher = {
  name: "chacha20-poly1305@openssh.com",
  keyLength: 64,
  ivLength: 0,
  blockSize: 8,
  tagLength: 16,
  encrypt: async (key, _iv, plain) => {
    const { chacha20orig, poly1305 } = await chacha();
    const k2 = key.subarray(0, 32);
    const nonce = new Uint8Array(8);
    const data = chacha20orig(k2, nonce, plain, undefined, 1);
    const polyKey = chacha20orig(k2, nonce, new Uint8Array(32), undefined, 0);
    return { data, tag: poly1305(data, polyKey) };
  },
  decrypt: async (key, _iv, data, tag) => {
    const { chacha20orig, poly1305 } = await chacha();
    const k2 = key.subarray(0, 32);
    const nonce = new Uint8Array(8);
    const polyKey = chacha20orig(k2, nonce, new Uint8Array(32), undefined, 0);
    if (!equalBytes(poly1305(data, polyKey), tag)) throw wrongPassphrase();
    return chacha20orig(k2, nonce, data, undefined, 1);
  },
};

const none: KeyFileCipher = {
  name: "none",
  keyLength: 0,
  ivLength: 0,
  blockSize: 8,
  tagLength: 0,
  encrypt: async (_k, _iv, plain) => ({ data: plain, tag: NO_TAG }),
  decrypt: async (_k, _iv, data) => data,
};

const CIPHERS = new Map<string, KeyFileCipher>(
  [none, aesCtr(16), aesCtr(24), aesCtr(32), aesCbc(16), aesCbc(24), aesCbc(32), aesGcm(16), aesGcm(32), chachaPoly].map((c) => [c.name, c]),
);

export function keyFileCipher(name: string): KeyFileCipher {
  const cipher = CIPHERS.get(name);
  if (!cipher) {
    throw new KeyFormatError(
      `private key is encrypted with "${name}", which is not supported (supported: ${[...CIPHERS.keys()].join(", ")}); ` +
        `re-encrypt it with: ssh-keygen -p -Z aes256-ctr -f KEYFILE`,
    );
  }
  return cipher;
}
