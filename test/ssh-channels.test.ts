// Issue 3: session channels as Web Streams with real flow control, against sshd and Dropbear.
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SSHClient, type SSHChannel } from "../src/entries/ssh.js";
import { ChannelRequestError, ConnectionLostError } from "../src/ssh/errors.js";
import { silentLogger } from "../src/ssh/logger.js";
import { makeClientKey, startDropbear, startSshd, type ClientKey, type TestServer } from "./helpers/servers.js";
import { processTree, signalTree } from "./helpers/process-tree.js";
import { connectTo } from "./helpers/connect.js";
import { sha256Of } from "./helpers/reach.js";

const MiB = 1024 * 1024;
const BIG = 256 * MiB;

let dataDir: string;
let bigFile: string;
let bigSha: string;
let smallFile: string;
let smallSha: string;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), "mcp-ssh-channels-"));
  // 256 MiB of random bytes, hashed as they are written (the server `cat`s this file).
  bigFile = join(dataDir, "big.bin");
  const h = createHash("sha256");
  const block = randomBytes(4 * MiB);
  const parts: Buffer[] = [];
  for (let i = 0; i < BIG / block.length; i++) {
    const b = Buffer.from(block);
    b.writeUInt32BE(i, 0); // every block differs, so a reordered or repeated block changes the hash
    parts.push(b);
    h.update(b);
  }
  writeFileSync(bigFile, Buffer.concat(parts));
  bigSha = h.digest("hex");
  smallFile = join(dataDir, "small.bin");
  const small = randomBytes(4 * MiB);
  writeFileSync(smallFile, small);
  smallSha = createHash("sha256").update(small).digest("hex");
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const text = (s: ReadableStream<Uint8Array>) => new Response(s).text();

const servers: Record<string, (key: ClientKey) => Promise<TestServer>> = {
  // sshd allows 10 sessions per connection by default; the concurrency test opens 20.
  sshd: (key) => startSshd({ authorizedKeys: [key.publicKeyLine], config: ["MaxSessions 64"] }),
  dropbear: (key) => startDropbear({ authorizedKeys: [key.publicKeyLine] }),
};

for (const [name, start] of Object.entries(servers)) {
  describe(`channels on ${name}`, () => {
    let key: ClientKey;
    let server: TestServer;
    let client: SSHClient;
    beforeAll(async () => {
      key = await makeClientKey();
      server = await start(key);
      client = await connectTo(server, key);
    });
    afterAll(async () => {
      await client?.close();
      await server?.stop();
    });

    it("exec: stdout, stderr and the exit code", async () => {
      const ch = await client.exec("printf hello; printf err >&2; exit 3");
      const [out, err, exit] = await Promise.all([text(ch.stdout), text(ch.stderr), ch.exit]);
      expect(out).toBe("hello");
      expect(err).toBe("err");
      expect(exit).toEqual({ code: 3, signal: null });
    });

    it("exec: a process killed by a signal reports the signal", async () => {
      const ch = await client.exec("kill -TERM $$; sleep 5");
      const [, , exit] = await Promise.all([text(ch.stdout), text(ch.stderr), ch.exit]);
      expect(exit.signal).toBe("TERM");
      expect(exit.code).toBeNull();
    });

    it("256 MiB down: the server cats a random file, sha256 equal", async () => {
      const ch = await client.exec(`cat ${bigFile}`);
      const [{ sha, bytes }, exit] = await Promise.all([sha256Of(ch.stdout), ch.exit]);
      expect(bytes).toBe(BIG);
      expect(sha).toBe(bigSha);
      expect(exit.code).toBe(0);
    });

    it("256 MiB up: the server pipes stdin into sha256sum, sha256 equal", async () => {
      const ch = await client.exec("sha256sum");
      const out = text(ch.stdout);
      const h = createHash("sha256");
      const writer = ch.stdin.getWriter();
      const block = randomBytes(MiB);
      for (let i = 0; i < BIG / MiB; i++) {
        const b = Buffer.from(block);
        b.writeUInt32BE(i, 0);
        h.update(b);
        await writer.write(new Uint8Array(b));
      }
      await writer.close(); // EOF; stdout keeps flowing (half-close)
      expect((await out).split(" ")[0]).toBe(h.digest("hex"));
      expect((await ch.exit).code).toBe(0);
    });

    it("a consumer that does not read holds no more than the window, and the server blocks", async () => {
      const marker = join(dataDir, `done-${name}`);
      const total = 24 * MiB;
      const ch = (await client.exec(`head -c ${total} /dev/zero; touch ${marker}`)) as SSHChannel & { bufferedBytes: number };
      // Wait for the first bytes (the remote shell may take a while to start: root's ~/.bashrc
      // runs for ssh sessions here), then give the server time to fill the whole window.
      for (let waited = 0; ch.bufferedBytes === 0 && waited < 20_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 1500));
      expect(ch.bufferedBytes).toBeGreaterThan(0);
      expect(ch.bufferedBytes).toBeLessThanOrEqual(2 * MiB);
      expect(existsSync(marker), "the server must be blocked by the closed window").toBe(false);
      const { bytes } = await sha256Of(ch.stdout);
      expect(bytes).toBe(total);
      await ch.exit;
      expect(existsSync(marker)).toBe(true);
    });

    it("20 concurrent exec channels of 4 MiB each, all intact", async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const ch = await client.exec(`cat ${smallFile}`);
          const [r] = await Promise.all([sha256Of(ch.stdout), ch.exit]);
          return r;
        }),
      );
      for (const r of results) expect(r).toEqual({ sha: smallSha, bytes: 4 * MiB });
    }, 180_000);

    it("an unknown subsystem is a clear ChannelRequestError", async () => {
      const err = await client.subsystem("no-such-subsystem").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ChannelRequestError);
      expect((err as Error).message).toContain("no-such-subsystem");
    });
  });
}

