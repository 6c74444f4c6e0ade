// Issue 8: every wait of the client has a deadline that names its step, and close() ends a
// connection cleanly (DISCONNECT, channels failed, socket closed, idempotent).
import { spawn, type ChildProcess } from "node:child_process";
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SSHClient, type ConnectOptions } from "../src/entries/ssh.js";
import { ConnectionLostError, TimeoutError } from "../src/ssh/errors.js";
import { socketToByteStream } from "../src/ssh/io/node-tcp.js";
import { makeClientKey, startSshd, waitForLog, type ClientKey, type TestServer } from "./helpers/servers.js";
import { startProxy } from "./helpers/tcp-proxy.js";
import { CleartextWatcher } from "./helpers/ssh-cleartext.js";
import { withDeadline } from "./helpers/bounded.js";
import { connectError, fakeServerOptions, pinnedOptions } from "./helpers/connect.js";
import { fakeServer } from "./helpers/fake-server.js";

/** The configured deadline of each step under test. */
const STEP_MS = 500;
/** Far above STEP_MS, far below the defaults (10-20 s): a deadline that fires here is the configured one. */
const GENEROUS_MS = 5000;
/** Node may run a timer up to a millisecond before its nominal time. */
const TIMER_SLACK_MS = 2;

/** Connect and return how it failed and after how long. */
async function failure(options: ConnectOptions): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  const error = await connectError(options);
  return { error, ms: Date.now() - started };
}

describe("timeouts before the server proves anything", () => {
  it("a server that accepts TCP and stays silent: TimeoutError naming the version exchange, at versionMs", async () => {
    const fake = await fakeServer();
    try {
      const { error, ms } = await failure(fakeServerOptions(fake.port, { timeouts: { versionMs: STEP_MS } }));
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).step).toBe("version exchange");
      expect((error as TimeoutError).timeoutMs).toBe(STEP_MS);
      expect((error as Error).message).toMatch(/version exchange timed out after 500 ms/);
      expect(ms).toBeGreaterThanOrEqual(STEP_MS - TIMER_SLACK_MS);
      expect(ms).toBeLessThan(GENEROUS_MS);
      await withDeadline(fake.closed, 1000, "the client to close its socket after the timeout");
    } finally {
      await fake.stop();
    }
  });

  it("a server that sends its identification and goes silent: TimeoutError naming the key exchange, at kexMs", async () => {
    const fake = await fakeServer((s) => s.write("SSH-2.0-Silent_1.0\r\n"));
    try {
      const { error, ms } = await failure(fakeServerOptions(fake.port, { timeouts: { versionMs: GENEROUS_MS, kexMs: STEP_MS } }));
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).step).toBe("key exchange");
      expect(ms).toBeGreaterThanOrEqual(STEP_MS - TIMER_SLACK_MS);
      expect(ms).toBeLessThan(GENEROUS_MS);
      await withDeadline(fake.closed, 1000, "the client to close its socket after the timeout");
    } finally {
      await fake.stop();
    }
  });

  it("readyTimeoutMs bounds the whole connect and names the step it interrupted", async () => {
    const fake = await fakeServer();
    try {
      const { error, ms } = await failure(fakeServerOptions(fake.port, { readyTimeoutMs: STEP_MS }));
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).step).toBe("version exchange (readyTimeoutMs)");
      expect(ms).toBeGreaterThanOrEqual(STEP_MS - TIMER_SLACK_MS);
      expect(ms).toBeLessThan(GENEROUS_MS);
      await withDeadline(fake.closed, 1000, "the client to close its socket after the timeout");
    } finally {
      await fake.stop();
    }
  });

  it("a TCP connect that gets no answer: TimeoutError naming the connect, at connectMs", async () => {
    // A listener that is stopped (SIGSTOP) with a full accept queue: the kernel drops further SYNs,
    // so a connect neither succeeds nor fails.
    const listener: ChildProcess = spawn(
      process.execPath,
      ["-e", "require('net').createServer().listen({ host: '127.0.0.1', port: 0, backlog: 1 }, function () { console.log(this.address().port) })"],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const fillers: Socket[] = [];
    try {
      const port = await new Promise<number>((resolve, reject) => {
        listener.stdout!.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
        listener.once("exit", () => reject(new Error("the listener process exited")));
      });
      listener.kill("SIGSTOP");
      // Fill the accept queue until a connect stays pending.
      for (let i = 0; i < 16; i++) {
        const s = connect({ host: "127.0.0.1", port });
        s.on("error", () => {});
        fillers.push(s);
        const connected = await Promise.race([
          new Promise<boolean>((r) => s.once("connect", () => r(true))),
          new Promise<boolean>((r) => setTimeout(() => r(false), 200)),
        ]);
        if (!connected) break;
      }
      const { error, ms } = await failure(fakeServerOptions(port, { timeouts: { connectMs: STEP_MS } }));
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).step).toBe(`connect to 127.0.0.1:${port}`);
      expect(ms).toBeGreaterThanOrEqual(STEP_MS - TIMER_SLACK_MS);
      expect(ms).toBeLessThan(GENEROUS_MS);
    } finally {
      for (const s of fillers) s.destroy();
      listener.kill("SIGKILL");
    }
  });
});

