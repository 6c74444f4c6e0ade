import { sha256 } from "@noble/hashes/sha2.js";
import { curves, type X25519KeyPair } from "../curves/backend.js";
import { MSG } from "../messages.js";
import { ProtocolError } from "../errors.js";
import { SshReader } from "../wire/reader.js";
import { SshWriter } from "../wire/writer.js";

export const CURVE25519_KEX = ["curve25519-sha256", "curve25519-sha256@libssh.org"];

/** Client half of curve25519-sha256 (RFC 8731): ephemeral key pair and KEX_ECDH_INIT. */
export class Curve25519Kex {
  readonly clientPublic: Uint8Array;

  private constructor(private readonly pair: X25519KeyPair) {
    this.clientPublic = pair.publicKey;
  }

  /** A fresh ephemeral key pair for one exchange (never reused across rekeys). */
  static async create(): Promise<Curve25519Kex> {
    return new Curve25519Kex(await (await curves()).x25519KeyPair());
  }

  initMessage(): Uint8Array {
    return new SshWriter(48).byte(MSG.KEX_ECDH_INIT).string(this.clientPublic).finish().slice();
  }

  /** Parse KEX_ECDH_REPLY and compute the shared secret (as the 32 raw bytes, before mpint encoding). */
  async handleReply(payload: Uint8Array): Promise<{ hostKeyBlob: Uint8Array; serverPublic: Uint8Array; signature: Uint8Array; shared: Uint8Array }> {
    const r = new SshReader(payload);
    if (r.byte() !== MSG.KEX_ECDH_REPLY) throw new ProtocolError("expected KEX_ECDH_REPLY");
    const hostKeyBlob = r.string(16 * 1024).slice();
    const serverPublic = r.string(64).slice();
    const signature = r.string(16 * 1024).slice();
    r.end("KEX_ECDH_REPLY");
    if (serverPublic.length !== 32) throw new ProtocolError(`server's curve25519 public key is ${serverPublic.length} bytes, not 32`);
    let shared: Uint8Array;
    try {
      shared = await this.pair.agree(serverPublic);
    } catch {
      // RFC 8731 §3: an all-zero shared secret (a low-order point) must abort the exchange. Every
      // backend's `agree` refuses it (test/curves.test.ts holds each to that), so it lands here.
      throw new ProtocolError("server's curve25519 public key is invalid or of low order (all-zero shared secret)");
    }
    return { hostKeyBlob, serverPublic, signature, shared };
  }
}

/** Exchange hash H (RFC 8731 §3.1 / RFC 5656 §4): K is the shared secret as an unsigned mpint. */
export function curve25519ExchangeHash(p: {
  clientVersion: string;
  serverVersion: string;
  clientKexInit: Uint8Array;
  serverKexInit: Uint8Array;
  hostKeyBlob: Uint8Array;
  clientPublic: Uint8Array;
  serverPublic: Uint8Array;
  shared: Uint8Array;
}): Uint8Array {
  const w = new SshWriter(1024)
    .string(p.clientVersion)
    .string(p.serverVersion)
    .string(p.clientKexInit)
    .string(p.serverKexInit)
    .string(p.hostKeyBlob)
    .string(p.clientPublic)
    .string(p.serverPublic)
    .mpintFromUnsigned(p.shared);
  return sha256(w.finish());
}
