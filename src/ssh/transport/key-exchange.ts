import { sha256 } from "@noble/hashes/sha2.js";
import type { PacketCipher } from "../cipher/cipher.js";
import { HostKeyMismatchError, NegotiationError, ProtocolError } from "../errors.js";
import type { Logger } from "../logger.js";
import { MSG } from "../messages.js";
import { deferred } from "../deferred.js";
import { randomBytes, equalBytes } from "../wire/bytes.js";
import { SshReader } from "../wire/reader.js";
import { decodePublicBlob } from "../keys/public-key.js";
import { verifySignature } from "../keys/signature.js";
import { fingerprintSha256 } from "../keys/fingerprint.js";
import { cipherFactory } from "../kex/algorithms.js";
import { decodeKexInit, encodeKexInit, negotiate, type KexInit, type Negotiated } from "../kex/kexinit.js";
import { Curve25519Kex, curve25519ExchangeHash } from "../kex/curve25519.js";
import { deriveKey, sharedSecretMpint } from "../kex/derive-keys.js";

/** Throws (HostKeyUnknownError, HostKeyMismatchError, ...) to refuse the server's host key. */
export type HostKeyCheck = (key: { type: string; blob: Uint8Array }) => Promise<void>;

export interface KeyExchangeOptions {
  first: boolean;
  clientVersion: string;
  serverVersion: () => string;
  algorithms: { kex: string[]; hostKey: string[]; cipher: string[] };
  sessionId: Uint8Array | null;
  /** The host key of the first kex; a rekey must present the same one. */
  hostKeyBlob: Uint8Array | null;
  strictKex: boolean;
  checkHostKey: HostKeyCheck;
  send: (payload: Uint8Array) => void;
  onNewKeysSent: () => void;
  logger: Logger;
  timeoutMs: number;
  onTimeout: () => void;
}

const STRICT_C = "kex-strict-c-v00@openssh.com";
const STRICT_S = "kex-strict-s-v00@openssh.com";

/**
 * One key exchange, initial or rekey (RFC 4253 §7-8, RFC 8731): KEXINIT both ways, curve25519
 * ECDH, host key signature over the exchange hash, key derivation, NEWKEYS both ways.
 */
export class KeyExchange {
  readonly first: boolean;
  readonly done = deferred<void>();
  /** True from our KEXINIT until our NEWKEYS: other packets must wait (RFC 4253 §7.1). */
  gatesOutput = true;
  strict = false;
  receivedKexInit = false;
  outboundInstalled = false;
  inboundInstalled = false;
  sessionId: Uint8Array | null;
  hostKeyBlob: Uint8Array | null = null;

  private ourKexInit!: Uint8Array;
  private ourLists!: KexInit;
  private theirKexInit: Uint8Array | null = null;
  private negotiated: Negotiated | null = null;
  private dh: Curve25519Kex | null = null;
  /** The ephemeral key pair, generated while the KEXINITs are in flight. */
  private dhPending: Promise<Curve25519Kex> | null = null;
  private ignoreNextKexPacket = false;
  private outbound: PacketCipher | null = null;
  private inbound: PacketCipher | null = null;
  private readonly timer: ReturnType<typeof setTimeout>;

  constructor(private readonly o: KeyExchangeOptions) {
    this.first = o.first;
    this.sessionId = o.sessionId;
    this.timer = setTimeout(o.onTimeout, o.timeoutMs);
  }

  sendKexInit(): void {
    const a = this.o.algorithms;
    // ext-info-c (RFC 8308 §2.1) and kex-strict-c go in the first KEXINIT only.
    const kex = this.first ? [...a.kex, "ext-info-c", STRICT_C] : [...a.kex];
    const init: KexInit = {
      cookie: randomBytes(16),
      kex,
      hostKey: a.hostKey,
      cipherC2S: a.cipher,
      cipherS2C: a.cipher,
      macC2S: ["hmac-sha2-256-etm@openssh.com"],
      macS2C: ["hmac-sha2-256-etm@openssh.com"],
      compC2S: ["none"],
      compS2C: ["none"],
      langC2S: [],
      langS2C: [],
      firstKexFollows: false,
    };
    this.ourLists = init;
    this.ourKexInit = encodeKexInit(init);
    this.o.send(this.ourKexInit);
    this.dhPending = Curve25519Kex.create();
    // Awaited in handleKexInit; until then a failure must not surface as an unhandled rejection.
    this.dhPending.catch(() => {});
  }

