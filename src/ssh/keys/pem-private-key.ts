import { md5, sha1 } from "@noble/hashes/legacy.js";
import { pbkdf2Async } from "@noble/hashes/pbkdf2.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { curves } from "../crypto/backend.js";
import { ecdsaPublicKey, ECDSA_CURVE_BYTES, type EcdsaCurveName } from "../crypto/ecdsa.js";
import { KeyDecryptionError, KeyFormatError } from "../errors.js";
import { concatBytes, utf8 } from "../wire/bytes.js";
import { DerReader } from "./der.js";
import { ECDSA_P256, ECDSA_P384, ECDSA_P521 } from "./key-ecdsa.js";
import { ED25519 } from "./key-ed25519.js";
import { checkRsaExponent, checkRsaSize, RSA, rsaPrivateFromParts } from "./key-rsa.js";
import { corruptedKey } from "./key-type.js";
import { readArmor } from "./pem-armor.js";
import { PrivateKey } from "./private-key.js";

/**
 * The private key files OpenSSL writes (and `ssh-keygen -m PEM` / `-m PKCS8`): PKCS#1 "RSA PRIVATE
 * KEY" (RFC 8017 A.1.2), SEC1 "EC PRIVATE KEY" (RFC 5915), PKCS#8 "PRIVATE KEY" (RFC 5208/5958) and
 * "ENCRYPTED PRIVATE KEY" (PBES2 with PBKDF2 and AES-CBC, RFC 8018); the first two also with
 * OpenSSL's legacy "Proc-Type: 4,ENCRYPTED" / "DEK-Info: AES-128-CBC,<iv>" (key from EVP_BytesToKey
 * with MD5).
 */

const LABELS = new Set(["RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY"]);

const OID = {
  rsaEncryption: "1.2.840.113549.1.1.1",
  ecPublicKey: "1.2.840.10045.2.1",
  ed25519: "1.3.101.112",
  pbes2: "1.2.840.113549.1.5.13",
  pbkdf2: "1.2.840.113549.1.5.12",
  hmacWithSHA1: "1.2.840.113549.2.7",
  hmacWithSHA256: "1.2.840.113549.2.9",
  hmacWithSHA512: "1.2.840.113549.2.11",
} as const;

const CURVES: Record<string, EcdsaCurveName> = {
  "1.2.840.10045.3.1.7": "nistp256",
  "1.3.132.0.34": "nistp384",
  "1.3.132.0.35": "nistp521",
};
const AES_CBC: Record<string, number> = {
  "2.16.840.1.101.3.4.1.2": 16,
  "2.16.840.1.101.3.4.1.22": 24,
  "2.16.840.1.101.3.4.1.42": 32,
};
const ROWS = { nistp256: ECDSA_P256, nistp384: ECDSA_P384, nistp521: ECDSA_P521 } as const;
/** PBKDF2 iteration counts above this (OpenSSL writes 2048) are refused rather than left to spin. */
const MAX_PBKDF2_ITERATIONS = 10_000_000;

const aes = () => import("@noble/ciphers/aes.js");

const needPassphrase = (what: string) => new KeyDecryptionError(`the private key is encrypted (${what}): a passphrase is needed to use it`);
const wrongPassphrase = () => new KeyDecryptionError("wrong passphrase: the private key did not decrypt");

/** AES-CBC with PKCS#7 padding; a padding failure means the passphrase was wrong. */
async function aesCbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const { cbc } = await aes();
  try {
    return cbc(key, iv).decrypt(data);
  } catch {
    throw wrongPassphrase();
  }
}

/** OpenSSL's EVP_BytesToKey with MD5 and one iteration: D_i = MD5(D_{i-1} || passphrase || salt). */
function evpBytesToKey(passphrase: Uint8Array, salt: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let previous = new Uint8Array(0);
  for (let filled = 0; filled < length; ) {
    previous = md5(concatBytes(previous, passphrase, salt));
    out.set(previous.subarray(0, Math.min(previous.length, length - filled)), filled);
    filled += previous.length;
  }
  return out;
}

function hexBytes(hex: string): Uint8Array | null {
  if (!/^([0-9a-fA-F]{2})+$/.test(hex)) return null;
  return Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
}

