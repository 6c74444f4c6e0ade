// Issue 8: property tests (fast-check) of the message parsers above the packet layer: the
// transport's own messages (DISCONNECT, DEBUG, EXT_INFO, KEXINIT, KEX_ECDH_REPLY, ...), userauth
// replies, and the connection protocol (global requests, channel messages). Each is driven through
// its public entry point with random bodies behind a valid message number; only typed errors may
// come out, and every run ends.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConnectionLostError, ProtocolError, SSHError } from "../src/ssh/errors.js";
import { silentLogger } from "../src/ssh/logger.js";
import { MSG } from "../src/ssh/messages.js";
import { Inbox } from "../src/ssh/inbox.js";
import { SshWriter } from "../src/ssh/wire/writer.js";
import { PacketEncoder } from "../src/ssh/packet/packet-encoder.js";
import { encodeKexInit } from "../src/ssh/kex/kexinit.js";
import { offeredAlgorithms } from "../src/ssh/algorithms/offer.js";
import { CLIENT_ROLE } from "../src/ssh/transport/role.js";
import { Transport } from "../src/ssh/transport/transport.js";
import { authenticate } from "../src/ssh/auth/userauth.js";
import { LOCAL_MAX_PACKET, LOCAL_WINDOW } from "../src/ssh/connection/channel.js";
import { generateEd25519Key } from "../src/ssh/keys/generate-key.js";
import type { ByteStream } from "../src/ssh/io/byte-stream.js";
import { edgeUint32, typedOnly, typedOnlyAsync } from "./helpers/fuzz.js";
import { serverKexInit } from "./helpers/kexinit.js";
import { confirmedSession, detachedConnection } from "./helpers/connection.js";

const RUNS = 400;

const bytes = (max: number) => fc.uint8Array({ maxLength: max });
const sshString = (content: fc.Arbitrary<Uint8Array | string>) => content.map((c) => new SshWriter().string(c).finish().slice());
/** A string field whose length prefix may lie. */
const lyingString = fc.tuple(edgeUint32, bytes(32)).map(([n, b]) => new SshWriter().uint32(n).raw(b).finish().slice());
const field = fc.oneof(
  sshString(bytes(48)),
  sshString(fc.constantFrom("publickey", "publickey,password", "", ",", "a,,b", "ssh-ed25519", "server-sig-algs", "exit-status", "exit-signal", "TERM")),
  lyingString,
  edgeUint32.map((n) => new SshWriter().uint32(n).finish().slice()),
  fc.constantFrom(new Uint8Array([0]), new Uint8Array([1])),
  bytes(16),
);
/** A message body: a few wire fields, some well-formed and some not, then maybe junk. */
const body = fc.array(field, { maxLength: 6 }).map((parts) => Uint8Array.from(parts.flatMap((p) => [...p])));
const message = (types: fc.Arbitrary<number>) => fc.tuple(types, body).map(([t, b]) => Uint8Array.from([t, ...b]));

/** A peer that sends `serverBytes` and then closes; what the client writes is dropped. */
function memoryStream(serverBytes: Uint8Array): ByteStream {
  return {
    readable: new ReadableStream({
      start(c) {
        c.enqueue(serverBytes);
        c.close();
      },
    }),
    writable: new WritableStream({ write() {} }),
    close: async () => {},
  };
}

const algorithms = offeredAlgorithms();

/** Our own offer as a server would send it; `strict` adds the strict-kex marker (OpenSSH PROTOCOL). */
const offeredKexInit = (strict: boolean): Uint8Array =>
  encodeKexInit(serverKexInit([...algorithms.kex, ...(strict ? ["kex-strict-s-v00@openssh.com"] : [])], algorithms.hostKey, algorithms.cipher));
const strictKexInit = offeredKexInit(true);

