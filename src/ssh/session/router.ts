/**
 * Under the transport, above the services: hands each message to the service that owns its number
 * range (RFC 4250 §4.1.2: 5-7 transport services, 50-79 user authentication, 80-127 connection
 * protocol) and answers every number no service owns with UNIMPLEMENTED (RFC 4253 §11.4). Messages
 * of a phase that is over (userauth after login) are dropped, never stored: a hostile peer must not
 * grow our memory by sending them.
 */
import { MSG } from "../messages.js";
import type { Logger } from "../logger.js";
import { ProtocolError } from "../errors.js";

export interface MessageService {
  handle(payload: Uint8Array): void | Promise<void>;
}

export interface RouterOptions {
  /** The userauth service (client: the authenticator's inbox; server: the policy engine). */
  auth: MessageService;
  /** Builds the connection service once authentication succeeds. */
  onAuthenticated: () => MessageService;
  /** Client: a USERAUTH_SUCCESS from the peer ends authentication. Server: our userauth calls `authenticated()`. */
  successFromPeer: boolean;
  unimplemented(seq: number): void | Promise<void>;
  logger: Logger;
}

export class SessionRouter {
  private connection: MessageService | null = null;
  private dropped = 0;

  constructor(private readonly o: RouterOptions) {}

  get isAuthenticated(): boolean {
    return this.connection !== null;
  }

  /** Authentication succeeded: from the next message on, 80-127 go to the connection service. */
  authenticated(): void {
    this.connection ??= this.o.onAuthenticated();
  }

  route(payload: Uint8Array, seq: number): void | Promise<void> {
    const type = payload[0]!;
    if (type >= MSG.GLOBAL_REQUEST && type <= 127) {
      if (!this.connection) throw new ProtocolError(`connection message ${type} before authentication succeeded`);
      return this.connection.handle(payload);
    }
    if (type <= MSG.EXT_INFO || (type >= MSG.USERAUTH_REQUEST && type < MSG.GLOBAL_REQUEST)) {
      if (this.connection) {
        // RFC 4252 §5.1: userauth messages after success are ignored. Counted, not kept.
        if (++this.dropped % 1000 === 1) this.o.logger.debug(`ignoring message ${type} after authentication (${this.dropped} so far)`);
        return;
      }
      const r = this.o.auth.handle(payload);
      // The switch happens here, synchronously: connection messages in the same read as
      // USERAUTH_SUCCESS must already find the connection service.
      if (type === MSG.USERAUTH_SUCCESS && this.o.successFromPeer) this.authenticated();
      return r;
    }
    return this.o.unimplemented(seq);
  }
}
