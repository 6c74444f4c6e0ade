import { KeyDecryptionError, KeyFormatError, ProtocolError } from "../errors.js";
import { equalBytes, fromUtf8 } from "../wire/bytes.js";
import { SshReader } from "../wire/reader.js";
import { keyTypeNamed, type AnyKeyType } from "./key-types.js";
import { encodePublicBlob } from "./public-key.js";
import { PrivateKey } from "./private-key.js";
import { OPENSSH_KEY_LABEL, OPENSSH_KEY_MAGIC, type PrivateKeyEncryption } from "./openssh-private-key-writer.js";
import { readArmor } from "./pem-armor.js";
import { keyFileCipher, withPassphraseKey, type KeyFileCipher } from "./private-key-ciphers.js";
import { foreignKeyFormatError, unsupportedKeyTypeError } from "./private-key-formats.js";
import { decodePublicBlob, formatPublicKeyLine } from "./public-key.js";

/**
 * Reading openssh-key-v1 private keys (OpenSSH PROTOCOL.key): the armored container, the bcrypt
 * KDF and cipher, and the private section of one key of a type in the key-type table.
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
  keyType: AnyKeyType;
  cipher: KeyFileCipher;
  salt: Uint8Array;
  section: Uint8Array;
  tag: Uint8Array;
}

const PEM_LABELS = /-----BEGIN (RSA PRIVATE KEY|EC PRIVATE KEY|PRIVATE KEY|ENCRYPTED PRIVATE KEY)-----/;

/** Whether `input` is in one of OpenSSL's formats (pem-private-key.ts reads them). */
export function isPemPrivateKey(input: string | Uint8Array): boolean {
  return PEM_LABELS.test(typeof input === "string" ? input : fromUtf8(input.subarray(0, 4096)));
}

function decodeText(input: string | Uint8Array): Uint8Array {
  const text = typeof input === "string" ? input : fromUtf8(input);
  const armor = readArmor(text);
  if (!armor || armor.label !== OPENSSH_KEY_LABEL || !armor.body) {
    if (armor && isPemPrivateKey(text)) {
      throw new KeyFormatError(
        `the private key is in OpenSSL's "${armor.label}" format, whose header says nothing without decoding it: ` +
          "parsePrivateKey reads it; to inspect it, convert it to OpenSSH format with ssh-keygen -p -f KEYFILE",
      );
    }
    throw foreignKeyFormatError(text);
  }
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
    let keyType: AnyKeyType;
    try {
      keyType = keyTypeNamed(type);
      if (keyType.name !== type) throw new KeyFormatError("certificate");
    } catch {
      throw unsupportedKeyTypeError(type);
    }
    decodePublicBlob(publicBlob);
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
    return { info, keyType, cipher, salt, section, tag };
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

/** The private section: check ints, one key, comment, padding 1, 2, 3... (PROTOCOL.key). */
async function readSection(c: Container, plain: Uint8Array): Promise<PrivateKey> {
  const r = new SshReader(plain);
  const check1 = r.uint32();
  const check2 = r.uint32();
  if (check1 !== check2) {
    if (c.info.encrypted) throw new KeyDecryptionError("wrong passphrase: the private key did not decrypt");
    throw new KeyFormatError("corrupt OpenSSH private key: its check numbers differ");
  }
  const { key, comment } = malformed("private section", () => {
    const type = r.text(64);
    if (type !== c.info.type) throw new KeyFormatError(`private section holds "${type}" but the public key is "${c.info.type}"`);
    const key: unknown = c.keyType.readPrivate(r);
    const comment = r.text(4096);
    const padding = r.rest();
    if (!equalBytes(encodePublicBlob(c.keyType, c.keyType.publicOf(key)), c.info.publicBlob)) {
      throw new KeyFormatError("the private section's public key differs from the file's public key");
    }
    if (padding.length >= c.cipher.blockSize || padding.some((b, i) => b !== i + 1)) {
      throw new KeyFormatError("corrupt OpenSSH private key: bad padding after the private section");
    }
    return { key, comment };
  });
  // Unlike OpenSSH, the secret is checked against the public key (ed25519: the seed gives it; ECDSA:
  // d·G = Q; RSA: p·q = n and e·d = 1): a damaged file is named as such instead of making signatures
  // every server refuses.
  await c.keyType.check(key);
  return new PrivateKey(c.keyType, key, comment);
}

/**
 * Parse a private key file (text, or its bytes) into a Signer: openssh-key-v1, PEM PKCS#1 RSA, SEC1
 * EC, PKCS#8 (plain or encrypted); legacy PEM encryption too. Throws KeyFormatError for other formats
 * and key types (with what to do instead) and for keys whose halves disagree, and KeyDecryptionError when the key is
 * encrypted and the passphrase is missing or wrong.
 */
export async function parsePrivateKey(input: string | Uint8Array, passphrase?: string): Promise<PrivateKey> {
  if (isPemPrivateKey(input)) {
    // OpenSSL's formats need a DER reader, MD5, PBKDF2 and AES-CBC: loaded only for such files.
    const { parsePemPrivateKey } = await import("./pem-private-key.js");
    return parsePemPrivateKey(typeof input === "string" ? input : fromUtf8(input), passphrase);
  }
  const container = readContainer(input);
  const plain = await decryptSection(container, passphrase);
  try {
    return await readSection(container, plain);
  } finally {
    if (plain !== container.section) plain.fill(0);
  }
}

/** openssh-key-v1 text for `key`, encrypted with bcrypt + aes256-ctr when a passphrase is given. */
export function serializePrivateKey(key: PrivateKey, encryption: PrivateKeyEncryption = {}): Promise<string> {
  return key.toOpenSSH(encryption);
}
