import { KeyDecryptionError, KeyFormatError, ProtocolError } from "../errors.js";
import { equalBytes, fromUtf8 } from "../wire/bytes.js";
import { SshReader } from "../wire/reader.js";
import { Ed25519PrivateKey } from "./ed25519-private-key.js";
import { OPENSSH_KEY_LABEL, OPENSSH_KEY_MAGIC, type PrivateKeyEncryption } from "./openssh-private-key-writer.js";
import { readArmor } from "./pem-armor.js";
import { keyFileCipher, withPassphraseKey, type KeyFileCipher } from "./private-key-ciphers.js";
import { foreignKeyFormatError, unsupportedKeyTypeError } from "./private-key-formats.js";
import { decodePublicBlob, formatPublicKeyLine } from "./public-key.js";

/**
 * Reading openssh-key-v1 private keys (OpenSSH PROTOCOL.key): the armored container, the bcrypt
 * KDF and cipher, and the private section of one ssh-ed25519 key.
 */

/** Above this many bcrypt rounds (about 10 s of work) a file is refused rather than left to spin. */
export const MAX_KDF_ROUNDS = 1024;

/** What the unencrypted header of a key file says, without needing its passphrase. */
export interface PrivateKeyInfo {
  type: string;
  encrypted: boolean;
  cipher: string;
  kdf: string;
  /** bcrypt rounds; 0 when unencrypted. */
  rounds: number;
  publicBlob: Uint8Array;
  /** "ssh-ed25519 AAAA..." (the comment is inside the private section, so none here). */
  publicKeyLine: string;
}

interface Container {
  info: PrivateKeyInfo;
  /** The raw ed25519 public key of the header's blob. */
  publicKey: Uint8Array;
  cipher: KeyFileCipher;
  salt: Uint8Array;
  section: Uint8Array;
  tag: Uint8Array;
}

function decodeText(input: string | Uint8Array): Uint8Array {
  const text = typeof input === "string" ? input : fromUtf8(input);
  const armor = readArmor(text);
  if (!armor || armor.label !== OPENSSH_KEY_LABEL || !armor.body) throw foreignKeyFormatError(text);
  return armor.body;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length && equalBytes(bytes.subarray(0, prefix.length), prefix);
}

/** Turn the bounds-checked reader's ProtocolError into a key file error. */
function malformed<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ProtocolError) throw new KeyFormatError(`malformed OpenSSH private key (${what}): ${e.message}`);
    throw e;
  }
}

function readContainer(input: string | Uint8Array): Container {
  // Raw openssh-key-v1 bytes are accepted too (e.g. from a secret store that holds the binary).
  const bytes = typeof input !== "string" && startsWith(input, OPENSSH_KEY_MAGIC) ? input : decodeText(input);
  if (!startsWith(bytes, OPENSSH_KEY_MAGIC)) throw new KeyFormatError('malformed OpenSSH private key: missing "openssh-key-v1" magic');
  return malformed("header", () => {
    const r = new SshReader(bytes, OPENSSH_KEY_MAGIC.length);
    const cipherName = r.text(64);
    const kdf = r.text(64);
    const kdfOptions = r.string(1024);
    const count = r.uint32();
    if (count !== 1) throw new KeyFormatError(`the key file holds ${count} keys; OpenSSH key files hold exactly one`);
    const publicBlob = r.string(16 * 1024).slice();
    const section = r.string(64 * 1024);
    const type = new SshReader(publicBlob).text(64);
    if (type !== "ssh-ed25519") throw unsupportedKeyTypeError(type);
    const publicKey = decodePublicBlob(publicBlob).key;
    const cipher = keyFileCipher(cipherName);
    const tag = r.bytes(cipher.tagLength);
    r.end("OpenSSH private key");

    let salt = new Uint8Array(0);
    let rounds = 0;
    if (cipher.name === "none") {
      if (kdf !== "none" || kdfOptions.length !== 0) throw new KeyFormatError(`unencrypted key with KDF "${kdf}"`);
    } else {
      if (kdf !== "bcrypt") throw new KeyFormatError(`unsupported key derivation "${kdf}" (OpenSSH uses bcrypt)`);
      const o = new SshReader(kdfOptions);
      salt = o.string(1024).slice();
      rounds = o.uint32();
      o.end("bcrypt KDF options");
      if (salt.length === 0 || rounds < 1) throw new KeyFormatError("bcrypt KDF options need a salt and at least 1 round");
      if (rounds > MAX_KDF_ROUNDS) {
        throw new KeyFormatError(`the key asks for ${rounds} bcrypt rounds (limit ${MAX_KDF_ROUNDS}); re-encrypt it: ssh-keygen -p -a 16 -f KEYFILE`);
      }
    }
    if (section.length < cipher.blockSize || section.length % cipher.blockSize !== 0) {
      throw new KeyFormatError(`private section length ${section.length} is not a multiple of the ${cipher.name} block size`);
    }
    const info: PrivateKeyInfo = {
      type,
      encrypted: cipher.name !== "none",
      cipher: cipher.name,
      kdf,
      rounds,
      publicBlob,
      publicKeyLine: formatPublicKeyLine({ type, blob: publicBlob }),
    };
    return { info, publicKey, cipher, salt, section, tag };
  });
}

