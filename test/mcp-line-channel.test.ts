// LineChannel on our own channels takes the direct paths (Channel.send for stdin, an InboundSink
// for stdout): against sshd running `cat` and a flood of output, check that those keep the stream
// order, put EOF after every byte, and still hold the remote back while a consumer is busy.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SSHClient } from "../src/entries/ssh.js";
import { LOCAL_MAX_PACKET, LOCAL_WINDOW } from "../src/ssh/connection/channel.js";
import { createLogger } from "../src/ssh/logger.js";
import { LineChannel, type ChannelEnd } from "../src/mcp/framing/line-channel.js";
import { makeClientKey, startSshd, type TestServer } from "./helpers/servers.js";
import { connectTo } from "./helpers/connect.js";

let server: TestServer;
let client: SSHClient;

beforeAll(async () => {
  const key = await makeClientKey();
  server = await startSshd({ authorizedKeys: [key.publicKeyLine] });
  client = await connectTo(server, key);
});
afterAll(async () => {
  await client?.close();
  await server?.stop();
});

const encoder = new TextEncoder();
const logger = createLogger("error");

describe("LineChannel over an SSH channel", () => {
  it("keeps unawaited writes of mixed sizes in order and sends EOF after the last byte", async () => {
    const channel = await client.exec("cat");
    const received: string[] = [];
    const errors: Error[] = [];
    let ended: ChannelEnd | undefined;
    const lines = new LineChannel(channel, {
      logger,
      events: { line: (t) => void received.push(t), error: (e) => void errors.push(e), ended: (e) => (ended = e) },
    });
    lines.start();
    const sent: string[] = [];
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 300; i++) {
      // Every tenth line spans several packets and so waits between them; the small ones written
      // meanwhile must not overtake it.
      const line = i % 10 === 0 ? `${i}:${"x".repeat(100 * 1024)}` : JSON.stringify({ n: i });
      sent.push(line);
      writes.push(lines.write(encoder.encode(`${line}\n`)));
    }
    const end = await lines.close(10_000);
    await Promise.all(writes);
    expect(errors).toEqual([]);
    expect(received.length).toBe(sent.length);
    expect(received.map((l) => l.slice(0, 12))).toEqual(sent.map((l) => l.slice(0, 12)));
    expect(received).toEqual(sent);
    expect(end.exit?.code).toBe(0);
    expect(ended).toEqual(end);
  });

  it("holds the remote's output back while the consumer is busy, then delivers every line", async () => {
    const lineBytes = 1024;
    const count = 8192; // 8 MiB: four times the window we grant
    const channel = await client.exec(`yes ${"a".repeat(lineBytes - 1)} | head -n ${count}`);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let seen = 0;
    let wrong = 0;
    const lines = new LineChannel(channel, {
      logger,
      events: {
        line: (t) => {
          seen++;
          if (t.length !== lineBytes - 1) wrong++;
          return seen === 1 ? gate : undefined;
        },
        error: () => void wrong++,
        ended: () => {},
      },
    });
    lines.start();
    // Let the server fill whatever window it has; with the consumer stuck on the first line,
    // nothing may be credited back, so at most one window (and a packet in flight) is held.
    let held = 0;
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 20));
      held = Math.max(held, (channel as unknown as { bufferedBytes: number }).bufferedBytes);
    }
    expect(seen).toBe(1);
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThanOrEqual(LOCAL_WINDOW + LOCAL_MAX_PACKET);
    release();
    const end = await lines.whenEnded;
    expect(end.error).toBeNull();
    expect(seen).toBe(count);
    expect(wrong).toBe(0);
  });
});
