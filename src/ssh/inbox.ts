import { ConnectionLostError, ProtocolError } from "./errors.js";

/** More than a real userauth exchange ever leaves unread (banners included). */
const MAX_QUEUED_BYTES = 1024 * 1024;

/**
 * Messages for a layer that reads them one at a time in a request/reply style (client userauth):
 * the router pushes, the layer awaits `next()`. Bounded: a peer that floods it fails the
 * connection instead of growing our memory. A closed inbox fails every waiter with the reason.
 */
export class Inbox {
  private items: Uint8Array[] = [];
  private queuedBytes = 0;
  private waiters: { resolve: (m: Uint8Array) => void; reject: (e: unknown) => void }[] = [];
  private failure: Error | null = null;

  /** As a MessageService (session/router.ts). */
  handle(message: Uint8Array): void {
    this.push(message);
  }

  push(message: Uint8Array): void {
    const w = this.waiters.shift();
    if (w) {
      w.resolve(message);
      return;
    }
    this.queuedBytes += message.length;
    if (this.queuedBytes > MAX_QUEUED_BYTES) throw new ProtocolError(`peer sent more than ${MAX_QUEUED_BYTES} bytes of messages ahead of the authentication exchange`);
    // Payloads can be views into a socket buffer that is reused; keep a copy when it must wait.
    this.items.push(message.slice());
  }

  next(): Promise<Uint8Array> {
    const m = this.items.shift();
    if (m) {
      this.queuedBytes -= m.length;
      return Promise.resolve(m);
    }
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  fail(error: Error = new ConnectionLostError("connection closed")): void {
    this.failure = error;
    this.items = [];
    for (const w of this.waiters.splice(0)) w.reject(error);
  }
}