  /** Negotiates at once (so the caller can check strict kex), then sends KEX_ECDH_INIT. */
  handleKexInit(payload: Uint8Array): Promise<void> {
    if (this.receivedKexInit) throw new ProtocolError("second KEXINIT during one key exchange");
    this.receivedKexInit = true;
    this.theirKexInit = payload.slice();
    const theirs = decodeKexInit(payload);
    if (this.first) this.strict = theirs.kex.includes(STRICT_S);
    else this.strict = this.o.strictKex;
    const n = negotiate(this.ourLists, theirs);
    const c2s = cipherFactory(n.cipherC2S);
    const s2c = cipherFactory(n.cipherS2C);
    if (!c2s || !s2c) throw new NegotiationError("cipher", this.o.algorithms.cipher, theirs.cipherC2S);
    this.negotiated = n;
    // RFC 4253 §7: a wrong guess by the server means its next kex packet must be ignored.
    if (theirs.firstKexFollows && (theirs.kex[0] !== n.kex || theirs.hostKey[0] !== n.hostKey)) this.ignoreNextKexPacket = true;
    return this.sendEcdhInit();
  }

  private async sendEcdhInit(): Promise<void> {
    this.dh = await this.dhPending!;
    this.o.send(this.dh.initMessage());
  }

  async handleKexMessage(payload: Uint8Array): Promise<void> {
    if (this.ignoreNextKexPacket) {
      this.ignoreNextKexPacket = false;
      return;
    }
    if (payload[0] !== MSG.KEX_ECDH_REPLY || !this.dh || !this.negotiated || this.outbound) {
      throw new ProtocolError(`unexpected key exchange message ${payload[0]}`);
    }
    const n = this.negotiated;
    const reply = await this.dh.handleReply(payload);
    const { type } = decodePublicBlob(reply.hostKeyBlob);
    if (type !== n.hostKey) throw new ProtocolError(`server sent a ${type} host key after negotiating ${n.hostKey}`);
    const h = curve25519ExchangeHash({
      clientVersion: this.o.clientVersion,
      serverVersion: this.o.serverVersion(),
      clientKexInit: this.ourKexInit,
      serverKexInit: this.theirKexInit!,
      hostKeyBlob: reply.hostKeyBlob,
      clientPublic: this.dh.clientPublic,
      serverPublic: reply.serverPublic,
      shared: reply.shared,
    });
    // The signature proves the server holds the private half of the key we are about to trust.
    if (!(await verifySignature(reply.hostKeyBlob, reply.signature, h))) {
      throw new ProtocolError("host key signature over the exchange hash is invalid");
    }
    if (this.first) {
      this.sessionId = h;
      await this.o.checkHostKey({ type, blob: reply.hostKeyBlob });
    } else if (!this.o.hostKeyBlob || !equalBytes(this.o.hostKeyBlob, reply.hostKeyBlob)) {
      throw new HostKeyMismatchError("(rekey)", type, fingerprintSha256(reply.hostKeyBlob), "the host key of this connection's first key exchange");
    }
    this.hostKeyBlob = reply.hostKeyBlob;
    const k = sharedSecretMpint(reply.shared);
    const sid = this.sessionId!;
    const make = (name: string, ivLetter: "A" | "B", keyLetter: "C" | "D"): PacketCipher => {
      const f = cipherFactory(name)!;
      return f.create(deriveKey(sha256, k, h, keyLetter, sid, f.keyLength), deriveKey(sha256, k, h, ivLetter, sid, f.ivLength));
    };
    this.outbound = make(n.cipherC2S, "A", "C");
    this.inbound = make(n.cipherS2C, "B", "D");
    this.o.send(new Uint8Array([MSG.NEWKEYS]));
    this.gatesOutput = false;
    this.outboundInstalled = true;
    this.o.onNewKeysSent();
  }

  takeOutboundCipher(): PacketCipher {
    return this.outbound!;
  }

  takeInboundCipher(): PacketCipher {
    if (!this.inbound) throw new ProtocolError("NEWKEYS before the key exchange reply");
    this.inboundInstalled = true;
    return this.inbound;
  }

  finish(): void {
    clearTimeout(this.timer);
    this.done.resolve();
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.done.reject(new ProtocolError("key exchange aborted"));
  }

  summary(): string {
    const n = this.negotiated!;
    return `kex ${n.kex}, host key ${n.hostKey}, cipher ${n.cipherC2S}${this.strict ? ", strict kex" : ""}`;
  }
}
