/**
 * A key-exchange method (RFC 4253 §7-8) with both roles' halves, modelled on golang.org/x/crypto/ssh
 * `kexAlgorithm`. The role-neutral key exchange (transport/key-exchange.ts) negotiates, then runs
 * `client` or `server`; the method drives its own messages (numbers 30-49) through the context, so
 * one-round ECDH-shaped methods and multi-round ones (diffie-hellman-group-exchange) fit alike.
 */
export type Hash = (data: Uint8Array) => Uint8Array;

/** The exchange so far: the inputs every exchange hash starts with (RFC 4253 §8). */
export interface KexContext {
  /** V_C and V_S, without CR LF. */
  clientVersion: string;
  serverVersion: string;
  /** I_C and I_S: the KEXINIT payloads as sent. */
  clientKexInit: Uint8Array;
  serverKexInit: Uint8Array;
  /** Send one kex message (the transport bypasses its queue for these). */
  send(payload: Uint8Array): void;
  /** The next message numbered 30-49 from the peer (a wrong first_kex_packet_follows guess already dropped). */
  receive(): Promise<Uint8Array>;
}

/** The server's half also needs its host key: the blob it presents (K_S) and a signer over H. */
export interface ServerHostKey {
  /** K_S: the public key (or certificate) blob. */
  blob: Uint8Array;
  /** Signs H with the negotiated host-key algorithm; returns the signature blob (string alg, string sig). */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

export interface KexResult {
  /** K, already wire-encoded as it enters H and key derivation: an mpint for (EC)DH, a string for the hybrids. */
  sharedSecret: Uint8Array;
  /** H. */
  exchangeHash: Uint8Array;
  /** K_S as received (client) or sent (server). */
  hostKeyBlob: Uint8Array;
  /** The signature blob over H (client: to verify; server: what was sent). */
  signature: Uint8Array;
}

export interface KexMethod {
  readonly name: string;
  /** The hash of H and of key derivation (RFC 4253 §7.2). */
  readonly hash: Hash;
  client(ctx: KexContext): Promise<KexResult>;
  server(ctx: KexContext, hostKey: ServerHostKey): Promise<KexResult>;
}
