// Issue 8: a fault-injecting TCP proxy between our client and a real sshd flips bits, cuts the
// stream and fragments it. Tampering always ends in a typed error with the socket closed, never
// in corrupted bytes reaching a channel consumer or in a hang; fragmentation changes nothing.
import { createHash, randomBytes, randomInt } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SSHClient, type ConnectOptions } from "../src/entries/ssh.js";
import { ConnectionLostError, ProtocolError, TimeoutError } from "../src/ssh/errors.js";
import { socketToByteStream } from "../src/ssh/io/node-tcp.js";
import { makeClientKey, startSshd, type ClientKey, type TestServer } from "./helpers/servers.js";
import { startProxy } from "./helpers/tcp-proxy.js";
import { mapBounded, withDeadline } from "./helpers/bounded.js";
import { pinnedOptions } from "./helpers/connect.js";

const KiB = 1024;
/** What the server `cat`s in the bit-flip trials. */
const FLIP_FILE_SIZE = 512 * KiB;
/**
 * Flips land in the first half of the transfer: a flip in an encrypted length field can make the
 * client wait for up to 256 KiB (the packet size limit) more, which the rest of the file supplies.
 */
const FLIP_RANGE = 256 * KiB;
const FLIP_TRIALS = 500;
/**
 * More trials in the first bytes after login (global request, channel open confirmation, request
 * reply, the first data packet's header), where small packets make a flip into an encrypted
 * length field likely. A length made larger there leaves the client waiting for bytes the server
 * will never send (it waits for the client in turn): only a liveness check can end that, so these
 * trials run with keepalive on.
 */
const EARLY_TRIALS = 100;
const EARLY_RANGE = 512;
const EARLY_KEEPALIVE = { keepaliveIntervalMs: 300, keepaliveCountMax: 3 };
const KEEPALIVE_LOSS = /did not answer/;
/** Trials in flight at once: the machine has two cores, shared with sshd. */
const PARALLEL = 8;
const MAC_FAILURE = /message authentication failed/;
/** A flip inside an encrypted length field is caught before the tag can be located (as OpenSSH's "Bad packet length"). */
const LENGTH_FAILURE = /packet length/;

let key: ClientKey;
let sshd: TestServer;
let dataDir: string;
let flipFile: string;
let flipData: Buffer;

