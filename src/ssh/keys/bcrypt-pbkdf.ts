import { sha512 } from "@noble/hashes/sha2.js";
import { concatBytes, utf8 } from "../wire/bytes.js";
import { BLOWFISH_STATE_WORDS, WordStream, blowfishEncipher, blowfishExpand, blowfishInitState } from "./blowfish.js";

/**
 * bcrypt_pbkdf as OpenSSH uses it for encrypted openssh-key-v1 files (OpenBSD
 * lib/libutil/bcrypt_pbkdf.c; https://flak.tedunangst.com/post/bcrypt-pbkdf): a PBKDF2-like
 * construction whose PRF is a bcrypt core over SHA-512 digests, with the output bytes of the
 * blocks interleaved so that every byte of the key depends on all the work.
 */

const HASH_BYTES = 32;
const HASH_WORDS = HASH_BYTES / 4;
/** Limits from the reference implementation; keys beyond them are not bcrypt_pbkdf keys. */
const MAX_KEY_BYTES = HASH_BYTES * HASH_BYTES;
const MAX_SALT_BYTES = 1 << 20;
/** The bcrypt core encrypts this 32-byte constant 64 times under the expensive key. */
const MAGIC = utf8("OxychromaticBlowfishSwatDynamite");

/** Scratch space for one derivation, allocated once so the inner loops never allocate. */
class BcryptCore {
  readonly state = new Uint32Array(BLOWFISH_STATE_WORDS);
  readonly block = new Uint32Array(2);
  readonly words = new Uint32Array(HASH_WORDS);
  readonly pass = new WordStream(new Uint8Array(0));
  readonly salt = new WordStream(new Uint8Array(0));
  readonly magic = new WordStream(MAGIC);

  /** bcrypt_hash: 64-byte SHA-512 digests of passphrase and salt in, 32 bytes out. */
  hash(sha2pass: Uint8Array, sha2salt: Uint8Array, out: Uint8Array): void {
    const { state, block, words, pass, salt, magic } = this;
    pass.reset(sha2pass);
    salt.reset(sha2salt);
    blowfishInitState(state);
    blowfishExpand(state, pass, salt, block);
    for (let i = 0; i < 64; i++) {
      blowfishExpand(state, salt, null, block);
      blowfishExpand(state, pass, null, block);
    }
    magic.pos = 0;
    for (let i = 0; i < HASH_WORDS; i++) words[i] = magic.next();
    for (let i = 0; i < 64; i++) {
      for (let j = 0; j < HASH_WORDS; j += 2) {
        block[0] = words[j]!;
        block[1] = words[j + 1]!;
        blowfishEncipher(state, block);
        words[j] = block[0]!;
        words[j + 1] = block[1]!;
      }
    }
    // Unlike bcrypt's password hashes, bcrypt_pbkdf emits each word little-endian.
    for (let i = 0; i < HASH_WORDS; i++) {
      const w = words[i]!;
      out[4 * i] = w;
      out[4 * i + 1] = w >>> 8;
      out[4 * i + 2] = w >>> 16;
      out[4 * i + 3] = w >>> 24;
    }
  }
}

/**
 * Derive `keyLength` bytes from `passphrase` and `salt` with `rounds` rounds. Throws RangeError
 * on parameters the reference implementation rejects (empty passphrase or salt, zero rounds, ...).
 */
export function bcryptPbkdf(passphrase: Uint8Array, salt: Uint8Array, rounds: number, keyLength: number): Uint8Array {
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError("bcrypt_pbkdf needs at least 1 round");
  if (passphrase.length === 0) throw new RangeError("bcrypt_pbkdf needs a non-empty passphrase");
  if (salt.length === 0 || salt.length > MAX_SALT_BYTES) throw new RangeError("bcrypt_pbkdf salt must be 1 byte to 1 MiB");
  if (!Number.isInteger(keyLength) || keyLength < 1 || keyLength > MAX_KEY_BYTES) {
    throw new RangeError(`bcrypt_pbkdf key length must be 1..${MAX_KEY_BYTES} bytes`);
  }
  // Each 32-byte block fills every stride-th byte of the key, so all blocks are needed for any prefix.
  const stride = Math.ceil(keyLength / HASH_BYTES);
  const perBlock = Math.ceil(keyLength / stride);
  const key = new Uint8Array(keyLength);
  const core = new BcryptCore();
  const sha2pass = sha512(passphrase);
  const counted = concatBytes(salt, new Uint8Array(4));
  const tmp = new Uint8Array(HASH_BYTES);
  const acc = new Uint8Array(HASH_BYTES);

  for (let block = 1; block <= stride; block++) {
    const n = counted.length;
    counted[n - 4] = block >>> 24;
    counted[n - 3] = block >>> 16;
    counted[n - 2] = block >>> 8;
    counted[n - 1] = block;
    core.hash(sha2pass, sha512(counted), tmp);
    acc.set(tmp);
    for (let r = 1; r < rounds; r++) {
      core.hash(sha2pass, sha512(tmp), tmp);
      for (let i = 0; i < HASH_BYTES; i++) acc[i] = acc[i]! ^ tmp[i]!;
    }
    for (let i = 0; i < perBlock; i++) {
      const dest = i * stride + (block - 1);
      if (dest >= keyLength) break;
      key[dest] = acc[i]!;
    }
  }
  return key;
}
