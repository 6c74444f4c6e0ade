// A TCP proxy for tests that sits between our client and a real server and can tamper with, cut,
// delay or fragment what passes, so fault handling is exercised against a real peer.
import { createServer, connect, type Server, type Socket } from "node:net";

export interface ProxyHooks {
  /** Transform server-to-client chunks (return the bytes to forward). */
  toClient?: (chunk: Buffer, offset: number) => Buffer;
  /** Transform client-to-server chunks. */
  toServer?: (chunk: Buffer, offset: number) => Buffer;
}

export interface ProxyOptions {
  /**
   * Forward only this many server-to-client bytes, then close both sides: the connection is cut
   * at that offset (what the client already received is flushed first).
   */
  cutToClientAfter?: number;
  /**
   * Re-send everything, both ways, one byte per write (Nagle off, a turn of the event loop between
   * bytes, so each byte leaves as its own TCP segment), pausing up to `maxDelayMs` after every chunk.
   */
  fragment?: { maxDelayMs: number };
}

export interface ProxyStats {
  /** Bytes forwarded to the client on the most recent connection. */
  toClient: number;
  /** Bytes forwarded to the server on the most recent connection. */
  toServer: number;
}

export interface TestProxy {
  port: number;
  hooks: ProxyHooks;
  /** Counters of the most recent connection. */
  stats(): ProxyStats;
  /** Resolves when the client side of the most recent connection closed. */
  clientClosed(): Promise<void>;
  /** Send bytes to the client of the most recent connection (e.g. ones a hook held back). */
  injectToClient(data: Buffer): void;
  stop(): Promise<void>;
}

/** Writes to a socket, either as given or one byte per segment with pauses (see ProxyOptions.fragment). */
class Forwarder {
  private queue: { data: Buffer; after?: () => void }[] = [];
  private pumping = false;

  constructor(
    private readonly socket: Socket,
    private readonly fragment: { maxDelayMs: number } | undefined,
  ) {}

  /** Forward `data`; `after` runs once it has been handed to the socket. */
  write(data: Buffer, after?: () => void): void {
    if (!this.fragment) {
      if (data.length && !this.socket.destroyed) this.socket.write(data);
      after?.();
      return;
    }
    this.queue.push({ data, after });
    if (!this.pumping) void this.pump(this.fragment.maxDelayMs);
  }

  private async pump(maxDelayMs: number): Promise<void> {
    this.pumping = true;
    try {
      for (let item = this.queue.shift(); item !== undefined; item = this.queue.shift()) {
        const { data, after } = item;
        for (let i = 0; i < data.length; i++) {
          if (this.socket.destroyed) return;
          this.socket.write(data.subarray(i, i + 1));
          await new Promise((resolve) => setImmediate(resolve));
        }
        if (data.length) await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * (maxDelayMs + 1))));
        after?.();
      }
    } finally {
      this.pumping = false;
    }
  }
}

export async function startProxy(targetPort: number, hooks: ProxyHooks = {}, options: ProxyOptions = {}): Promise<TestProxy> {
  const sockets = new Set<Socket>();
  let closedWaiters: (() => void)[] = [];
  let lastClientClosed = false;
  let last: ProxyStats = { toClient: 0, toServer: 0 };
  let injectLast: (data: Buffer) => void = () => {
    throw new Error("the proxy has no connection to inject into");
  };
  const server: Server = createServer((client) => {
    lastClientClosed = false;
    const stats: ProxyStats = { toClient: 0, toServer: 0 };
    last = stats;
    const upstream = connect({ host: "127.0.0.1", port: targetPort, noDelay: true });
    client.setNoDelay(true);
    sockets.add(client).add(upstream);
    const toClient = new Forwarder(client, options.fragment);
    const toServer = new Forwarder(upstream, options.fragment);
    injectLast = (data) => {
      stats.toClient += data.length;
      toClient.write(data);
    };
    let down = 0;
    let up = 0;
    let cut = false;
    const cutAt = options.cutToClientAfter;
    const cutNow = () => {
      cut = true;
      upstream.destroy();
      client.end(); // flush what was forwarded, then FIN
      client.once("finish", () => client.destroy());
    };
    if (cutAt === 0) cutNow();
    upstream.on("data", (d: Buffer) => {
      if (cut) return;
      let out = proxy.hooks.toClient ? proxy.hooks.toClient(d, down) : d;
      down += d.length;
      if (cutAt !== undefined && stats.toClient + out.length >= cutAt) {
        out = out.subarray(0, cutAt - stats.toClient);
        stats.toClient += out.length;
        toClient.write(out, cutNow);
        cut = true;
        return;
      }
      stats.toClient += out.length;
      toClient.write(out);
    });
    client.on("data", (d: Buffer) => {
      if (cut) return;
      const out = proxy.hooks.toServer ? proxy.hooks.toServer(d, up) : d;
      up += d.length;
      stats.toServer += out.length;
      toServer.write(out);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("close", () => {
      sockets.delete(client);
      lastClientClosed = true;
      for (const w of closedWaiters.splice(0)) w();
      toServer.write(Buffer.alloc(0), () => upstream.destroy());
    });
    upstream.on("close", () => {
      sockets.delete(upstream);
      // What is still queued for the client (fragment mode) goes out before the close.
      if (!cut) toClient.write(Buffer.alloc(0), end);
    });
    client.on("error", end);
    upstream.on("error", () => {
      if (!cut) end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const proxy: TestProxy = {
    port: (server.address() as { port: number }).port,
    hooks,
    stats: () => ({ ...last }),
    clientClosed: () => (lastClientClosed ? Promise.resolve() : new Promise((r) => closedWaiters.push(r))),
    injectToClient: (data) => injectLast(data),
    stop: async () => {
      for (const s of sockets) s.destroy();
      closedWaiters = [];
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
