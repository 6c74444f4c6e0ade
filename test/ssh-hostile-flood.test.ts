// Issue 15: a hostile server that floods a logged-in client with messages no service wants
// (USERAUTH_BANNER after login, CHANNEL_SUCCESS with no request outstanding, unknown message
// numbers). Nothing may be stored: the client's memory stays bounded, each unknown number gets
// UNIMPLEMENTED naming the right sequence number, and the session goes on (a channel opens after).
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { SSHClient } from "../src/ssh/client.js";
import type { Transport } from "../src/ssh/transport/transport.js";
import { MSG } from "../src/ssh/messages.js";
import { SshReader } from "../src/ssh/wire/reader.js";
import { SshWriter } from "../src/ssh/wire/writer.js";
import { memoryPair } from "./helpers/memory-pair.js";
import { testServerTransport } from "./helpers/transport-pair.js";

const EACH = 100_000;
const BANNER = "x".repeat(1024);
/**
 * Client and hostile server share this process, and the in-memory pipe copies every chunk, so RSS
 * also holds garbage V8 has not collected yet: the stated RSS bound is for the whole process. What
 * the client keeps is measured after a full GC: if it kept every banner (1 KiB each) that alone
 * would be > 100 MiB.
 */
const RSS_BOUND = 160 * 1024 * 1024;
const RETAINED_BOUND = 16 * 1024 * 1024;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
function retainedHeap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe("a server flooding a logged-in client", () => {
  it(`${EACH} banners, ${EACH} stray CHANNEL_SUCCESS and ${EACH} unknown numbers: bounded memory, UNIMPLEMENTED, session goes on`, async () => {
    const { a, b } = memoryPair();
    const { server, fingerprint } = await testServerTransport(b, "SSH-2.0-hostile_flood");
    // The server's own sequence numbers of each unknown message it sent, and what came back.
    const unknownSeqs: number[] = [];
    const unimplementedFor: number[] = [];
    let opened = false;
    let sentSeq = () => (server as unknown as { encoder: { seq: number } }).encoder.seq;
    server.onMessage = async (p) => {
      const r = new SshReader(p, 1);
      switch (p[0]) {
        case MSG.SERVICE_REQUEST:
          await server.send(new SshWriter().byte(MSG.SERVICE_ACCEPT).string(r.text()).finish().slice());
          return;
        case MSG.USERAUTH_REQUEST:
          await server.send(Uint8Array.of(MSG.USERAUTH_SUCCESS));
          return;
        case MSG.CHANNEL_OPEN: {
          r.text();
          const sender = r.uint32();
          opened = true;
          await server.send(new SshWriter().byte(MSG.CHANNEL_OPEN_CONFIRMATION).uint32(sender).uint32(7).uint32(65536).uint32(32768).finish().slice());
          return;
        }
      }
    };
    const serverStarted = server.start();
    const client = await SSHClient.connect({ stream: a, username: "u", hostKeyFingerprints: [fingerprint] });
    await serverStarted;
    // The client reports UNIMPLEMENTED through the transport's own handling: watch the server side.
    const original = (server as unknown as { dispatch: (p: Uint8Array, s: number) => unknown }).dispatch.bind(server);
    (server as unknown as { dispatch: (p: Uint8Array, s: number) => unknown }).dispatch = (p: Uint8Array, s: number) => {
      if (p[0] === MSG.UNIMPLEMENTED) unimplementedFor.push(new SshReader(p, 1).uint32());
      return original(p, s);
    };
    const heapBefore = retainedHeap();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const banner = new SshWriter().byte(MSG.USERAUTH_BANNER).string(BANNER).string("").finish().slice();
    const stray = new SshWriter().byte(MSG.CHANNEL_SUCCESS).uint32(12345).finish().slice();
    for (let i = 0; i < EACH; i++) {
      const waits = [server.send(banner), server.send(stray)];
      unknownSeqs.push(sentSeq());
      waits.push(server.send(Uint8Array.of(200 + (i % 50), 1, 2, 3)));
      if (i % 1000 === 999) {
        await Promise.all(waits);
        // Let the client catch up, as a real socket's backpressure would make the server wait.
        while (unimplementedFor.length < unknownSeqs.length - 2000) await new Promise((r) => setTimeout(r, 1));
        rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      }
    }
    const end = Date.now() + 30_000;
    while (unimplementedFor.length < EACH && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    const grew = rssPeak - rssBefore;
    const retained = retainedHeap() - heapBefore;
    const mib = (n: number) => (n / 2 ** 20).toFixed(1);
    console.log(
      `over ${3 * EACH} hostile messages: process RSS grew by ${mib(grew)} MiB (bound ${mib(RSS_BOUND)}), ` +
        `heap retained after GC ${mib(retained)} MiB (bound ${mib(RETAINED_BOUND)})`,
    );
    expect(unimplementedFor).toEqual(unknownSeqs);
    expect(grew).toBeLessThan(RSS_BOUND);
    expect(retained).toBeLessThan(RETAINED_BOUND);
    // The session goes on: a channel opens.
    const channel = client.exec("true");
    await Promise.race([channel.catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
    expect(opened).toBe(true);
    expect(client.closed).toBe(false);
    sentSeq = () => 0;
    await client.close();
  }, 120_000);
});
