import { MSG } from "../messages.js";
import { NegotiationError } from "../errors.js";
import { SshReader } from "../wire/reader.js";
import { SshWriter } from "../wire/writer.js";
import { ciphers } from "../algorithms/ciphers.js";
import { KEX_MARKERS } from "../algorithms/kex.js";

/** The ten name-lists of KEXINIT (RFC 4253 §7.1). */
export interface KexInit {
  cookie: Uint8Array;
  kex: string[];
  hostKey: string[];
  cipherC2S: string[];
  cipherS2C: string[];
  macC2S: string[];
  macS2C: string[];
  compC2S: string[];
  compS2C: string[];
  langC2S: string[];
  langS2C: string[];
  firstKexFollows: boolean;
}

export function encodeKexInit(k: KexInit): Uint8Array {
  const w = new SshWriter(512).byte(MSG.KEXINIT).raw(k.cookie);
  for (const list of [k.kex, k.hostKey, k.cipherC2S, k.cipherS2C, k.macC2S, k.macS2C, k.compC2S, k.compS2C, k.langC2S, k.langS2C]) {
    w.nameList(list);
  }
  return w.boolean(k.firstKexFollows).uint32(0).finish().slice();
}

export function decodeKexInit(payload: Uint8Array): KexInit {
  const r = new SshReader(payload);
  r.byte();
  const cookie = r.bytes(16);
  const lists: string[][] = [];
  for (let i = 0; i < 10; i++) lists.push(r.nameList());
  const firstKexFollows = r.boolean();
  r.uint32(); // reserved
  const [kex, hostKey, cipherC2S, cipherS2C, macC2S, macS2C, compC2S, compS2C, langC2S, langS2C] = lists as [
    string[], string[], string[], string[], string[], string[], string[], string[], string[], string[],
  ];
  return { cookie, kex, hostKey, cipherC2S, cipherS2C, macC2S, macS2C, compC2S, compS2C, langC2S, langS2C, firstKexFollows };
}

export interface Negotiated {
  kex: string;
  hostKey: string;
  cipherC2S: string;
  cipherS2C: string;
  /** Empty for AEAD ciphers, whose MAC is implicit. */
  macC2S: string;
  macS2C: string;
}

/**
 * RFC 4253 §7.1: for each category, the first algorithm on the CLIENT's list that the server also
 * supports. `role` is ours, so a failure lists our offer first and names the peer.
 */
export function negotiate(client: KexInit, server: KexInit, role: "client" | "server" = "client"): Negotiated {
  const pick = (category: string, c: string[], s: string[]): string => {
    for (const a of c) if (s.includes(a)) return a;
    throw role === "client" ? new NegotiationError(category, c, s, "server") : new NegotiationError(category, s, c, "client");
  };
  const real = (list: string[]) => list.filter((a) => !KEX_MARKERS.has(a));
  const kex = pick("kex", real(client.kex), real(server.kex));
  const hostKey = pick("hostKey", client.hostKey, server.hostKey);
  const cipherC2S = pick("cipher", client.cipherC2S, server.cipherC2S);
  const cipherS2C = pick("cipher", client.cipherS2C, server.cipherS2C);
  // AEAD ciphers carry their own tag: the MAC lists are not consulted (RFC 5647 §5.1, PROTOCOL.chacha20poly1305).
  const macC2S = ciphers.get(cipherC2S)?.aead ? "" : pick("mac", client.macC2S, server.macC2S);
  const macS2C = ciphers.get(cipherS2C)?.aead ? "" : pick("mac", client.macS2C, server.macS2C);
  pick("compression", client.compC2S, server.compC2S);
  pick("compression", client.compS2C, server.compS2C);
  return { kex, hostKey, cipherC2S, cipherS2C, macC2S, macS2C };
}
