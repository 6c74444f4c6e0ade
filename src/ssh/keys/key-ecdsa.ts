import { ECDSA_CURVE_BYTES, type EcdsaCurveName } from "../crypto/ecdsa-curves.js";
import { bigIntToBytes, bytesToBigInt } from "../crypto/bigint.js";
import { KeyFormatError, ProtocolError } from "../errors.js";
import { equalBytes } from "../wire/bytes.js";
import { SshReader } from "../wire/reader.js";
import { SshWriter } from "../wire/writer.js";
import { corruptedKey, type HashName, type KeyType } from "./key-type.js";

/**
 * ecdsa-sha2-nistp256/384/521 (RFC 5656 §3.1): public blob "string name, string curve, string Q"
 * (Q uncompressed); signature "mpint r, mpint s"; SHA-256/384/512 by curve size (§6.2.1).
 * The signature code (crypto/ecdsa.ts) is imported when an ECDSA key signs, verifies or is made,
 * so a browser whose connections use Ed25519 keys never downloads it.
 */

const ecdsa = () => import("../crypto/ecdsa.js");

export interface EcdsaPublic {
  curve: EcdsaCurveName;
  point: Uint8Array;
}
export interface EcdsaPrivate extends EcdsaPublic {
  /** The scalar, big-endian, exactly the curve's size. */
  d: Uint8Array;
}

const HASHES = { nistp256: "sha256", nistp384: "sha384", nistp521: "sha512" } as const;

function readPoint(r: SshReader, curve: EcdsaCurveName, typeName: string): Uint8Array {
  const named = r.text(64);
  if (named !== curve) throw new KeyFormatError(`${typeName} key names curve "${named}"`);
  const point = r.string(1024).slice();
  if (point.length !== 1 + 2 * ECDSA_CURVE_BYTES[curve] || point[0] !== 4) {
    throw new KeyFormatError(`${typeName} public point is not an uncompressed ${curve} point (${point.length} bytes)`);
  }
  return point;
}

function ecdsaType(curve: EcdsaCurveName): KeyType<EcdsaPublic, EcdsaPrivate> {
  const name = `ecdsa-sha2-${curve}`;
  const hashName = HASHES[curve];
  const size = ECDSA_CURVE_BYTES[curve];
  return {
    name,
    algorithms: [
      {
        name,
        hash: hashName as HashName,
        async verify(key, signature, data) {
          let r: bigint;
          let s: bigint;
          try {
            const sr = new SshReader(signature);
            r = sr.mpint();
            s = sr.mpint();
            sr.end("ECDSA signature");
          } catch (e) {
            throw new ProtocolError(`malformed ${name} signature: ${(e as Error).message}`);
          }
          return (await ecdsa()).ecdsaVerify(curve, key.point, r, s, data);
        },
        async sign(key, data) {
          const { r, s } = await (await ecdsa()).ecdsaSign(curve, key.d, data);
          return new SshWriter(2 * size + 16).mpint(r).mpint(s).finish().slice();
        },
      },
    ],
    readPublic: (r) => ({ curve, point: readPoint(r, curve, name) }),
    writePublic(w, key) {
      w.string(curve).string(key.point);
    },
    rawKey: (key) => key.point,
    bits: () => (curve === "nistp521" ? 521 : size * 8),
    readPrivate(r) {
      const point = readPoint(r, curve, name);
      const scalar = r.mpint();
      if (scalar <= 0n) throw corruptedKey(`the ${curve} private scalar is not positive`);
      let d: Uint8Array;
      try {
        d = bigIntToBytes(scalar, size);
      } catch {
        throw corruptedKey(`the ${curve} private scalar is too large`);
      }
      return { curve, point, d };
    },
    writePrivate(w, key) {
      w.string(curve).string(key.point).mpint(bytesToBigInt(key.d));
    },
    publicOf: (key) => ({ curve: key.curve, point: key.point }),
    async check(key) {
      let derived: Uint8Array;
      try {
        derived = await (await ecdsa()).ecdsaPublicKey(curve, key.d);
      } catch {
        throw corruptedKey(`the ${curve} private scalar is out of range`);
      }
      if (!equalBytes(derived, key.point)) throw corruptedKey(`d·G is not the stored ${curve} public point`);
    },
    async generate() {
      const { d, point } = await (await ecdsa()).ecdsaGenerate(curve);
      return { curve, d, point };
    },
    wipe(key) {
      key.d.fill(0);
    },
  };
}

export const ECDSA_P256 = ecdsaType("nistp256");
export const ECDSA_P384 = ecdsaType("nistp384");
export const ECDSA_P521 = ecdsaType("nistp521");

/** The row for an ECDSA key size (`ssh-keygen -t ecdsa -b 256|384|521`). */
export function ecdsaTypeForBits(bits: number): KeyType<EcdsaPublic, EcdsaPrivate> {
  if (bits === 256) return ECDSA_P256;
  if (bits === 384) return ECDSA_P384;
  if (bits === 521) return ECDSA_P521;
  throw new KeyFormatError(`ECDSA keys are 256, 384 or 521 bits, not ${bits}`);
}
