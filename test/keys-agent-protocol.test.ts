// The agent codec against replies a real ssh-agent never sends (a hostile or broken agent): size
// limits, refusals, truncation. The happy path runs against Debian's ssh-agent in keys-agent.test.ts.
import { describe, expect, it } from "vitest";
import { TimeoutError } from "../src/ssh/errors.js";
import type { ByteStream } from "../src/ssh/io/byte-stream.js";
import { AGENT_MSG, AgentConnection, AgentError, MAX_AGENT_MESSAGE } from "../src/ssh/keys/agent-protocol.js";

/** A client ByteStream whose other end the test drives byte by byte. */
function pipe() {
  const toAgent = new TransformStream<Uint8Array, Uint8Array>();
  const toClient = new TransformStream<Uint8Array, Uint8Array>();
  let closed = false;
  const stream: ByteStream = {
    readable: toClient.readable,
    writable: toAgent.writable,
    async close() {
      closed = true;
    },
  };
  const agentWriter = toClient.writable.getWriter();
  const agentReader = toAgent.readable.getReader();
  return {
    client: new AgentConnection(stream, 500),
    /** The next request frame the client sent. */
    async request(): Promise<Uint8Array> {
      const { value } = await agentReader.read();
      return value!;
    },
    send: (bytes: number[]) => agentWriter.write(Uint8Array.from(bytes)),
    end: () => agentWriter.close(),
    get closed() {
      return closed;
    },
  };
}

const u32 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

describe("ssh-agent codec against a misbehaving agent", () => {
  it("frames a REQUEST_IDENTITIES as uint32 length, byte 11", async () => {
    const p = pipe();
    const listing = p.client.listIdentities();
    expect([...(await p.request())]).toEqual([0, 0, 0, 1, AGENT_MSG.REQUEST_IDENTITIES]);
    await p.send([...u32(5), AGENT_MSG.IDENTITIES_ANSWER, ...u32(0)]);
    expect(await listing).toEqual([]);
  });

  it("a reply longer than 256 KiB is refused without reading it", async () => {
    const p = pipe();
    const listing = p.client.listIdentities();
    await p.request();
    await p.send(u32(MAX_AGENT_MESSAGE + 1));
    await expect(listing).rejects.toThrow(/message of 262145 bytes \(limit 262144\)/);
  });

  it("FAILURE is a refusal; another message type is unexpected", async () => {
    const p = pipe();
    const signing = p.client.sign(new Uint8Array(51), new Uint8Array(10));
    await p.request();
    await p.send([...u32(1), AGENT_MSG.FAILURE]);
    await expect(signing).rejects.toThrow(/ssh-agent refused to sign/);
    const listing = p.client.listIdentities();
    await p.request();
    await p.send([...u32(1), AGENT_MSG.SUCCESS]);
    await expect(listing).rejects.toThrow(/unexpected message type 6/);
  });

  it("a truncated or over-long identities answer is an AgentError", async () => {
    const p = pipe();
    const listing = p.client.listIdentities();
    await p.request();
    await p.send([...u32(9), AGENT_MSG.IDENTITIES_ANSWER, ...u32(1), ...u32(100)]);
    await expect(listing).rejects.toBeInstanceOf(AgentError);
    const many = p.client.listIdentities();
    await p.request();
    await p.send([...u32(5), AGENT_MSG.IDENTITIES_ANSWER, ...u32(1_000_000)]);
    await expect(many).rejects.toThrow(/claims 1000000 identities/);
  });

  it("an agent that hangs up mid-reply, or never answers", async () => {
    const p = pipe();
    const listing = p.client.listIdentities();
    await p.request();
    await p.send([0, 0]);
    await p.end();
    await expect(listing).rejects.toThrow(/closed the connection before answering/);

    const q = pipe();
    const silent = q.client.listIdentities();
    await q.request();
    await expect(silent).rejects.toBeInstanceOf(TimeoutError);
    expect(q.closed).toBe(true);
  });
});
