import { KeyFormatError } from "../errors.js";
import { readArmor } from "./pem-armor.js";

/**
 * Recognising the key files we do not read, so the error can say what the file is and what to do.
 * We read ed25519, ECDSA (P-256/384/521) and RSA keys in openssh-key-v1, PEM (PKCS#1, SEC1) and
 * PKCS#8; this names the rest (DSA, FIDO security keys, PuTTY, ssh.com...).
 */

export const SUPPORTED_PRIVATE_KEYS =
  'supported are ed25519, ECDSA (nistp256/384/521) and RSA (2048 bits or more) private keys in OpenSSH format ("-----BEGIN OPENSSH PRIVATE KEY-----"), PEM or PKCS#8';
const MAKE_ED25519 = "create an ed25519 key with `ssh-keygen -t ed25519` (or `mcp-ssh keygen`) and add its .pub line to the server's authorized_keys";

/** Friendly names for key types found inside files. */
function describeKeyType(type: string): string {
  if (type === "ssh-rsa") return "RSA (ssh-rsa)";
  if (type === "ssh-dss") return "DSA (ssh-dss)";
  if (type.startsWith("ecdsa-sha2-")) return `ECDSA (${type})`;
  if (type.startsWith("sk-")) return `FIDO security key (${type})`;
  return type;
}

/** "the private key is WHAT", what we support, and how to make a key we do. */
function unusableKey(what: string): KeyFormatError {
  return new KeyFormatError(`the private key is ${what}: ${SUPPORTED_PRIVATE_KEYS}; ${MAKE_ED25519}`);
}

/** The error for an openssh-key-v1 file holding a key type not in the key-type table. */
export function unsupportedKeyTypeError(type: string): KeyFormatError {
  return unusableKey(describeKeyType(type));
}

/** DER-encoded OIDs (tag 06, length, value) of the algorithms a PKCS#8 key may hold. */
const PKCS8_ALGORITHMS: [string, number[]][] = [
  ["RSA", [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]],
  ["ECDSA", [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]],
  ["DSA", [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01]],
  ["Ed25519", [0x06, 0x03, 0x2b, 0x65, 0x70]],
  ["Ed448", [0x06, 0x03, 0x2b, 0x65, 0x71]],
];

function pkcs8Algorithm(der: Uint8Array | null): string | null {
  if (!der) return null;
  for (const [name, oid] of PKCS8_ALGORITHMS) {
    outer: for (let i = 0; i + oid.length <= Math.min(der.length, 64); i++) {
      for (let j = 0; j < oid.length; j++) if (der[i + j] !== oid[j]) continue outer;
      return name;
    }
  }
  return null;
}

/**
 * A KeyFormatError describing `text`, which is not an OpenSSH private key: names the format and,
 * where the file says, the key type, plus what to do instead.
 */
export function foreignKeyFormatError(text: string): KeyFormatError {
  // OpenSSH's own tools cannot turn PEM/PKCS#8 keys of other types into ed25519 ones: make a new key.

  const putty = /^PuTTY-User-Key-File-(\d+):\s*(\S+)/m.exec(text);
  if (putty) {
    const type = putty[2]!;
    const todo =
      type === "ssh-ed25519" ? "convert it with `puttygen KEYFILE -O private-openssh-new -o NEWFILE`" : MAKE_ED25519;
    return new KeyFormatError(`the private key is a PuTTY key file (version ${putty[1]}, ${describeKeyType(type)}): ${SUPPORTED_PRIVATE_KEYS}; ${todo}`);
  }
  if (/---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----/.test(text)) return unusableKey("in the ssh.com (SECSH) format");
  if (/---- BEGIN SSH2 PUBLIC KEY ----/.test(text) || /^\s*(ssh-|ecdsa-|sk-)\S+\s+AAAA/.test(text)) {
    return new KeyFormatError("this is a public key, not a private key: pass the private key file (the one without .pub)");
  }

  const armor = readArmor(text);
  if (armor) {
    const legacyEncrypted = armor.headers.get("Proc-Type")?.includes("ENCRYPTED") ? ", encrypted" : "";
    switch (armor.label) {
      case "RSA PRIVATE KEY":
        return unusableKey(`RSA in PEM (PKCS#1) format${legacyEncrypted}`);
      case "EC PRIVATE KEY":
        return unusableKey(`ECDSA in PEM (SEC1) format${legacyEncrypted}`);
      case "DSA PRIVATE KEY":
        return unusableKey(`DSA in PEM format${legacyEncrypted}`);
      case "PRIVATE KEY": {
        const alg = pkcs8Algorithm(armor.body);
        return unusableKey(`${alg ?? "of an unrecognised type"} in PKCS#8 format`);
      }
      case "ENCRYPTED PRIVATE KEY":
        return unusableKey("an encrypted PKCS#8 key");
      case "OPENSSH PRIVATE KEY":
        return new KeyFormatError("the OpenSSH private key's base64 body is damaged (invalid base64)");
      default:
        return new KeyFormatError(`the file holds "${armor.label}", not a private key: ${SUPPORTED_PRIVATE_KEYS}`);
    }
  }
  return new KeyFormatError(`not a private key file (no "-----BEGIN ... PRIVATE KEY-----" block found): ${SUPPORTED_PRIVATE_KEYS}`);
}
