// Issue 15: text a server chooses never reaches the user's terminal raw, and small defects the
// shape exposed stay fixed. A scripted server (our own server transport over an in-memory pipe,
// or raw bytes on a socket) sends escape sequences in every field that ends up in a log line or an
// error message: DISCONNECT and DEBUG descriptions, the banner, the exit-signal name and message,
// the channel-open failure reason, and the remote's stderr (C0 and C1 controls: CSI, OSC, DCS, ST).
import { describe, expect, it } from "vitest";
import { SSHClient } from "../src/ssh/client.js";
import type { Transport } from "../src/ssh/transport/transport.js";
import { MSG } from "../src/ssh/messages.js";
import type { Logger } from "../src/ssh/logger.js";
import { SshReader } from "../src/ssh/wire/reader.js";
import { SshWriter } from "../src/ssh/wire/writer.js";
import { encodeKexInit } from "../src/ssh/kex/kexinit.js";
import { safePeerText } from "../src/ssh/wire/peer-text.js";
import { LineChannel } from "../src/mcp/framing/line-channel.js";
import { NegotiationError, TimeoutError } from "../src/ssh/errors.js";
import { memoryPair } from "./helpers/memory-pair.js";
import { testServerTransport } from "./helpers/transport-pair.js";
import { serverKexInit } from "./helpers/kexinit.js";
import { fakeServer } from "./helpers/fake-server.js";
import { fakeServerOptions } from "./helpers/connect.js";

/** ESC [ (CSI), OSC 52 clipboard write, the C1 forms (U+009B CSI, U+009D OSC, U+0090 DCS, U+009C ST), BEL, a bare CR. */
const EVIL = "a\x1b[2Jb\x1b]52;c;aGk=\x07c\u009b31md\u009d0;title\u009ce\u0090x\u009cf\rg";
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

function recordingLogger(lines: string[]): Logger {
  const push = (m: string) => void lines.push(m);
  return { debug: push, info: push, warn: push, error: push };
}

/** Our client logged in to a scripted server; `script` runs on each message the server gets. */
async function scripted(script: (server: Transport, payload: Uint8Array) => Promise<void> | void, logger: Logger) {
  const { a, b } = memoryPair();
  const { server, fingerprint } = await testServerTransport(b, "SSH-2.0-scripted");
  server.onMessage = async (p) => {
    const r = new SshReader(p, 1);
    if (p[0] === MSG.SERVICE_REQUEST) return void (await server.send(new SshWriter().byte(MSG.SERVICE_ACCEPT).string(r.text()).finish().slice()));
    await script(server, p);
  };
  const started = server.start();
  const client = SSHClient.connect({ stream: a, username: "u", hostKeyFingerprints: [fingerprint], logger });
  await started;
  return { server, client };
}

const banner = new SshWriter().byte(MSG.USERAUTH_BANNER).string(`hello ${EVIL}\nline two`).string("").finish().slice();
const success = Uint8Array.of(MSG.USERAUTH_SUCCESS);