/** A transport reading `stream` from a peer that then closes. */
function fuzzTransport(stream: Uint8Array): Transport {
  return new Transport({
    stream: memoryStream(stream),
    role: CLIENT_ROLE,
    version: "SSH-2.0-mcp_ssh_fuzz",
    algorithms,
    checkHostKey: async () => {},
    logger: silentLogger,
    versionTimeoutMs: 1000,
    kexTimeoutMs: 1000,
    rekeyBytes: 2 ** 30,
    rekeyPackets: 2 ** 31,
    rekeyIntervalMs: 0,
  });
}

describe("transport messages", () => {
  const ed25519Blob = new SshWriter().string("ssh-ed25519").string(new Uint8Array(32).fill(9)).finish().slice();
  const ecdhReply = fc
    .tuple(
      fc.oneof(fc.constant(ed25519Blob), bytes(60)),
      fc.oneof(bytes(40), fc.uint8Array({ minLength: 32, maxLength: 32 })),
      fc.oneof(fc.uint8Array({ minLength: 64, maxLength: 64 }).map((s) => new SshWriter().string("ssh-ed25519").string(s).finish().slice()), bytes(90)),
      bytes(8),
    )
    .map(([k, q, s, tail]) => Uint8Array.from([MSG.KEX_ECDH_REPLY, ...new SshWriter().string(k).string(q).string(s).finish(), ...tail]));
  const transportMessage = fc.oneof(
    message(fc.constantFrom(MSG.DISCONNECT, MSG.IGNORE, MSG.UNIMPLEMENTED, MSG.DEBUG, MSG.EXT_INFO, MSG.KEXINIT, MSG.NEWKEYS, MSG.KEX_ECDH_REPLY)),
    message(fc.integer({ min: 0, max: 255 })),
    ecdhReply,
  );

  it("after a valid server KEXINIT, random transport messages end the connection with a typed error", async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.boolean(), fc.array(transportMessage, { minLength: 1, maxLength: 4 }), async (strict, withKexInit, messages) => {
        const enc = new PacketEncoder();
        const packets = [...(withKexInit ? [offeredKexInit(strict)] : []), ...messages].map((m) => enc.encodePayload(m));
        const stream = Uint8Array.from([...new TextEncoder().encode("SSH-2.0-Fuzz_1.0\r\n"), ...packets.flatMap((p) => [...p])]);
        const transport = fuzzTransport(stream);
        const result = await typedOnlyAsync("Transport.start", () => transport.start());
        expect(result).toBeInstanceOf(SSHError);
        await transport.whenClosed;
        const e = transport.error;
        expect(e).toBeInstanceOf(SSHError);
        // The read loop wraps anything unexpected as a ConnectionLostError: its cause shows the truth.
        if (e instanceof ConnectionLostError && e.cause !== undefined) expect(e.cause).toBeInstanceOf(SSHError);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("strict kex (OpenSSH PROTOCOL, kex-strict-s-v00@openssh.com)", () => {
  // Non-kex messages other than DISCONNECT: transport generic (2-19) and every service message.
  const nonKexType = fc.oneof(fc.integer({ min: MSG.IGNORE, max: 19 }), fc.integer({ min: 50, max: 255 }));

  it("any non-kex message after the server's strict KEXINIT is a ProtocolError at once", async () => {
    await fc.assert(
      fc.asyncProperty(message(nonKexType), async (m) => {
        const enc = new PacketEncoder();
        const stream = Uint8Array.from([
          ...new TextEncoder().encode("SSH-2.0-Fuzz_1.0\r\n"),
          ...enc.encodePayload(strictKexInit),
          ...enc.encodePayload(m),
        ]);
        const transport = fuzzTransport(stream);
        const result = await typedOnlyAsync("Transport.start", () => transport.start());
        expect(result, `message ${m[0]}`).toBeInstanceOf(ProtocolError);
      }),
      { numRuns: RUNS / 2 },
    );
  });
});

const userauthSigner = (await generateEd25519Key()).key;

describe("userauth replies", () => {
  const signer = userauthSigner;
  const serviceAccept = Uint8Array.from([MSG.SERVICE_ACCEPT, ...new SshWriter().string("ssh-userauth").finish()]);
  const failure = fc
    .tuple(fc.constantFrom("publickey", "publickey,password", "password", "", "publickey,"), fc.boolean())
    .map(([m, partial]) => Uint8Array.from([MSG.USERAUTH_FAILURE, ...new SshWriter().string(m).boolean(partial).finish()]));
  const reply = fc.oneof(
    message(fc.constantFrom(MSG.USERAUTH_FAILURE, MSG.USERAUTH_SUCCESS, MSG.USERAUTH_BANNER, MSG.USERAUTH_PK_OK)),
    message(fc.integer({ min: 5, max: 255 })),
    failure,
    fc.constant(Uint8Array.from([MSG.USERAUTH_PK_OK])),
  );

  it("random replies to the none probe and the publickey query/sign: success, AuthenticationError or another typed error", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constant(serviceAccept), message(fc.integer({ min: 5, max: 255 }))), fc.array(reply, { maxLength: 6 }), async (first, replies) => {
        const inbox = new Inbox();
        for (const m of [first, ...replies]) inbox.push(m);
        // The connection ends after these messages: nothing may wait beyond them.
        inbox.fail(new ConnectionLostError("fuzz input ended"));
        await typedOnlyAsync("authenticate", () =>
          authenticate({ send: async () => {}, inbox, sessionId: new Uint8Array(32), username: "fuzz", signers: [signer], publicKeyAlgorithms: offeredAlgorithms().publicKey, serverSigAlgs: () => undefined, password: "pw", logger: silentLogger }),
        );
      }),
      { numRuns: RUNS },
    );
  });
});

