/**
 * diffie-hellman-group-exchange-sha256 (RFC 4419), and -sha1 (offered only when named): the
 * server chooses the group.
 *
 *   C -> S  KEX_DH_GEX_REQUEST (34): uint32 min, uint32 n, uint32 max   (bits of p)
 *   S -> C  KEX_DH_GEX_GROUP   (31): mpint p, mpint g
 *   C -> S  KEX_DH_GEX_INIT    (32): mpint e
 *   S -> C  KEX_DH_GEX_REPLY   (33): string K_S, mpint f, string signature of H
 *   H = HASH(V_C || V_S || I_C || I_S || K_S || uint32 min || uint32 n || uint32 max || mpint p || mpint g
 *            || mpint e || mpint f || mpint K)
 *
 * The client asks as OpenSSH's does (kexgexc.c: min DH_GRP_MIN 2048, max DH_GRP_MAX 8192, n from
 * dh_estimate of the key material, which is 8192 with its default chacha20-poly1305 or AES-256),
 * and refuses a group outside [min, max], so never one under 2048 bits (RFC 8270). The server
 * half answers from the RFC 3526 groups 14, 16 and 18 (2048, 4096, 8192 bits).
 */
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { ProtocolError } from "../errors.js";
import { SshReader } from "../wire/reader.js";
import { SshWriter } from "../wire/writer.js";
import { bitLength, checkDhPublic, dhKeyPair, dhSharedSecret, MAX_BLOB, MODP14, MODP16, MODP18, readUnsignedMpint, writeMpint, type DhGroup, type DhKeyPair } from "./dh-groups.js";
import type { Hash, KexContext, KexMethod, KexResult, ServerHostKey } from "./kex-method.js";

export const KEX_DH_GEX_GROUP = 31;
export const KEX_DH_GEX_INIT = 32;
export const KEX_DH_GEX_REPLY = 33;
export const KEX_DH_GEX_REQUEST = 34;

/** OpenSSH's dh.h DH_GRP_MIN / DH_GRP_MAX. */
export const GEX_MIN_BITS = 2048;
export const GEX_MAX_BITS = 8192;
export const GEX_PREFERRED_BITS = 8192;

export interface GexRequest {
  min: number;
  n: number;
  max: number;
}

export interface GexOptions {
  /** What the client asks for (default: OpenSSH's 2048 / 8192 / 8192). */
  request?: GexRequest;
  /** The server's groups (default RFC 3526 14, 16, 18). */
  groups?: readonly DhGroup[];
  /** Fixed private exponents (tests): given the group, the key pair to use. */
  makePair?: (group: DhGroup) => DhKeyPair;
}

/** Private exponent bits for a received group: as the fixed groups (dh-groups.ts), never more than bits(p) - 1. */
function exponentBits(pBits: number): number {
  return Math.min(pBits > 4096 ? 640 : 512, pBits - 1);
}

/** The server's choice (as OpenSSH's choose_dh): the smallest group of at least n bits within [min, max], else the largest within. */
export function chooseGroup(groups: readonly DhGroup[], req: GexRequest): DhGroup | null {
  const fits = groups.filter((g) => bitLength(g.p) >= req.min && bitLength(g.p) <= req.max).sort((a, b) => bitLength(a.p) - bitLength(b.p));
  return fits.find((g) => bitLength(g.p) >= req.n) ?? fits[fits.length - 1] ?? null;
}