async function legacyDecrypt(headers: Map<string, string>, body: Uint8Array, passphrase: string | undefined): Promise<Uint8Array> {
  const info = headers.get("DEK-Info") ?? "";
  const [cipher = "", ivHex = ""] = info.split(",").map((s) => s.trim());
  const keyLength = { "AES-128-CBC": 16, "AES-192-CBC": 24, "AES-256-CBC": 32 }[cipher];
  const iv = hexBytes(ivHex);
  if (!keyLength || !iv || iv.length !== 16) {
    throw new KeyFormatError(
      `the PEM key is encrypted with "${cipher || info}", which is not supported (AES-128/192/256-CBC are); ` +
        "convert it: ssh-keygen -p -f KEYFILE (rewrites it in OpenSSH format)",
    );
  }
  if (!passphrase) throw needPassphrase(`PEM ${cipher}`);
  const key = evpBytesToKey(utf8(passphrase), iv.subarray(0, 8), keyLength);
  try {
    return await aesCbcDecrypt(key, iv, body);
  } finally {
    key.fill(0);
  }
}

async function pkcs8Decrypt(der: Uint8Array, passphrase: string | undefined): Promise<Uint8Array> {
  const top = new DerReader(der, "encrypted PKCS#8 key").sequence();
  const alg = top.sequence();
  const scheme = alg.oid();
  if (scheme !== OID.pbes2) {
    throw new KeyFormatError(`the PKCS#8 key is encrypted with scheme ${scheme}; only PBES2 (PBKDF2 + AES-CBC) is supported: convert it with ssh-keygen -p -f KEYFILE`);
  }
  const params = alg.sequence();
  const kdf = params.sequence();
  if (kdf.oid() !== OID.pbkdf2) throw new KeyFormatError("the PKCS#8 key uses a key derivation other than PBKDF2, which is not supported");
  const kdfParams = kdf.sequence();
  const salt = kdfParams.octetString();
  const iterations = kdfParams.smallInteger();
  let keyLength: number | null = null;
  if (kdfParams.peekTag() === 0x02) keyLength = kdfParams.smallInteger();
  let prf: string = OID.hmacWithSHA1;
  if (kdfParams.remaining > 0) prf = kdfParams.sequence().oid();
  const enc = params.sequence();
  const encOid = enc.oid();
  const aesKeyLength = AES_CBC[encOid];
  if (!aesKeyLength) throw new KeyFormatError(`the PKCS#8 key is encrypted with cipher ${encOid}; only AES-CBC is supported: convert it with ssh-keygen -p -f KEYFILE`);
  const iv = enc.octetString();
  const data = top.octetString();
  const hash = prf === OID.hmacWithSHA1 ? sha1 : prf === OID.hmacWithSHA256 ? sha256 : prf === OID.hmacWithSHA512 ? sha512 : null;
  if (!hash) throw new KeyFormatError(`the PKCS#8 key uses PBKDF2 with PRF ${prf}; HMAC-SHA1/SHA256/SHA512 are supported`);
  if (iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS) throw new KeyFormatError(`the PKCS#8 key asks for ${iterations} PBKDF2 iterations`);
  if ((keyLength !== null && keyLength !== aesKeyLength) || iv.length !== 16) throw new KeyFormatError("the PKCS#8 key's cipher parameters are inconsistent");
  if (!passphrase) throw needPassphrase("PKCS#8, PBES2");
  const key = await pbkdf2Async(hash, utf8(passphrase), salt, { c: iterations, dkLen: aesKeyLength });
  try {
    return await aesCbcDecrypt(key, iv, data);
  } finally {
    key.fill(0);
  }
}

function rsaFromPkcs1(der: Uint8Array): PrivateKey {
  const r = new DerReader(der, "RSA private key").sequence();
  if (r.integer() !== 0n) throw new KeyFormatError("multi-prime RSA keys are not supported");
  const [n, e, d, p, q] = [r.integer(), r.integer(), r.integer(), r.integer(), r.integer()];
  r.integer(); // dp and dq are recomputed from d
  r.integer();
  const qi = r.integer();
  checkRsaExponent(e);
  checkRsaSize(n);
  return new PrivateKey(RSA, rsaPrivateFromParts(n, e, d, p, q, qi));
}