describe("timeouts and clean shutdown against sshd", () => {
  let key: ClientKey;
  let sshd: TestServer;
  beforeAll(async () => {
    key = await makeClientKey();
    sshd = await startSshd({ authorizedKeys: [key.publicKeyLine], config: ["SetEnv SHLVL=1"] });
  });
  afterAll(() => sshd?.stop());

  /** Through a proxy on `port`, or straight to sshd. */
  const options = (port: number, extra: Partial<ConnectOptions> = {}): ConnectOptions => pinnedOptions(sshd, key, { port, ...extra });

  it("the server goes silent right after the key exchange: TimeoutError naming authentication, at authMs", async () => {
    const watcher = new CleartextWatcher();
    const proxy = await startProxy(sshd.port, {
      // Forward up to and including the server's NEWKEYS, swallow everything after it.
      toClient: (chunk, offset) => {
        if (watcher.newKeysEnd < 0) watcher.feed(chunk);
        if (watcher.newKeysEnd < 0) return chunk;
        return chunk.subarray(0, Math.max(0, watcher.newKeysEnd - offset));
      },
    });
    try {
      const { error, ms } = await failure(options(proxy.port, { timeouts: { authMs: STEP_MS } }));
      expect(watcher.newKeysEnd).toBeGreaterThan(0);
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).step).toBe("authentication");
      expect(ms).toBeGreaterThanOrEqual(STEP_MS - TIMER_SLACK_MS);
      expect(ms).toBeLessThan(GENEROUS_MS);
      await withDeadline(proxy.clientClosed(), 1000, "the client to close its socket after the timeout");
    } finally {
      await proxy.stop();
    }
  });

  it("the server goes silent after login: exec fails with TimeoutError naming the channel open, at channelOpenMs", async () => {
    let swallow = false;
    const proxy = await startProxy(sshd.port, { toClient: (chunk) => (swallow ? Buffer.alloc(0) : chunk) });
    try {
      const client = await SSHClient.connect(options(proxy.port, { timeouts: { channelOpenMs: STEP_MS } }));
      swallow = true;
      const started = Date.now();
      const error = await client.exec("true").catch((e: unknown) => e);
      const ms = Date.now() - started;
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).step).toBe("channel open");
      expect(ms).toBeGreaterThanOrEqual(STEP_MS - TIMER_SLACK_MS);
      expect(ms).toBeLessThan(GENEROUS_MS);
      await client.close();
    } finally {
      await proxy.stop();
    }
  });

  it("a confirmation that arrives after the channel-open timeout is closed properly; the connection stays usable", async () => {
    let holding = false;
    const held: Buffer[] = [];
    const proxy = await startProxy(sshd.port, {
      toClient: (chunk) => {
        if (!holding) return chunk;
        held.push(chunk);
        return Buffer.alloc(0);
      },
    });
    try {
      const client = await SSHClient.connect(options(proxy.port, { timeouts: { channelOpenMs: STEP_MS } }));
      holding = true;
      const error = await client.exec("true").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      // Now the server's late answers (the open confirmation among them) get through, in order.
      holding = false;
      proxy.injectToClient(Buffer.concat(held));
      const channel = await client.exec("echo still usable");
      expect(await new Response(channel.stdout).text()).toBe("still usable\n");
      expect((await channel.exit).code).toBe(0);
      expect(client.error).toBeNull();
      await client.close();
      // The abandoned channel was closed with the server's id for it, which sshd accepts.
      expect(sshd.log()).not.toMatch(/bad channel id|Invalid oclose/);
    } finally {
      await proxy.stop();
    }
  });

  it("close(): DISCONNECT to the server, channels fail with ConnectionLostError, resolves once the socket is closed, twice is harmless", async () => {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: "127.0.0.1", port: sshd.port, noDelay: true }, () => resolve(s));
      s.once("error", reject);
    });
    const client = await SSHClient.connect({ ...options(sshd.port), host: undefined, stream: socketToByteStream(socket) });
    const localPort = socket.localPort;
    const channel = await client.exec("sleep 30");
    const stdout = new Response(channel.stdout).text().then(
      () => null,
      (e: unknown) => e,
    );
    const exit = channel.exit.then(
      () => null,
      (e: unknown) => e,
    );
    await client.close();
    expect(socket.destroyed).toBe(true);
    expect(client.closed).toBe(true);
    expect(client.error).toBeNull();
    expect(await stdout).toBeInstanceOf(ConnectionLostError);
    expect(await exit).toBeInstanceOf(ConnectionLostError);
    // Again, sequentially and concurrently: resolves, changes nothing.
    await client.close();
    await Promise.all([client.close(), client.close()]);
    expect(client.error).toBeNull();
    await expect(client.exec("true")).rejects.toBeInstanceOf(ConnectionLostError);
    await waitForLog(sshd, new RegExp(`Received disconnect from 127\\.0\\.0\\.1 port ${localPort}:11: closed by client`));
  });
});
