/**
 * One key exchange, initial or rekey, for either role (RFC 4253 §7-8): KEXINIT both ways,
 * negotiation, the negotiated method's own messages (kex/kex-method.ts), the host key's signature
 * (made by a server, verified by a client), key derivation and NEWKEYS.
 */
import type { PacketCipher } from "../cipher/cipher.js";
import { HostKeyMismatchError, HostKeyRefusedError, ProtocolError } from "../errors.js";
import type { Logger } from "../logger.js";
import { MSG } from "../messages.js";
import { deferred, type Deferred } from "../deferred.js";
import { randomBytes, equalBytes } from "../wire/bytes.js";
import { decodePublicBlob } from "../keys/public-key.js";
import { RSA_MIN_BITS, RsaKeySizeError } from "../keys/key-rsa.js";
import { SshReader } from "../wire/reader.js";
import { verifySignature } from "../keys/signature.js";
import { fingerprintSha256 } from "../keys/fingerprint.js";
import { ciphers } from "../algorithms/ciphers.js";
import { macs } from "../algorithms/macs.js";
import { KEX_MARKERS, kexMethods } from "../algorithms/kex.js";
import { hostKeyAlgorithms } from "../algorithms/host-keys.js";
import { decodeKexInit, encodeKexInit, negotiate, type KexInit, type Negotiated } from "../kex/kexinit.js";
import type { KexContext, KexMethod, KexResult, ServerHostKey } from "../kex/kex-method.js";
import { deriveKey } from "../kex/derive-keys.js";
import type { KeyLetters, TransportRole } from "./role.js";

/** Throws (HostKeyUnknownError, HostKeyMismatchError, ...) to refuse the server's host key. */
export type HostKeyCheck = (key: { type: string; algorithm: string; blob: Uint8Array }) => Promise<void>;

/** The algorithm lists of our KEXINIT, each in our order of preference. */
export interface KexAlgorithmLists {
  kex: string[];
  hostKey: string[];
  cipher: string[];
  mac: string[];
}

export interface KeyExchangeOptions {
  role: TransportRole;
  first: boolean;
  ourVersion: string;
  peerVersion: () => string;
  algorithms: KexAlgorithmLists;
  sessionId: Uint8Array | null;
  /** The host key of the first kex; a rekey must present the same one. */
  hostKeyBlob: Uint8Array | null;
  strictKex: boolean;
  /** Client role: the caller's trust decision on the server's key. */
  checkHostKey?: HostKeyCheck;
  /** Server role: our host keys by signature algorithm name. */
  hostKeys?: ReadonlyMap<string, ServerHostKey>;
  send: (payload: Uint8Array) => void;
  onNewKeysSent: () => void;
  /** The exchange failed while the transport was not waiting on it. */
  onError: (error: Error) => void;
  logger: Logger;
  timeoutMs: number;
  onTimeout: () => void;
}

/** What a finished exchange negotiated (client.algorithms reports it). */
export interface NegotiatedAlgorithms {
  kex: string;
  hostKey: string;
  cipher: { clientToServer: string; serverToClient: string };
  mac: { clientToServer: string | null; serverToClient: string | null };
}

/** Kex messages a peer may send ahead of our reading them; a real exchange has one or two. */
const MAX_QUEUED_KEX_MESSAGES = 8;

export class KeyExchange {
  readonly first: boolean;
  readonly done = deferred<void>();
  /** True from our KEXINIT until our NEWKEYS: other packets must wait (RFC 4253 §7.1). */
  gatesOutput = true;
  strict = false;
  /** The peer's first KEXINIT carried its ext-info marker (RFC 8308 §2.1). */
  peerWantsExtInfo = false;
  receivedKexInit = false;
  outboundInstalled = false;
  inboundInstalled = false;
  sessionId: Uint8Array | null;
  hostKeyBlob: Uint8Array | null = null;
  negotiated: Negotiated | null = null;
  /** The kex methods the peer offered (markers removed). */
  peerKexAlgorithms: string[] = [];
  /** The host key algorithms the peer offered, for the advice when its key is refused. */
  private peerHostKeyAlgorithms: string[] = [];