async function ecFromSec1(der: Uint8Array, curveFromPkcs8: EcdsaCurveName | null): Promise<PrivateKey> {
  const r = new DerReader(der, "EC private key").sequence();
  if (r.integer() !== 1n) throw new KeyFormatError("unknown EC private key version");
  const scalar = r.octetString();
  const params = r.optionalExplicit(0);
  const curveOid = params ? params.oid() : null;
  const publicField = r.optionalExplicit(1);
  const curve = curveOid ? CURVES[curveOid] : curveFromPkcs8;
  if (!curve) throw new KeyFormatError(`the EC key is on curve ${curveOid ?? "(unnamed)"}; only NIST P-256, P-384 and P-521 are supported`);
  const size = ECDSA_CURVE_BYTES[curve];
  if (scalar.length > size) throw corruptedKey(`the ${curve} private scalar is too long`);
  const d = new Uint8Array(size);
  d.set(scalar, size - scalar.length);
  let point: Uint8Array;
  try {
    point = publicField ? publicField.bitString().slice() : await ecdsaPublicKey(curve, d);
  } catch (e) {
    if (e instanceof KeyFormatError) throw e;
    throw corruptedKey(`the ${curve} private scalar is out of range`);
  }
  return new PrivateKey(ROWS[curve], { curve, d, point });
}

async function fromPkcs8(der: Uint8Array): Promise<PrivateKey> {
  const r = new DerReader(der, "PKCS#8 key").sequence();
  const version = r.integer();
  if (version > 1n) throw new KeyFormatError(`unknown PKCS#8 version ${version}`);
  const alg = r.sequence();
  const oid = alg.oid();
  const privateKey = r.octetString();
  if (oid === OID.rsaEncryption) return rsaFromPkcs1(privateKey);
  if (oid === OID.ecPublicKey) {
    const curveOid = alg.oid();
    const curve = CURVES[curveOid];
    if (!curve) throw new KeyFormatError(`the EC key is on curve ${curveOid}; only NIST P-256, P-384 and P-521 are supported`);
    return ecFromSec1(privateKey, curve);
  }
  if (oid === OID.ed25519) {
    const seed = new DerReader(privateKey, "Ed25519 private key").octetString();
    if (seed.length !== 32) throw new KeyFormatError(`an Ed25519 private key is 32 bytes, this one ${seed.length}`);
    const publicKey = await (await curves()).ed25519PublicKey(seed);
    return new PrivateKey(ED25519, { seed: seed.slice(), publicKey });
  }
  throw new KeyFormatError(`the PKCS#8 key's algorithm ${oid} is not supported (RSA, ECDSA P-256/384/521 and Ed25519 are)`);
}

/**
 * Parse an OpenSSL-format private key (see the module comment). Throws KeyFormatError for what we
 * cannot read or a key whose halves disagree, KeyDecryptionError for a missing or wrong passphrase.
 */
export async function parsePemPrivateKey(text: string, passphrase?: string): Promise<PrivateKey> {
  const armor = readArmor(text);
  if (!armor || !LABELS.has(armor.label)) throw new KeyFormatError("not a PEM or PKCS#8 private key");
  if (!armor.body) throw new KeyFormatError(`the ${armor.label} block's base64 body is damaged (invalid base64)`);
  let der = armor.body;
  const legacy = armor.headers.get("Proc-Type")?.includes("ENCRYPTED") ?? false;
  if (legacy) der = await legacyDecrypt(armor.headers, der, passphrase);
  if (armor.label === "ENCRYPTED PRIVATE KEY") der = await pkcs8Decrypt(der, passphrase);
  const encrypted = legacy || armor.label === "ENCRYPTED PRIVATE KEY";
  let key: PrivateKey;
  try {
    if (armor.label === "RSA PRIVATE KEY") key = rsaFromPkcs1(der);
    else if (armor.label === "EC PRIVATE KEY") key = await ecFromSec1(der, null);
    else key = await fromPkcs8(der);
  } catch (e) {
    // A wrong passphrase that happened to leave valid padding gives garbage DER.
    if (encrypted && e instanceof KeyFormatError && /^malformed /.test(e.message)) throw wrongPassphrase();
    throw e;
  } finally {
    if (der !== armor.body) der.fill(0);
  }
  await key.check();
  return key;
}
