// A TCP proxy for tests that sits between our client and a real server and can tamper with, cut,
// delay or fragment what passes, so fault handling is exercised against a real peer.
import { createServer, connect, type Server, type Socket } from "node:net";

export interface ProxyHooks {
  /** Transform server-to-client chunks (return the bytes to forward). */
  toClient?: (chunk: Buffer, offset: number) => Buffer;
  /** Transform client-to-server chunks. */
  toServer?: (chunk: Buffer, offset: number) => Buffer;
}

export interface TestProxy {
  port: number;
  hooks: ProxyHooks;
  /** Resolves when the client side of the most recent connection closed. */
  clientClosed(): Promise<void>;
  stop(): Promise<void>;
}

export async function startProxy(targetPort: number, hooks: ProxyHooks = {}): Promise<TestProxy> {
  const sockets = new Set<Socket>();
  let closedWaiters: (() => void)[] = [];
  let lastClientClosed = false;
  const server: Server = createServer((client) => {
    lastClientClosed = false;
    const upstream = connect({ host: "127.0.0.1", port: targetPort, noDelay: true });
    client.setNoDelay(true);
    sockets.add(client).add(upstream);
    let down = 0;
    let up = 0;
    upstream.on("data", (d: Buffer) => {
      const out = proxy.hooks.toClient ? proxy.hooks.toClient(d, down) : d;
      down += d.length;
      if (out.length) client.write(out);
    });
    client.on("data", (d: Buffer) => {
      const out = proxy.hooks.toServer ? proxy.hooks.toServer(d, up) : d;
      up += d.length;
      if (out.length) upstream.write(out);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("close", () => {
      lastClientClosed = true;
      for (const w of closedWaiters.splice(0)) w();
      upstream.destroy();
    });
    upstream.on("close", end);
    client.on("error", end);
    upstream.on("error", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const proxy: TestProxy = {
    port: (server.address() as { port: number }).port,
    hooks,
    clientClosed: () => (lastClientClosed ? Promise.resolve() : new Promise((r) => closedWaiters.push(r))),
    stop: async () => {
      for (const s of sockets) s.destroy();
      closedWaiters = [];
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