describe("sshd session features", () => {
  let key: ClientKey;
  let server: TestServer;
  let forced: TestServer;
  beforeAll(async () => {
    key = await makeClientKey();
    server = await startSshd({
      authorizedKeys: [key.publicKeyLine],
      config: ["Subsystem echo /bin/cat", "AcceptEnv MCP_TEST_*"],
    });
    forced = await startSshd({ authorizedKeys: [key.publicKeyLine], config: ["ForceCommand printf forced-command-ran"] });
  });
  afterAll(async () => {
    await server?.stop();
    await forced?.stop();
  });

  const connect = (s: TestServer) => connectTo(s, key);

  it("subsystem: sshd's Subsystem line runs and streams both ways", async () => {
    const client = await connect(server);
    const ch = await client.subsystem("echo");
    const w = ch.stdin.getWriter();
    await w.write(new TextEncoder().encode("ping over a subsystem\n"));
    await w.close();
    expect(await text(ch.stdout)).toBe("ping over a subsystem\n");
    await client.close();
  });

  it("shell: runs the ForceCommand", async () => {
    const client = await connect(forced);
    const ch = await client.shell();
    await ch.stdin.getWriter().close();
    expect(await text(ch.stdout)).toBe("forced-command-ran");
    expect((await ch.exit).code).toBe(0);
    await client.close();
  });

  it("env: variables that AcceptEnv allows reach the command", async () => {
    const client = await connect(server);
    const ch = await client.exec('printf "%s|%s" "$MCP_TEST_VAR" "$OTHER_VAR"', { env: { MCP_TEST_VAR: "sent through env", OTHER_VAR: "dropped" } });
    expect(await text(ch.stdout)).toBe("sent through env|");
    await client.close();
  });
});

for (const [name, start] of Object.entries(servers)) {
  describe(`connection loss on ${name}`, () => {
    let key: ClientKey;
    let server: TestServer;
    beforeAll(async () => {
      key = await makeClientKey();
      server = await start(key);
    });
    afterAll(() => server?.stop());

    it("killing the server mid-transfer errors the streams with ConnectionLostError within 2 s", async () => {
      const client = await connectTo(server, key);
      const ch = await client.exec("cat /dev/zero");
      const exit = ch.exit.catch((e: unknown) => e);
      const reader = ch.stdout.getReader();
      let received = 0;
      while (received < 8 * MiB) received += (await reader.read()).value!.length;
      // The listener and every session process it forked: a real crash of the server.
      signalTree(server.pid, "SIGKILL", false);
      const killedAt = Date.now();
      let error: unknown;
      try {
        for (;;) {
          const { done } = await reader.read();
          if (done) break;
        }
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConnectionLostError);
      expect(Date.now() - killedAt).toBeLessThan(2000);
      expect(await exit).toBeInstanceOf(ConnectionLostError);
      await client.close();
    });
  });
}

