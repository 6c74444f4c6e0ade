import { ConnectionLostError } from "./errors.js";

/**
 * Messages for a layer that reads them one at a time in a request/reply style (userauth): the
 * transport pushes, the layer awaits `next()`. A closed inbox fails every waiter with the reason.
 */
export class Inbox {
  private items: Uint8Array[] = [];
  private waiters: { resolve: (m: Uint8Array) => void; reject: (e: unknown) => void }[] = [];
  private failure: Error | null = null;

  push(message: Uint8Array): void {
    const w = this.waiters.shift();
    if (w) w.resolve(message);
    // Payloads can be views into a socket buffer that is reused; keep a copy when it must wait.
    else this.items.push(message.slice());
  }

  next(): Promise<Uint8Array> {
    const m = this.items.shift();
    if (m) return Promise.resolve(m);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  fail(error: Error = new ConnectionLostError("connection closed")): void {
    this.failure = error;
    for (const w of this.waiters.splice(0)) w.reject(error);
  }
}
