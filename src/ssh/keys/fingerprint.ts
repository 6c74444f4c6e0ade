import { sha256 } from "@noble/hashes/sha2.js";
import { toBase64 } from "../wire/bytes.js";

/** OpenSSH's default fingerprint: "SHA256:" + unpadded base64 of SHA-256(blob), as `ssh-keygen -lf` prints. */
export function fingerprintSha256(blob: Uint8Array): string {
  return `SHA256:${toBase64(sha256(blob), false)}`;
}
