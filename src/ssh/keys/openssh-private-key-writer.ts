import { randomBytes, utf8 } from "../wire/bytes.js";
import { SshWriter } from "../wire/writer.js";
import { writeArmor } from "./pem-armor.js";
import { keyFileCipher, withPassphraseKey } from "./private-key-ciphers.js";
import type { AnyKeyType } from "./key-types.js";
import { encodePublicBlob } from "./public-key.js";

/** "openssh-key-v1" and its terminating NUL (OpenSSH PROTOCOL.key). */
export const OPENSSH_KEY_MAGIC = utf8("openssh-key-v1\0");
export const OPENSSH_KEY_LABEL = "OPENSSH PRIVATE KEY";
/** ssh-keygen's defaults: 16 bcrypt rounds (sshkey.c DEFAULT_ROUNDS), a 16-byte salt, aes256-ctr. */
export const DEFAULT_KDF_ROUNDS = 16;
const SALT_BYTES = 16;
const DEFAULT_CIPHER = "aes256-ctr";

export interface PrivateKeyEncryption {
  /** Encrypt with this passphrase; absent or empty writes an unencrypted key, as ssh-keygen does. */
  passphrase?: string;
  /** bcrypt_pbkdf rounds (ssh-keygen -a); default 16. */
  rounds?: number;
  /** Cipher name as in `ssh-keygen -Z`; default aes256-ctr. */
  cipher?: string;
}

export interface KeyMaterial {
  keyType: AnyKeyType;
  /** The row's private key object. */
  key: unknown;
  comment: string;
}

/**
 * Serialize one key as openssh-key-v1 text, byte-compatible with ssh-keygen's output: check ints,
 * private section "string type, the type's private fields (key-type rows), string comment",
 * padding 1, 2, 3... to the cipher block size, then 70-column base64 armor.
 */
export async function encodeOpenSSHPrivateKey(key: KeyMaterial, encryption: PrivateKeyEncryption = {}): Promise<string> {
  const encrypted = !!encryption.passphrase;
  const cipher = keyFileCipher(encrypted ? (encryption.cipher ?? DEFAULT_CIPHER) : "none");
  const rounds = encryption.rounds ?? DEFAULT_KDF_ROUNDS;
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError("bcrypt rounds must be a positive integer");

  const check = randomBytes(4);
  const section = new SshWriter(256).raw(check).raw(check).string(key.keyType.name);
  key.keyType.writePrivate(section, key.key);
  section.string(key.comment);
  for (let pad = 1; section.length % cipher.blockSize !== 0; pad++) section.byte(pad);
  const plain = section.finish();

  let kdfName = "none";
  let kdfOptions = new Uint8Array(0);
  let sealed: { data: Uint8Array; tag: Uint8Array } = { data: plain, tag: new Uint8Array(0) };
  if (encrypted) {
    const salt = randomBytes(SALT_BYTES);
    kdfName = "bcrypt";
    kdfOptions = new SshWriter(32).string(salt).uint32(rounds).finish().slice();
    try {
      sealed = await withPassphraseKey(cipher, encryption.passphrase!, salt, rounds, (key, iv) => cipher.encrypt(key, iv, plain));
    } finally {
      plain.fill(0);
    }
  }

  const file = new SshWriter(512)
    .raw(OPENSSH_KEY_MAGIC)
    .string(cipher.name)
    .string(kdfName)
    .string(kdfOptions)
    .uint32(1)
    .string(encodePublicBlob(key.keyType, key.keyType.publicOf(key.key)))
    .string(sealed.data)
    .raw(sealed.tag)
    .finish();
  return writeArmor(OPENSSH_KEY_LABEL, file);
}
