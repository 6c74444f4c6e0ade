/**
 * The one-round exchange that curve25519-sha256 (RFC 8731), ecdh-sha2-* (RFC 5656 §4) and the
 * hybrid post-quantum methods share: the client sends Q_C in KEX_ECDH_INIT (30), the server answers
 * KEX_ECDH_REPLY (31) with K_S, Q_S and a signature over
 *   H = HASH(string V_C || string V_S || string I_C || string I_S || string K_S || string Q_C || string Q_S || K).
 * A method supplies only its agreement: how each side makes its value and reaches K.
 */
import { ProtocolError } from "../errors.js";
import { MSG } from "../messages.js";
import { SshReader } from "../wire/reader.js";
import { SshWriter } from "../wire/writer.js";
import type { Hash, KexContext, KexMethod, KexResult, ServerHostKey } from "./kex-method.js";

/** Largest host key or signature blob accepted in a reply (RSA 16384-bit certificates fit). */
const MAX_BLOB = 16 * 1024;

export interface OneRoundAgreement {
  /** Largest Q_C / Q_S this method accepts (a bound for the reader; exact lengths are checked by the method). */
  readonly maxPublicLength: number;
  /** Client: make Q_C, and a function that takes Q_S to the wire-encoded K. */
  clientStart(): Promise<{ publicValue: Uint8Array; finish(serverValue: Uint8Array): Promise<Uint8Array> }>;
  /** Server: from Q_C, make Q_S and the wire-encoded K. */
  serverRespond(clientValue: Uint8Array): Promise<{ publicValue: Uint8Array; sharedSecret: Uint8Array }>;
}

export function oneRoundKex(name: string, hash: Hash, agreement: OneRoundAgreement): KexMethod {
  const exchangeHash = (ctx: KexContext, hostKey: Uint8Array, qc: Uint8Array, qs: Uint8Array, k: Uint8Array): Uint8Array =>
    hash(
      new SshWriter(2048 + qc.length + qs.length)
        .string(ctx.clientVersion)
        .string(ctx.serverVersion)
        .string(ctx.clientKexInit)
        .string(ctx.serverKexInit)
        .string(hostKey)
        .string(qc)
        .string(qs)
        .raw(k)
        .finish(),
    );
  return {
    name,
    hash,
    async client(ctx: KexContext): Promise<KexResult> {
      const start = await agreement.clientStart();
      ctx.send(new SshWriter(16 + start.publicValue.length).byte(MSG.KEX_ECDH_INIT).string(start.publicValue).finish().slice());
      const reply = await ctx.receive();
      if (reply[0] !== MSG.KEX_ECDH_REPLY) throw new ProtocolError(`expected KEX_ECDH_REPLY (31) in ${name}, got message ${reply[0]}`);
      const r = new SshReader(reply, 1);
      const hostKeyBlob = r.string(MAX_BLOB).slice();
      const qs = r.string(agreement.maxPublicLength).slice();
      const signature = r.string(MAX_BLOB).slice();
      r.end("KEX_ECDH_REPLY");
      const sharedSecret = await start.finish(qs);
      return { sharedSecret, exchangeHash: exchangeHash(ctx, hostKeyBlob, start.publicValue, qs, sharedSecret), hostKeyBlob, signature };
    },
    async server(ctx: KexContext, hostKey: ServerHostKey): Promise<KexResult> {
      const init = await ctx.receive();
      if (init[0] !== MSG.KEX_ECDH_INIT) throw new ProtocolError(`expected KEX_ECDH_INIT (30) in ${name}, got message ${init[0]}`);
      const r = new SshReader(init, 1);
      const qc = r.string(agreement.maxPublicLength).slice();
      r.end("KEX_ECDH_INIT");
      const { publicValue: qs, sharedSecret } = await agreement.serverRespond(qc);
      const h = exchangeHash(ctx, hostKey.blob, qc, qs, sharedSecret);
      const signature = await hostKey.sign(h);
      ctx.send(
        new SshWriter(64 + hostKey.blob.length + qs.length + signature.length)
          .byte(MSG.KEX_ECDH_REPLY)
          .string(hostKey.blob)
          .string(qs)
          .string(signature)
          .finish()
          .slice(),
      );
      return { sharedSecret, exchangeHash: h, hostKeyBlob: hostKey.blob, signature };
    },
  };
}

/** K as an mpint from an unsigned big-endian secret (RFC 4253 §8, RFC 8731 §3.1, RFC 5656 §4). */
export function mpintSecret(shared: Uint8Array): Uint8Array {
  return new SshWriter(shared.length + 8).mpintFromUnsigned(shared).finish().slice();
}

/** K as a string (the hybrid methods: draft-ietf-sshm-mlkem-hybrid-kex, OpenSSH PROTOCOL). */
export function stringSecret(shared: Uint8Array): Uint8Array {
  return new SshWriter(shared.length + 8).string(shared).finish().slice();
}