/**
 * Header facts of an OpenSSH private key (type, whether and how it is encrypted, public key) without
 * decrypting it: lets a CLI decide whether to prompt for a passphrase. Throws KeyFormatError.
 */
export function inspectPrivateKey(input: string | Uint8Array): PrivateKeyInfo {
  return readContainer(input).info;
}

async function decryptSection(c: Container, passphrase: string | undefined): Promise<Uint8Array> {
  if (!c.info.encrypted) return c.section;
  if (!passphrase) {
    throw new KeyDecryptionError(
      `the private key is encrypted (${c.info.cipher}, bcrypt ${c.info.rounds} rounds): a passphrase is needed to use it`,
    );
  }
  return withPassphraseKey(c.cipher, passphrase, c.salt, c.info.rounds, (key, iv) => c.cipher.decrypt(key, iv, c.section, c.tag));
}

/** The private section: check ints, one ed25519 key, comment, padding 1, 2, 3... (PROTOCOL.key). */
function readSection(c: Container, plain: Uint8Array): Ed25519PrivateKey {
  const r = new SshReader(plain);
  const check1 = r.uint32();
  const check2 = r.uint32();
  if (check1 !== check2) {
    if (c.info.encrypted) throw new KeyDecryptionError("wrong passphrase: the private key did not decrypt");
    throw new KeyFormatError("corrupt OpenSSH private key: its check numbers differ");
  }
  return malformed("private section", () => {
    const type = r.text(64);
    if (type !== c.info.type) throw new KeyFormatError(`private section holds "${type}" but the public key is "${c.info.type}"`);
    const publicKey = r.string(64);
    const secret = r.string(128);
    const comment = r.text(4096);
    const padding = r.rest();
    if (publicKey.length !== 32 || secret.length !== 64) throw new KeyFormatError("ed25519 key fields have the wrong length");
    if (!equalBytes(publicKey, c.publicKey)) {
      throw new KeyFormatError("the private section's public key differs from the file's public key");
    }
    if (!equalBytes(secret.subarray(32), publicKey)) throw new KeyFormatError("the ed25519 secret's public half does not match the key");
    if (padding.length >= c.cipher.blockSize || padding.some((b, i) => b !== i + 1)) {
      throw new KeyFormatError("corrupt OpenSSH private key: bad padding after the private section");
    }
    // Like OpenSSH, the seed is not re-derived here: the three copies of the public key agree, and a
    // seed that does not match them only makes signatures the server refuses.
    return new Ed25519PrivateKey(secret.subarray(0, 32), publicKey, comment);
  });
}

/**
 * Parse an OpenSSH private key file (text, or its bytes) into a Signer. Throws KeyFormatError for
 * other formats and key types (with what to do instead) and KeyDecryptionError when the key is
 * encrypted and the passphrase is missing or wrong.
 */
export async function parsePrivateKey(input: string | Uint8Array, passphrase?: string): Promise<Ed25519PrivateKey> {
  const container = readContainer(input);
  const plain = await decryptSection(container, passphrase);
  try {
    return readSection(container, plain);
  } finally {
    if (plain !== container.section) plain.fill(0);
  }
}

/** openssh-key-v1 text for `key`, encrypted with bcrypt + aes256-ctr when a passphrase is given. */
export function serializePrivateKey(key: Ed25519PrivateKey, encryption: PrivateKeyEncryption = {}): Promise<string> {
  return key.toOpenSSH(encryption);
}
