// A TCP relay in front of an HTTP MCP server that breaks one event stream the way a network does:
// the connection carrying the first request whose bytes contain `requestMarker` is cut on the
// client's side (sshd sees the socket close, so the SSH channel ends) right after the server
// sent `cutAfter`; the server's side is left open and drained, so the server goes on writing
// into the void and only finds out when it ends the stream itself (a half-open connection).
//
// Each sshFetch request comes through sshd as its own TCP connection (Connection: close), so
// one connection is one HTTP request. A request carrying Last-Event-ID (the client resuming) is
// held until the cut stream's server side has ended, as if the network were still down: what
// the server sent meanwhile is then all in its event store when the resume asks for it.
import { connect, createServer, type Socket } from "node:net";

export interface StreamCutter {
  port: number;
  /** True once the marked connection was cut. */
  cut(): boolean;
  /** How many resumes (requests with Last-Event-ID) came through. */
  resumes(): number;
  stop(): Promise<void>;
}

const HEADERS_END = "\r\n\r\n";

export async function startStreamCutter(targetPort: number, requestMarker: string, cutAfter: string): Promise<StreamCutter> {
  const sockets = new Set<Socket>();
  let victimTaken = false;
  let cutDone = false;
  let resumes = 0;
  // Resolves when the cut connection's server side has ended.
  let victimEnded: () => void = () => {};
  const victimGone = new Promise<void>((resolve) => (victimEnded = resolve));

  const server = createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    let head = "";
    let pending: Buffer[] = [];
    let upstream: Socket | undefined;
    let isVictim = false;
    let seen = "";

    const open = () => {
      const up = connect({ host: "127.0.0.1", port: targetPort, noDelay: true });
      upstream = up;
      sockets.add(up);
      for (const chunk of pending) up.write(chunk);
      pending = [];
      up.on("data", (d: Buffer) => {
        if (cutDone && isVictim) return; // drained: the server writes into the void
        client.write(d);
        if (!isVictim) return;
        seen += d.toString("latin1");
        if (seen.includes(cutAfter)) {
          cutDone = true;
          // What was forwarded is flushed first, then the socket closes.
          client.end();
          client.once("finish", () => client.destroy());
        }
      });
      up.on("close", () => {
        sockets.delete(up);
        if (isVictim) victimEnded();
        if (!(isVictim && cutDone)) client.destroy();
      });
      up.on("error", () => up.destroy());
      client.on("close", () => {
        if (!(isVictim && cutDone)) up.destroy();
      });
    };

    let held = false;
    client.on("data", (d: Buffer) => {
      if (upstream) upstream.write(d);
      else pending.push(d);
      // The request so far (one request per connection; its start is all that is looked at).
      if (head.length < 1 << 16) head += d.toString("latin1");
      if (!victimTaken && head.includes(requestMarker)) {
        victimTaken = true;
        isVictim = true;
      }
      if (upstream || held || !head.includes(HEADERS_END)) return;
      if (/^last-event-id:/im.test(head.slice(0, head.indexOf(HEADERS_END)))) {
        resumes++;
        held = true;
        void victimGone.then(() => {
          if (!client.destroyed) open();
        });
        return;
      }
      open();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    cut: () => cutDone,
    resumes: () => resumes,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