describe("text chosen by the server", () => {
  it("the filter replaces every C0 and C1 control (keeping newlines only where asked)", () => {
    expect(safePeerText(EVIL)).not.toMatch(CONTROL);
    expect(safePeerText("x\ny", { keepNewlines: true })).toBe("x\ny");
    expect(safePeerText("\u0085\u0080\u009f")).toBe("???");
  });

  it("DISCONNECT and DEBUG descriptions, the banner, an exit signal and an open failure reach logs and errors filtered", async () => {
    const lines: string[] = [];
    let step = 0;
    let cid = 0;
    const { client } = await scripted(async (server, p) => {
      if (p[0] === MSG.USERAUTH_REQUEST) {
        await server.send(banner);
        await server.send(new SshWriter().byte(MSG.DEBUG).boolean(true).string(`debug ${EVIL}`).string("").finish().slice());
        await server.send(success);
        return;
      }
      if (p[0] === MSG.CHANNEL_OPEN) {
        const r = new SshReader(p, 1);
        r.text();
        const sender = r.uint32();
        if (step++ === 0) {
          // The first channel: refused, with a hostile reason.
          await server.send(new SshWriter().byte(MSG.CHANNEL_OPEN_FAILURE).uint32(sender).uint32(1).string(`no ${EVIL}`).string("").finish().slice());
          return;
        }
        cid = sender;
        await server.send(new SshWriter().byte(MSG.CHANNEL_OPEN_CONFIRMATION).uint32(sender).uint32(5).uint32(1 << 20).uint32(32768).finish().slice());
        return;
      }
      if (p[0] === MSG.CHANNEL_REQUEST) {
        await server.send(new SshWriter().byte(MSG.CHANNEL_SUCCESS).uint32(cid).finish().slice());
        await server.send(new SshWriter().byte(MSG.CHANNEL_EXTENDED_DATA).uint32(cid).uint32(1).string(`stderr ${EVIL}\n`).finish().slice());
        await server.send(
          new SshWriter().byte(MSG.CHANNEL_REQUEST).uint32(cid).string("exit-signal").boolean(false).string(`KILL${EVIL}`).boolean(false).string(`died ${EVIL}`).string("").finish().slice(),
        );
        await server.send(new SshWriter().byte(MSG.CHANNEL_EOF).uint32(cid).finish().slice());
        await server.send(new SshWriter().byte(MSG.CHANNEL_CLOSE).uint32(cid).finish().slice());
        return;
      }
      // The client's own CHANNEL_CLOSE: the channel is over on both sides; now the hostile goodbye.
      if (p[0] === MSG.CHANNEL_CLOSE) {
        await server.send(new SshWriter().byte(MSG.DISCONNECT).uint32(11).string(`bye ${EVIL}`).string("").finish().slice());
      }
    }, recordingLogger(lines));
    const c = await client;
    const refused = (await c.exec("x").catch((e: unknown) => e)) as Error;
    expect(refused.message).toContain("no a");
    expect(refused.message).not.toMatch(CONTROL);
    const ch = await c.exec("y");
    const stderrLines: string[] = [];
    const lc = new LineChannel(ch, { logger: recordingLogger(lines), events: { line: () => {}, stderrLine: (t) => void stderrLines.push(t), error: () => {}, ended: () => {} } });
    lc.start();
    const end = await lc.whenEnded;
    expect(end.exit?.signal).toMatch(/^KILLa\?\[2Jb/);
    expect(end.exit?.signal).not.toMatch(CONTROL);
    await c.whenClosed;
    expect(c.error?.message).toContain("bye a");
    expect(c.error?.message).not.toMatch(CONTROL);
    expect(stderrLines.join("\n")).toContain("stderr a");
    // Every line logged: the banner (its newline kept), the DEBUG text, the signal message, stderr.
    const all = lines.join("\n");
    expect(all).toContain("hello a");
    expect(all).toContain("debug a");
    expect(all).toContain("died a");
    for (const l of lines) expect(l.replace(/\n/g, ""), l).not.toMatch(CONTROL);
  });
});

describe("small defects of the old shape", () => {
  it("a silent server is a version-exchange timeout even when kexMs is shorter than versionMs", async () => {
    const fake = await fakeServer();
    try {
      const error = (await SSHClient.connect(fakeServerOptions(fake.port, { timeouts: { versionMs: 600, kexMs: 200 } })).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error.message).toMatch(/^version exchange timed out after 600 ms/);
    } finally {
      await fake.stop();
    }
  });

  it("no common compression: the error says we do only 'none' and suggests no option that does not exist", async () => {
    const { a, b } = memoryPair();
    const writer = b.writable.getWriter();
    const init = { ...serverKexInit(["curve25519-sha256"]), compC2S: ["zlib@openssh.com"], compS2C: ["zlib@openssh.com"] };
    const payload = encodeKexInit(init);
    const packet = new Uint8Array(4 + 1 + payload.length + 8 - ((5 + payload.length) % 8 || 8) + 8);
    const pad = packet.length - 5 - payload.length;
    new DataView(packet.buffer).setUint32(0, packet.length - 4);
    packet[4] = pad;
    packet.set(payload, 5);
    void writer.write(new TextEncoder().encode("SSH-2.0-zlib_only\r\n"));
    void writer.write(packet);
    const error = (await SSHClient.connect({ stream: a, username: "u", hostKeyFingerprints: ["SHA256:" + "A".repeat(43)] }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(NegotiationError);
    expect(error.message).toMatch(/no common compression algorithm/);
    expect(error.message).toMatch(/implements only "none" compression/);
    expect(error.message).not.toMatch(/algorithms\.compression/);
  });
});
