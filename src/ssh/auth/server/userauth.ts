/**
 * ssh-userauth on the server side (RFC 4252), with sshd's policy: only `publickey` is offered;
 * `none` gets FAILURE listing it; a key query (no signature) gets PK_OK only for a key the policy
 * accepts; a signed request is checked against the policy again and its signature verified over
 * the session id and the request (RFC 4252 §7). Every refused non-`none` attempt counts, and the
 * max-auth-tries'th failure disconnects, as sshd does.
 */
import { DISCONNECT_REASON, MSG } from "../../messages.js";
import { ProtocolError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import { publicKeyAlgorithms } from "../../algorithms/host-keys.js";
import { fingerprintSha256 } from "../../keys/fingerprint.js";
import { verifySignature } from "../../keys/signature.js";
import { SshReader } from "../../wire/reader.js";
import { SshWriter } from "../../wire/writer.js";
import { safePeerText } from "../../wire/peer-text.js";

/** One public key the client offers for a user. */
export interface PublicKeyAttempt {
  username: string;
  /** The signature algorithm named in the request (e.g. "rsa-sha2-512" for an ssh-rsa key). */
  algorithm: string;
  /** The key type inside the blob. */
  keyType: string;
  blob: Uint8Array;
  /** "SHA256:..." */
  fingerprint: string;
  /** true for the signed request, false for the query. */
  signed: boolean;
}

/** What the policy grants a key: anything but null/false accepts it. */
export interface AuthGrant {
  /** A forced command (authorized_keys `command="..."`). */
  command?: string;
  /** Extra environment for sessions (authorized_keys `environment="..."`). */
  environment?: Array<[string, string]>;
  /** Where the grant came from, for the log ("authorized_keys line 3"). */
  source?: string;
}

export type AuthorizePublicKey = (attempt: PublicKeyAttempt) => AuthGrant | null | false | Promise<AuthGrant | null | false>;

export interface ServerUserauthOptions {
  send(payload: Uint8Array): Promise<void>;
  sessionId: () => Uint8Array;
  authorize: AuthorizePublicKey;
  maxAuthTries: number;
  /** Called once, after USERAUTH_SUCCESS was sent: the router switches to the connection service. */
  onSuccess(user: AuthenticatedUser): void;
  /** Disconnect with a reason (too many failures, a service we do not offer). */
  disconnect(reason: number, description: string): void;
  logger: Logger;
  /** "203.0.113.5 port 40122", for log lines. */
  peer: string;
}

export interface AuthenticatedUser {
  username: string;
  keyType: string;
  fingerprint: string;
  grant: AuthGrant;
}

const USERAUTH = "ssh-userauth";
const CONNECTION = "ssh-connection";
const METHODS = ["publickey"];

export class ServerUserauth {
  private serviceAccepted = false;
  private failures = 0;
  private done = false;

  constructor(private readonly o: ServerUserauthOptions) {}

  async handle(payload: Uint8Array): Promise<void> {
    if (this.done) return;
    const type = payload[0]!;
    const r = new SshReader(payload, 1);
    if (type === MSG.SERVICE_REQUEST) {
      const service = r.text(64);
      if (service !== USERAUTH || this.serviceAccepted) {
        this.o.disconnect(DISCONNECT_REASON.SERVICE_NOT_AVAILABLE, `service "${safePeerText(service)}" is not available`);
        return;
      }
      this.serviceAccepted = true;
      await this.o.send(new SshWriter(32).byte(MSG.SERVICE_ACCEPT).string(USERAUTH).finish().slice());
      return;
    }
    if (type !== MSG.USERAUTH_REQUEST) throw new ProtocolError(`unexpected message ${type} during authentication`);
    if (!this.serviceAccepted) throw new ProtocolError("USERAUTH_REQUEST before the ssh-userauth service was accepted");
    const username = r.text(256);
    const service = r.text(64);
    const method = r.text(64);
    const user = safePeerText(username);
    if (method === "none") return this.fail(false, `none for ${user}`);
    if (service !== CONNECTION) return this.fail(true, `${safePeerText(method)} for ${user}: service "${safePeerText(service)}" is not offered`);
    if (method !== "publickey") return this.fail(true, `${safePeerText(method)} for ${user}: method not offered`);
    const signed = r.boolean();
    const algorithm = r.text(128);
    const blob = r.string(16 * 1024);
    const signature = signed ? r.string(16 * 1024) : null;
    let keyType: string;
    try {
      keyType = new SshReader(blob).text(128);
    } catch {
      return this.fail(true, `publickey for ${user}: malformed key blob`);
    }
    const fingerprint = fingerprintSha256(blob);
    const label = `${safePeerText(keyType)} ${fingerprint}`;
    const row = publicKeyAlgorithms.get(algorithm);
    if (!row || row.keyType !== keyType) {
      return this.fail(true, `publickey for ${user}: signature algorithm "${safePeerText(algorithm)}" is not accepted for a ${safePeerText(keyType)} key`);
    }
    let grant: AuthGrant | null | false;
    try {
      grant = await this.o.authorize({ username, algorithm, keyType, blob, fingerprint, signed });
    } catch (e) {
      this.o.logger.warn(`authorization check failed for ${user} from ${this.o.peer}: ${(e as Error)?.message ?? e}`);
      grant = null;
    }
    if (!grant) return this.fail(true, `publickey for ${user}: key ${label} not authorized`);
    if (!signature) {
      // RFC 4252 §7: the key would be accepted; the client may now sign. Not a failure.
      await this.o.send(new SshWriter(64 + blob.length).byte(MSG.USERAUTH_PK_OK).string(algorithm).string(blob).finish().slice());
      return;
    }
    const signedData = new SshWriter(256 + blob.length)
      .string(this.o.sessionId())
      .byte(MSG.USERAUTH_REQUEST)
      .string(username)
      .string(service)
      .string("publickey")
      .boolean(true)
      .string(algorithm)
      .string(blob)
      .finish();
    let valid = false;
    try {
      valid = await verifySignature(blob, signature, signedData);
    } catch (e) {
      this.o.logger.debug(`signature from ${this.o.peer} rejected: ${(e as Error)?.message ?? e}`);
    }
    if (!valid) return this.fail(true, `publickey for ${user}: bad signature from key ${label}`);
    this.done = true;
    await this.o.send(new Uint8Array([MSG.USERAUTH_SUCCESS]));
    this.o.logger.info(`Accepted publickey for ${user} from ${this.o.peer} ssh2: ${label}${grant.source ? ` (${grant.source})` : ""}`);
    this.o.onSuccess({ username, keyType, fingerprint, grant });
  }

  private async fail(counts: boolean, what: string): Promise<void> {
    if (counts) {
      this.failures++;
      this.o.logger.info(`Failed ${what} from ${this.o.peer} (${this.failures} of ${this.o.maxAuthTries})`);
      if (this.failures >= this.o.maxAuthTries) {
        this.done = true;
        this.o.logger.warn(`maximum authentication attempts exceeded from ${this.o.peer}`);
        this.o.disconnect(DISCONNECT_REASON.NO_MORE_AUTH_METHODS_AVAILABLE, "Too many authentication failures");
        return;
      }
    }
    await this.o.send(new SshWriter(32).byte(MSG.USERAUTH_FAILURE).nameList(METHODS).boolean(false).finish().slice());
  }
}