describe("connection protocol messages", () => {
  const u32 = (n: number) => new SshWriter().uint32(n).finish().slice();
  // Most messages address channel 0 (ours, open), some another id, some have no valid id at all.
  const channelId = fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: edgeUint32 });
  const request = fc
    .tuple(fc.constantFrom("exit-status", "exit-signal", "keepalive@openssh.com", "xon-xoff", ""), fc.boolean(), body)
    .map(([name, want, rest]) => Uint8Array.from([...new SshWriter().string(name).boolean(want).finish(), ...rest]));
  const data = fc.tuple(fc.constantFrom(0, 1, LOCAL_MAX_PACKET, LOCAL_MAX_PACKET + 1), bytes(64)).map(([n, b]) => Uint8Array.from([...u32(n), ...b]));
  const channelMessage = fc
    .tuple(fc.integer({ min: MSG.CHANNEL_OPEN_CONFIRMATION, max: MSG.CHANNEL_FAILURE }), channelId, fc.oneof(body, request, data))
    .map(([t, id, rest]) => Uint8Array.from([t, ...u32(id), ...rest]));
  const anyMessage = fc.oneof(channelMessage, message(fc.integer({ min: MSG.GLOBAL_REQUEST, max: 255 })));

  it("random messages to an open channel: typed errors only; buffered data stays within the window", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anyMessage, { minLength: 1, maxLength: 12 }), fc.boolean(), async (messages, reading) => {
        const c = detachedConnection();
        const channel = await confirmedSession(c, 7);
        const pending: Promise<unknown>[] = [channel.request("exec", true, (w) => w.string("true")).catch(() => {}), channel.exit.catch(() => {})];
        if (reading) pending.push(new Response(channel.stdout).arrayBuffer().catch(() => {}));
        for (const m of messages) {
          const r = typedOnly(`Connection.handle(${m[0]})`, () => c.handle(m));
          // The transport ends the connection on any error from a handler; so do we.
          if (r instanceof SSHError) break;
          expect(channel.bufferedBytes).toBeLessThanOrEqual(LOCAL_WINDOW);
        }
        c.fail(new ConnectionLostError("fuzz input ended"));
        await typedOnlyAsync("channel settles", () => Promise.all(pending));
      }),
      { numRuns: RUNS * 2 },
    );
  });
});