beforeAll(async () => {
  key = await makeClientKey();
  sshd = await startSshd({
    authorizedKeys: [key.publicKeyLine],
    // INFO keeps sshd's per-connection logging cheap over the thousands of connections below.
    logLevel: "INFO",
    // bash sources ~/.bashrc for commands run by sshd unless it is nested (SHLVL >= 2 once it
    // starts); a heavy .bashrc would otherwise cost each exec hundreds of milliseconds.
    // Trials run in parallel and sshd counts a connection as starting until it authenticated.
    config: ["SetEnv SHLVL=1", "MaxStartups 100"],
  });
  dataDir = mkdtempSync(join(tmpdir(), "mcp-ssh-faults-"));
  flipFile = join(dataDir, "flip.bin");
  flipData = randomBytes(FLIP_FILE_SIZE);
  writeFileSync(flipFile, flipData);
});
afterAll(async () => {
  await sshd?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Through a proxy on `port`, or straight to sshd. */
function options(port: number, extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return pinnedOptions(sshd, key, { port, ...extra });
}

interface FlipOutcome {
  flipped: boolean;
  clientError: Error | null;
  /** What reading stdout (or opening the channel) ended with; null if stdout ended cleanly. */
  consumerError: unknown;
  received: number;
  /** Offset of the first byte the consumer got that differs from the file, or -1. */
  corruptAt: number;
  closed: boolean;
}

/** Connect through a proxy, `cat` the file, and flip `bit` of the byte `position` bytes into the transfer. */
async function flipTrial(position: number, bit: number, extra: Partial<ConnectOptions> = {}): Promise<FlipOutcome> {
  let target = -1;
  let flipped = false;
  const proxy = await startProxy(sshd.port, {
    toClient: (chunk, offset) => {
      if (target < offset || target >= offset + chunk.length) return chunk;
      const out = Buffer.from(chunk);
      out[target - offset]! ^= 1 << bit;
      flipped = true;
      return out;
    },
  });
  try {
    const client = await SSHClient.connect(options(proxy.port, extra));
    target = proxy.stats().toClient + position;
    let received = 0;
    let corruptAt = -1;
    let consumerError: unknown = null;
    try {
      const channel = await client.exec(`cat ${flipFile}`);
      for await (const chunk of channel.stdout) {
        const expected = flipData.subarray(received, received + chunk.length);
        if (corruptAt < 0 && !expected.equals(chunk)) corruptAt = received;
        received += chunk.length;
      }
    } catch (e) {
      consumerError = e;
    }
    await withDeadline(client.whenClosed, 5000, "client.whenClosed after the flip");
    await withDeadline(proxy.clientClosed(), 5000, "the client's socket to close after the flip");
    return { flipped, clientError: client.error, consumerError, received, corruptAt, closed: client.closed };
  } finally {
    await proxy.stop();
  }
}

describe("fault injection against sshd", () => {
  /** What holds for every flip: no corrupted byte delivered, the stream fails with the reason, the socket closes. */
  function checkFlip(o: FlipOutcome, where: string): void {
    expect(o.flipped, `${where}: the proxy flipped the bit`).toBe(true);
    expect(o.corruptAt, `${where}: a corrupted byte reached the consumer`).toBe(-1);
    expect(o.received, `${where}: the transfer must not complete`).toBeLessThan(FLIP_FILE_SIZE);
    expect(o.closed, `${where}: closed`).toBe(true);
    // The consumer learns why: the stream (or the channel open) fails with the connection's error.
    expect(o.consumerError, where).toBeInstanceOf(ConnectionLostError);
    const consumer = o.consumerError as Error;
    expect(consumer === o.clientError || consumer.cause === o.clientError, `${where}: ${consumer.message}`).toBe(true);
  }

  const describeTrial = (t: { position: number; bit: number }, i: number) => `trial ${i} (position ${t.position}, bit ${t.bit})`;

  it(`a flipped bit in a running transfer (${FLIP_TRIALS} random positions): a MAC ProtocolError, the socket closed, no corrupted byte delivered`, async () => {
    const trials = Array.from({ length: FLIP_TRIALS }, () => ({ position: randomInt(FLIP_RANGE), bit: randomInt(8) }));
    const outcomes = await mapBounded(trials, PARALLEL, ({ position, bit }) => flipTrial(position, bit));
    let macFailures = 0;
    outcomes.forEach((o, i) => {
      const where = describeTrial(trials[i]!, i);
      checkFlip(o, where);
      expect(o.clientError, where).toBeInstanceOf(ProtocolError);
      expect(o.clientError!.message, where).toMatch(new RegExp(`${MAC_FAILURE.source}|${LENGTH_FAILURE.source}`));
      if (MAC_FAILURE.test(o.clientError!.message)) macFailures++;
    });
    // Length fields are 4 bytes per packet of up to 32 KiB: nearly every flip is caught by the tag.
    expect(macFailures).toBeGreaterThan(FLIP_TRIALS * 0.95);
  }, 120_000);

  it(`a flipped bit in the small packets right after login (${EARLY_TRIALS} trials, keepalive on): a typed error, the socket closed`, async () => {
    const trials = Array.from({ length: EARLY_TRIALS }, () => ({ position: randomInt(EARLY_RANGE), bit: randomInt(8) }));
    const outcomes = await mapBounded(trials, PARALLEL, ({ position, bit }) => flipTrial(position, bit, EARLY_KEEPALIVE));
    outcomes.forEach((o, i) => {
      const where = describeTrial(trials[i]!, i);
      checkFlip(o, where);
      const e = o.clientError;
      const caught = e instanceof ProtocolError && (MAC_FAILURE.test(e.message) || LENGTH_FAILURE.test(e.message));
      const waitedOut = e instanceof ConnectionLostError && KEEPALIVE_LOSS.test(e.message);
      expect(caught || waitedOut, `${where}: ${e?.name}: ${e?.message}`).toBe(true);
    });
  }, 60_000);

  it("a stream cut at every byte offset of a recorded handshake: always a typed error, never a hang", async () => {
    const session = async (port: number): Promise<void> => {
      const client = await SSHClient.connect(
        options(port, { readyTimeoutMs: 1500, timeouts: { versionMs: 1000, kexMs: 1000, authMs: 1000, channelOpenMs: 1000 } }),
      );
      try {
        const channel = await client.exec("true");
        await channel.exit;
      } finally {
        await client.close();
      }
    };
    // Record: how many bytes the server sends in a whole session (identification to channel close).
    const lengths: number[] = [];
    for (let i = 0; i < 2; i++) {
      const proxy = await startProxy(sshd.port);
      try {
        await session(proxy.port);
        lengths.push(proxy.stats().toClient);
      } finally {
        await proxy.stop();
      }
    }
    const handshake = Math.min(...lengths);
    expect(handshake).toBeGreaterThan(1000);
    const offsets = Array.from({ length: handshake }, (_, i) => i);
    const outcomes = await mapBounded(offsets, PARALLEL, async (cut) => {
      const proxy = await startProxy(sshd.port, {}, { cutToClientAfter: cut });
      const started = Date.now();
      try {
        const error = await withDeadline(session(proxy.port), 2000, `session cut after ${cut} bytes`).then(
          () => null,
          (e: unknown) => e,
        );
        return { cut, error, ms: Date.now() - started };
      } finally {
        await proxy.stop();
      }
    });
    const kinds = new Map<string, number>();
    for (const { cut, error, ms } of outcomes) {
      const typed = error instanceof ConnectionLostError || error instanceof ProtocolError || error instanceof TimeoutError;
      expect(typed, `cut after ${cut} bytes ended in ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`).toBe(true);
      expect(ms, `cut after ${cut} bytes`).toBeLessThan(2000);
      kinds.set((error as Error).name, (kinds.get((error as Error).name) ?? 0) + 1);
    }
    // Almost every cut is seen as the connection ending, not as a timeout.
    expect(kinds.get("ConnectionLostError") ?? 0).toBeGreaterThan(handshake * 0.9);
  }, 180_000);

  it("1-byte TCP segments with delays, both ways: the session works and data is intact", async () => {
    const proxy = await startProxy(sshd.port, {}, { fragment: { maxDelayMs: 2 } });
    // Our own socket, so the test can see the reads our client gets.
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: "127.0.0.1", port: proxy.port, noDelay: true }, () => resolve(s));
      s.once("error", reject);
    });
    const reads: number[] = [];
    socket.on("data", (chunk: Buffer) => reads.push(chunk.length));
    try {
      const client = await SSHClient.connect({ ...options(proxy.port), host: undefined, stream: socketToByteStream(socket) });
      const down = flipData.subarray(0, 48 * KiB);
      const downFile = join(dataDir, "fragment-down.bin");
      writeFileSync(downFile, down);
      const cat = await client.exec(`cat ${downFile}`);
      const got = Buffer.from(await new Response(cat.stdout).arrayBuffer());
      expect(got.equals(down)).toBe(true);
      expect((await cat.exit).code).toBe(0);

      const up = randomBytes(16 * KiB);
      const sum = await client.exec("sha256sum");
      const out = new Response(sum.stdout).text();
      const w = sum.stdin.getWriter();
      await w.write(new Uint8Array(up));
      await w.close();
      expect((await out).split(" ")[0]).toBe(createHash("sha256").update(up).digest("hex"));
      await client.close();
      expect(client.error).toBeNull();
      // The fragmentation really reached the client: nearly all its reads were a single byte.
      const bytes = reads.reduce((a, b) => a + b, 0);
      const singles = reads.filter((n) => n === 1).length;
      expect(singles / bytes).toBeGreaterThan(0.9);
    } finally {
      socket.destroy();
      await proxy.stop();
    }
  }, 120_000);
});