  private ourKexInit!: Uint8Array;
  private ourLists!: KexInit;
  private theirKexInit: Uint8Array | null = null;
  private method: KexMethod | null = null;
  private ignoreNextKexPacket = false;
  private outbound: PacketCipher | null = null;
  private inbound: PacketCipher | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The method waits here for its next message. */
  private waiting: Deferred<Uint8Array> | null = null;
  private queued: Uint8Array[] = [];
  /** Resolves when the method has taken a delivered message and needs another, or has finished. */
  private progress: Deferred<void> | null = null;
  private finished = false;

  constructor(private readonly o: KeyExchangeOptions) {
    this.first = o.first;
    this.sessionId = o.sessionId;
    // The first exchange's clock starts with the peer's identification (startTimer), so a silent
    // peer reads as a version-exchange timeout, not a kex one.
    if (!o.first) this.startTimer();
  }

  startTimer(): void {
    if (this.timer === undefined && !this.finished) {
      this.timer = setTimeout(this.o.onTimeout, this.o.timeoutMs);
    }
  }

  sendKexInit(): void {
    const a = this.o.algorithms;
    const init: KexInit = {
      cookie: randomBytes(16),
      kex: this.first ? [...a.kex, ...this.o.role.firstKexMarkers] : [...a.kex],
      hostKey: a.hostKey,
      cipherC2S: a.cipher,
      cipherS2C: a.cipher,
      macC2S: a.mac,
      macS2C: a.mac,
      compC2S: ["none"],
      compS2C: ["none"],
      langC2S: [],
      langS2C: [],
      firstKexFollows: false,
    };
    this.ourLists = init;
    this.ourKexInit = encodeKexInit(init);
    this.o.send(this.ourKexInit);
  }

  /**
   * Negotiate at once (so the transport can apply strict kex to the very next packet), then start
   * the method. Resolves when the method waits for the peer's first message or has finished.
   */
  handleKexInit(payload: Uint8Array): Promise<void> {
    if (this.receivedKexInit) throw new ProtocolError("second KEXINIT during one key exchange");
    this.receivedKexInit = true;
    this.theirKexInit = payload.slice();
    const theirs = decodeKexInit(payload);
    this.peerKexAlgorithms = theirs.kex.filter((a) => !KEX_MARKERS.has(a));
    this.peerHostKeyAlgorithms = theirs.hostKey;
    const role = this.o.role;
    if (this.first) {
      this.strict = theirs.kex.includes(role.peerStrictMarker);
      this.peerWantsExtInfo = theirs.kex.includes(role.peerExtInfoMarker);
    } else {
      this.strict = this.o.strictKex;
    }
    const n = role.name === "client" ? negotiate(this.ourLists, theirs, "client") : negotiate(theirs, this.ourLists, "server");
    this.negotiated = n;
    this.method = kexMethods.get(n.kex)!;
    // RFC 4253 §7: the peer's guessed kex packet is right only if both sides prefer the same kex and
    // host-key algorithms (their first entries match, as OpenSSH's proposals_match checks); else
    // it must be ignored. Dropbear's client guesses.
    const ours = this.ourLists;
    if (theirs.firstKexFollows && (theirs.kex[0] !== ours.kex[0] || theirs.hostKey[0] !== ours.hostKey[0])) this.ignoreNextKexPacket = true;
    this.progress = deferred<void>();
    const progress = this.progress.promise;
    void this.run();
    return progress;
  }

  /** A message numbered 30-49: hand it to the method and wait until it has dealt with it. */
  handleKexMessage(payload: Uint8Array): Promise<void> | void {
    if (this.ignoreNextKexPacket) {
      this.ignoreNextKexPacket = false;
      return;
    }
    if (!this.method || this.finished) throw new ProtocolError(`unexpected key exchange message ${payload[0]}`);
    if (this.queued.length >= MAX_QUEUED_KEX_MESSAGES) throw new ProtocolError("too many key exchange messages");
    // Payloads may be views into a reused socket buffer.
    const message = payload.slice();
    this.progress = deferred<void>();
    const w = this.waiting;
    this.waiting = null;
    if (w) w.resolve(message);
    else this.queued.push(message);
    return this.progress.promise;
  }