export function dhGexKex(name: string, hash: Hash, opts: GexOptions = {}): KexMethod {
  const request = opts.request ?? { min: GEX_MIN_BITS, n: GEX_PREFERRED_BITS, max: GEX_MAX_BITS };
  const groups = opts.groups ?? [MODP14, MODP16, MODP18];
  const makePair = opts.makePair ?? ((g: DhGroup) => dhKeyPair(g));
  const exchangeHash = (ctx: KexContext, hostKey: Uint8Array, req: GexRequest, group: DhGroup, e: bigint, f: bigint, k: Uint8Array): Uint8Array => {
    const w = new SshWriter(8192 + hostKey.length)
      .string(ctx.clientVersion)
      .string(ctx.serverVersion)
      .string(ctx.clientKexInit)
      .string(ctx.serverKexInit)
      .string(hostKey)
      .uint32(req.min)
      .uint32(req.n)
      .uint32(req.max);
    for (const v of [group.p, group.g, e, f]) writeMpint(w, v);
    return hash(w.raw(k).finish());
  };
  return {
    name,
    hash,
    async client(ctx: KexContext): Promise<KexResult> {
      ctx.send(new SshWriter(16).byte(KEX_DH_GEX_REQUEST).uint32(request.min).uint32(request.n).uint32(request.max).finish().slice());
      const groupMsg = await ctx.receive();
      if (groupMsg[0] !== KEX_DH_GEX_GROUP) throw new ProtocolError(`expected KEX_DH_GEX_GROUP (31) in ${name}, got message ${groupMsg[0]}`);
      const r = new SshReader(groupMsg, 1);
      const p = readUnsignedMpint(r, "the group's prime p");
      const g = readUnsignedMpint(r, "the group's generator g");
      r.end("KEX_DH_GEX_GROUP");
      const bits = bitLength(p);
      if (bits < request.min) {
        throw new ProtocolError(`${name}: the server offered a ${bits}-bit group; groups under ${request.min} bits are refused as too weak (RFC 8270)`);
      }
      if (bits > request.max) throw new ProtocolError(`${name}: the server offered a ${bits}-bit group, more than the ${request.max} bits asked for`);
      if ((p & 1n) === 0n) throw new ProtocolError(`${name}: the server's group prime is even`);
      if (g <= 1n || g >= p - 1n) throw new ProtocolError(`${name}: the server's group generator is out of range (1 < g < p-1)`);
      const group: DhGroup = { p, g, exponentBits: exponentBits(bits) };
      const pair = makePair(group);
      ctx.send(writeMpint(new SshWriter(1100).byte(KEX_DH_GEX_INIT), pair.publicValue).finish().slice());
      const reply = await ctx.receive();
      if (reply[0] !== KEX_DH_GEX_REPLY) throw new ProtocolError(`expected KEX_DH_GEX_REPLY (33) in ${name}, got message ${reply[0]}`);
      const rr = new SshReader(reply, 1);
      const hostKeyBlob = rr.string(MAX_BLOB).slice();
      const f = readUnsignedMpint(rr, "the server's DH value f");
      const signature = rr.string(MAX_BLOB).slice();
      rr.end("KEX_DH_GEX_REPLY");
      const sharedSecret = dhSharedSecret(pair, f, p, "f");
      return { sharedSecret, exchangeHash: exchangeHash(ctx, hostKeyBlob, request, group, pair.publicValue, f, sharedSecret), hostKeyBlob, signature };
    },
    async server(ctx: KexContext, hostKey: ServerHostKey): Promise<KexResult> {
      const reqMsg = await ctx.receive();
      if (reqMsg[0] !== KEX_DH_GEX_REQUEST) throw new ProtocolError(`expected KEX_DH_GEX_REQUEST (34) in ${name}, got message ${reqMsg[0]}`);
      const r = new SshReader(reqMsg, 1);
      const req = { min: r.uint32(), n: r.uint32(), max: r.uint32() };
      r.end("KEX_DH_GEX_REQUEST");
      // As OpenSSH's kexgex_server: an inconsistent request is fatal.
      if (req.max < req.min || req.n < req.min || req.max < req.n) {
        throw new ProtocolError(`${name}: the client's group request is inconsistent (min ${req.min}, n ${req.n}, max ${req.max})`);
      }
      const group = chooseGroup(groups, {
        min: Math.max(req.min, GEX_MIN_BITS),
        n: Math.min(Math.max(req.n, GEX_MIN_BITS), GEX_MAX_BITS),
        max: Math.min(req.max, GEX_MAX_BITS),
      });
      if (!group) throw new ProtocolError(`${name}: no group between ${req.min} and ${req.max} bits`);
      ctx.send(writeMpint(writeMpint(new SshWriter(1100).byte(KEX_DH_GEX_GROUP), group.p), group.g).finish().slice());
      const init = await ctx.receive();
      if (init[0] !== KEX_DH_GEX_INIT) throw new ProtocolError(`expected KEX_DH_GEX_INIT (32) in ${name}, got message ${init[0]}`);
      const ir = new SshReader(init, 1);
      const e = readUnsignedMpint(ir, "the client's DH value e");
      ir.end("KEX_DH_GEX_INIT");
      checkDhPublic(e, group.p, "e");
      const pair = makePair(group);
      const sharedSecret = dhSharedSecret(pair, e, group.p, "e");
      const h = exchangeHash(ctx, hostKey.blob, req, group, e, pair.publicValue, sharedSecret);
      const signature = await hostKey.sign(h);
      const w = new SshWriter(1200 + hostKey.blob.length + signature.length).byte(KEX_DH_GEX_REPLY).string(hostKey.blob);
      ctx.send(writeMpint(w, pair.publicValue).string(signature).finish().slice());
      return { sharedSecret, exchangeHash: h, hostKeyBlob: hostKey.blob, signature };
    },
  };
}

export const dhGexSha256 = dhGexKex("diffie-hellman-group-exchange-sha256", sha256);
export const dhGexSha1 = dhGexKex("diffie-hellman-group-exchange-sha1", sha1);