describe("keepalive", () => {
  let key: ClientKey;
  let server: TestServer;
  beforeAll(async () => {
    key = await makeClientKey();
    server = await startSshd({ authorizedKeys: [key.publicKeyLine] });
  });
  afterAll(async () => {
    signalTree(server.pid, "SIGCONT");
    await server?.stop();
  });

  it("a server frozen with SIGSTOP is declared lost after interval x max missed", async () => {
    const interval = 400;
    const countMax = 3;
    const client = await connectTo(server, key, { keepaliveIntervalMs: interval, keepaliveCountMax: countMax });
    // An idle but live server answers the keepalives: the connection survives several intervals.
    await new Promise((r) => setTimeout(r, interval * (countMax + 2)));
    expect(client.closed).toBe(false);
    const ch = await client.exec("sleep 30");
    const exit = ch.exit.catch((e: unknown) => e);
    signalTree(server.pid, "SIGSTOP");
    const stoppedAt = Date.now();
    const err = await exit;
    const elapsed = Date.now() - stoppedAt;
    signalTree(server.pid, "SIGCONT");
    expect(err).toBeInstanceOf(ConnectionLostError);
    expect((err as Error).message).toMatch(/keepalive/);
    // At most countMax intervals of silence, plus one interval for where the freeze fell.
    expect(elapsed).toBeLessThanOrEqual(interval * (countMax + 1) + 200);
    await client.close();
  });
});

// Dropbear 2022.83 (Debian's) closes a session channel that has no command yet when a child of the
// same connection exits at that moment (mkj/dropbear#326, fixed upstream in 2024): a CHANNEL_CLOSE
// right behind the CHANNEL_OPEN_CONFIRMATION. CI met it once, as a rekey test's second exec
// failing. Freezing the server's session process while the first command exits and the second
// channel is opened makes that moment certain.
describe("Dropbear closing a fresh session channel", () => {
  let key: ClientKey;
  let server: TestServer;
  beforeAll(async () => {
    key = await makeClientKey();
    server = await startDropbear({ authorizedKeys: [key.publicKeyLine] });
  });
  afterAll(async () => {
    signalTree(server.pid, "SIGCONT");
    await server?.stop();
  });

  /** The state letter of a process (Z: exited, not yet reaped), from /proc/PID/stat. */
  const stateOf = (pid: number) => {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  };

  it("exec opens another channel when the server closes one before its first request", async () => {
    const debug: string[] = [];
    const client = await connectTo(server, key, { logger: { ...silentLogger, debug: (m: string) => debug.push(m) } });
    // The command names itself and its parent, Dropbear's process for this connection.
    const first = await client.exec("echo $$ $PPID; exec sleep 0.2");
    const reader = first.stdout.getReader();
    const [child, session] = new TextDecoder().decode((await reader.read()).value).trim().split(" ").map(Number);
    expect(processTree(server.pid), "the command's parent should be a Dropbear process").toContain(session);
    // Our transport answers that small read with an IGNORE (nudgeAck); let Dropbear read it before
    // it is frozen, so that the wake-up below holds only the SIGCHLD and the CHANNEL_OPEN.
    await new Promise((r) => setTimeout(r, 100));
    process.kill(session!, "SIGSTOP");
    try {
      // The command exits while its parent is frozen: SIGCHLD waits for SIGCONT.
      const deadline = Date.now() + 10_000;
      while (stateOf(child!) !== "Z") {
        if (Date.now() > deadline) throw new Error(`the command (pid ${child}) did not exit within 10 s`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const second = client.exec("echo second");
      await new Promise((r) => setTimeout(r, 100)); // the CHANNEL_OPEN is in the server's socket
      process.kill(session!, "SIGCONT");
      // One wake-up now holds both the SIGCHLD and the CHANNEL_OPEN: Dropbear confirms the
      // channel and closes it at once.
      expect(await text((await second).stdout)).toBe("second\n");
      expect(debug.join("\n")).toMatch(/closed session channel \d+ before its first request; opening another/);
      while (!(await reader.read()).done);
      expect((await first.exit).code).toBe(0);
    } finally {
      process.kill(session!, "SIGCONT");
      await client.close();
    }
  });
});