  private receive(): Promise<Uint8Array> {
    const next = this.queued.shift();
    if (next) return Promise.resolve(next);
    this.waiting = deferred<Uint8Array>();
    const p = this.progress;
    this.progress = null;
    p?.resolve();
    return this.waiting.promise;
  }

  private async run(): Promise<void> {
    try {
      const role = this.o.role;
      const ours = this.o.ourVersion;
      const theirs = this.o.peerVersion();
      const ctx: KexContext = {
        clientVersion: role.name === "client" ? ours : theirs,
        serverVersion: role.name === "client" ? theirs : ours,
        clientKexInit: role.name === "client" ? this.ourKexInit : this.theirKexInit!,
        serverKexInit: role.name === "client" ? this.theirKexInit! : this.ourKexInit,
        send: (p) => this.o.send(p),
        receive: () => this.receive(),
      };
      const n = this.negotiated!;
      // Code some negotiated rows import on first use (AES, HMAC) loads while the exchange runs;
      // installKeys needs it synchronously. Awaited below, so a failed exchange leaves it unheeded.
      const loaded = Promise.all([ciphers.ready(n.cipherC2S), ciphers.ready(n.cipherS2C), macs.ready(n.macC2S), macs.ready(n.macS2C)]);
      loaded.catch(() => {});
      let result: KexResult;
      if (role.name === "client") {
        result = await this.method!.client(ctx);
        await this.checkServer(result, n);
      } else {
        const hostKey = this.o.hostKeys?.get(n.hostKey);
        if (!hostKey) throw new ProtocolError(`no host key for the negotiated algorithm ${n.hostKey}`);
        result = await this.method!.server(ctx, hostKey);
        this.sessionId ??= result.exchangeHash;
        this.hostKeyBlob = result.hostKeyBlob;
      }
      await loaded;
      this.installKeys(result, n);
      this.finished = true;
      const p = this.progress;
      this.progress = null;
      p?.resolve();
    } catch (e) {
      this.finished = true;
      const error = e instanceof Error ? e : new ProtocolError(String(e));
      const p = this.progress;
      this.progress = null;
      // The transport is waiting on this exchange: it fails the connection with the error.
      if (p) p.reject(error);
      else this.o.onError(error);
    }
  }

  /** Client: the host key must be of the negotiated type, sign H, and be trusted (first kex) or unchanged (rekey). */
  private async checkServer(result: KexResult, n: Negotiated): Promise<void> {
    let type: string;
    try {
      ({ type } = decodePublicBlob(result.hostKeyBlob));
    } catch (e) {
      // The size check runs while the blob is read (the key, or a certificate's certified key), and
      // its own message tells the user to make a new key of their own: say it is the server's.
      if (e instanceof RsaKeySizeError) throw this.smallRsaHostKey(result.hostKeyBlob, e.bits, n.hostKey);
      throw e;
    }
    const expected = hostKeyAlgorithms.get(n.hostKey)?.keyType;
    if (type !== expected) throw new ProtocolError(`server sent a ${type} host key after negotiating ${n.hostKey}`);
    // The signature proves the server holds the private half of the key we are about to trust; it
    // must be made with the negotiated algorithm (RFC 8332 §3: rsa-sha2-512 is not rsa-sha2-256).
    if (!(await verifySignature(result.hostKeyBlob, result.signature, result.exchangeHash, [n.hostKey]))) {
      throw new ProtocolError("host key signature over the exchange hash is invalid");
    }
    if (this.first) {
      this.sessionId = result.exchangeHash;
      await this.o.checkHostKey!({ type, algorithm: n.hostKey, blob: result.hostKeyBlob });
    } else if (!this.o.hostKeyBlob || !equalBytes(this.o.hostKeyBlob, result.hostKeyBlob)) {
      throw new HostKeyMismatchError("(rekey)", type, fingerprintSha256(result.hostKeyBlob), "the host key of this connection's first key exchange");
    }
    this.hostKeyBlob = result.hostKeyBlob;
  }

