// The Deno and Bun TCP adapters (src/ssh/io/deno-tcp.ts, bun-tcp.ts) on their own runtimes,
// against a Node TCP server that hashes what it receives, echoes it, and answers our EOF with a
// trailer (which only arrives if the adapter half-closes instead of tearing the socket down).
import { createHash } from "node:crypto";
import { createServer, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { parseResult, runScript, type ForeignRuntime } from "./runtimes/run-runtime.js";

const TRAILER = "trailer after your EOF";
let stopServer: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stopServer?.();
  stopServer = undefined;
});

describe.each<ForeignRuntime>(["bun", "deno"])("TCP adapter on %s", (runtime) => {
  it("echoes 8 MiB intact, half-closes, and closes", { timeout: 120_000 }, async () => {
    const sockets: Socket[] = [];
    const received: string[] = [];
    const closed: boolean[] = [];
    // allowHalfOpen: our trailer must still go out after the client's EOF.
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      const index = sockets.push(socket) - 1;
      closed[index] = false;
      const hash = createHash("sha256");
      socket.on("data", (d: Buffer) => {
        hash.update(d);
        if (!socket.write(d)) {
          socket.pause();
          socket.once("drain", () => socket.resume());
        }
      });
      socket.on("end", () => {
        received[index] = hash.digest("hex");
        socket.end(TRAILER);
      });
      socket.on("error", () => {});
      socket.on("close", () => (closed[index] = true));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    stopServer = () => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), server.close(() => resolve())));
    const port = (server.address() as { port: number }).port;

    const run = await runScript(runtime, "test/runtimes/tcp-check.ts", [String(port)]);
    const result = parseResult<{ runtime: string; sentSha256: string; echoSha256: string; trailer: string; bytes: number }>(
      run,
      `${runtime} tcp-check`,
    );
    expect(result.runtime).toBe(runtime);
    expect(result.bytes).toBe(8 * 1024 * 1024 + TRAILER.length);
    expect(received[0]).toBe(result.sentSha256);
    expect(result.echoSha256).toBe(received[0]);
    expect(result.trailer).toBe(TRAILER);
    for (let i = 0; i < 100 && !(closed[1] ?? false); i++) await new Promise((r) => setTimeout(r, 20));
    expect(sockets.length).toBe(2);
    expect(closed[1]).toBe(true);
  });
});