  /**
   * The server's RSA host key (or its certificate's key) is under RSA_MIN_BITS. OpenSSH's client
   * refuses a host key under RequiredRSASize and ends the connection, as there is no way to ask for
   * another key once one is sent (sshconnect2.c verify_host_key_callback: "Bad server host key"). Its
   * default is 1024 bits (ssh_config(5), OpenSSH 9.1 to 10.0); we refuse under 2048 as we do for
   * every RSA key (NIST SP 800-131A: signing with RSA under 2048 bits is disallowed after 2013).
   */
  private smallRsaHostKey(blob: Uint8Array, bits: number, algorithm: string): HostKeyRefusedError {
    const type = new SshReader(blob).text(128);
    const fingerprint = fingerprintSha256(blob);
    const what = type === "ssh-rsa" ? "host key" : `host certificate (${type}) certifies a key that`;
    const others = this.peerHostKeyAlgorithms.filter((a) => {
      const keyType = hostKeyAlgorithms.get(a)?.keyType;
      return keyType !== undefined && keyType !== "ssh-rsa" && !keyType.startsWith("ssh-rsa-");
    });
    // Kept short: every page that connects downloads this text.
    const instead = others.length ? `, or ask for another type it offers (algorithms.hostKey): ${others.join(",")}` : "";
    return new HostKeyRefusedError(
      type,
      fingerprint,
      bits,
      `the server's ${what} is RSA with ${bits} bits (${fingerprint}, ${algorithm}); RSA keys under ${RSA_MIN_BITS} bits are refused ` +
        `(OpenSSH: RequiredRSASize, default 1024). The server needs an ed25519 or 3072-bit RSA host key${instead}`,
    );
  }

  /** RFC 4253 §7.2: derive both directions' keys with the method's hash, then send NEWKEYS. */
  private installKeys(result: KexResult, n: Negotiated): void {
    const hash = this.method!.hash;
    const { sharedSecret: k, exchangeHash: h } = result;
    const sid = this.sessionId!;
    const clientToServer = this.o.role.name === "client";
    const make = (cipherName: string, macName: string, l: KeyLetters): PacketCipher => {
      const f = ciphers.get(cipherName)!;
      const key = deriveKey(hash, k, h, l.key, sid, f.keyLength);
      const iv = deriveKey(hash, k, h, l.iv, sid, f.ivLength);
      if (f.aead) return f.create(key, iv);
      const algorithm = macs.get(macName)!;
      return f.create(key, iv, { algorithm, key: deriveKey(hash, k, h, l.mac, sid, algorithm.keyLength) });
    };
    this.outbound = clientToServer ? make(n.cipherC2S, n.macC2S, this.o.role.outLetters) : make(n.cipherS2C, n.macS2C, this.o.role.outLetters);
    this.inbound = clientToServer ? make(n.cipherS2C, n.macS2C, this.o.role.inLetters) : make(n.cipherC2S, n.macC2S, this.o.role.inLetters);
    this.o.send(new Uint8Array([MSG.NEWKEYS]));
    this.gatesOutput = false;
    this.outboundInstalled = true;
    this.o.onNewKeysSent();
  }

  takeOutboundCipher(): PacketCipher {
    return this.outbound!;
  }

  takeInboundCipher(): PacketCipher {
    if (!this.inbound) throw new ProtocolError("NEWKEYS before the key exchange completed");
    this.inboundInstalled = true;
    return this.inbound;
  }

  finish(): void {
    clearTimeout(this.timer);
    this.done.resolve();
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.finished = true;
    this.waiting?.reject(new ProtocolError("key exchange aborted"));
    this.done.reject(new ProtocolError("key exchange aborted"));
  }

  /** The negotiated algorithms, by direction. */
  algorithms(): NegotiatedAlgorithms {
    const n = this.negotiated!;
    return {
      kex: n.kex,
      hostKey: n.hostKey,
      cipher: { clientToServer: n.cipherC2S, serverToClient: n.cipherS2C },
      mac: { clientToServer: n.macC2S || null, serverToClient: n.macS2C || null },
    };
  }

  summary(): string {
    const n = this.negotiated!;
    const mac = n.macC2S ? `, mac ${n.macC2S}` : "";
    return `kex ${n.kex}, host key ${n.hostKey}, cipher ${n.cipherC2S}${mac}${this.strict ? ", strict kex" : ""}`;
  }
}
