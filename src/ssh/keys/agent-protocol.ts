import { ProtocolError, SSHError, TimeoutError } from "../errors.js";
import { withTimeout } from "../deferred.js";
import type { ByteStream } from "../io/byte-stream.js";
import { concatBytes, fromUtf8 } from "../wire/bytes.js";
import { SshReader } from "../wire/reader.js";
import { SshWriter } from "../wire/writer.js";

/**
 * The client side of the ssh-agent protocol (draft-miller-ssh-agent, §3 and §5) over any ordered
 * byte stream: list identities, sign. Every message is "uint32 length, byte type, contents".
 * Requests are answered in order, so one request is in flight at a time.
 */

export const AGENT_MSG = {
  FAILURE: 5,
  SUCCESS: 6,
  REQUEST_IDENTITIES: 11,
  IDENTITIES_ANSWER: 12,
  SIGN_REQUEST: 13,
  SIGN_RESPONSE: 14,
  EXTENSION_FAILURE: 28,
} as const;

/** OpenSSH's agent refuses messages above 256 KiB (AGENT_MAX_LEN); so do we, both ways. */
export const MAX_AGENT_MESSAGE = 256 * 1024;
/** ssh(1) stops reading identities beyond this many (MAX_AGENT_IDENTITIES). */
const MAX_IDENTITIES = 2048;
export const DEFAULT_AGENT_TIMEOUT_MS = 10_000;

/** The agent is unreachable, refused a request, or answered something we cannot use. */
export class AgentError extends SSHError {
  override name: string = "AgentError";
}

export interface AgentIdentity {
  /** Key type from the blob, e.g. "ssh-ed25519". */
  type: string;
  blob: Uint8Array;
  comment: string;
}

export class AgentConnection {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private buffered: Uint8Array = new Uint8Array(0);
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly stream: ByteStream,
    private readonly timeoutMs = DEFAULT_AGENT_TIMEOUT_MS,
  ) {
    this.reader = stream.readable.getReader();
    this.writer = stream.writable.getWriter();
  }

  /** SSH_AGENTC_REQUEST_IDENTITIES: the keys the agent holds. */
  async listIdentities(): Promise<AgentIdentity[]> {
    const reply = await this.request(new Uint8Array([AGENT_MSG.REQUEST_IDENTITIES]), "list identities");
    if (reply[0] !== AGENT_MSG.IDENTITIES_ANSWER) throw unexpected(reply, "list identities");
    return parseIdentities(reply);
  }

  /** SSH_AGENTC_SIGN_REQUEST: a signature blob by the key `publicBlob` over `data`. */
  async sign(publicBlob: Uint8Array, data: Uint8Array, flags = 0): Promise<Uint8Array> {
    const body = new SshWriter(data.length + publicBlob.length + 32).byte(AGENT_MSG.SIGN_REQUEST).string(publicBlob).string(data).uint32(flags);
    const reply = await this.request(body.finish(), "sign");
    if (reply[0] !== AGENT_MSG.SIGN_RESPONSE) throw unexpected(reply, "sign");
    return agentReply("sign response", () => {
      const r = new SshReader(reply, 1);
      const signature = r.string(MAX_AGENT_MESSAGE).slice();
      r.end("SSH_AGENT_SIGN_RESPONSE");
      return signature;
    });
  }

  async close(): Promise<void> {
    await this.stream.close();
  }

  /** Send one message, read one reply, under the timeout; a timed-out connection is closed. */
  private request(body: Uint8Array, what: string): Promise<Uint8Array> {
    if (body.length > MAX_AGENT_MESSAGE) return Promise.reject(new AgentError(`ssh-agent ${what} request too large (${body.length} bytes)`));
    const run = async () => {
      const frame = new SshWriter(body.length + 4).string(body).finish();
      await this.writer.write(frame);
      return this.readMessage();
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => {});
    return withTimeout(next, this.timeoutMs, () => {
      void this.stream.close();
      return new TimeoutError(`ssh-agent ${what}`, this.timeoutMs);
    });
  }

  private async fill(n: number): Promise<void> {
    while (this.buffered.length < n) {
      const { value, done } = await this.reader.read();
      if (done) throw new AgentError("ssh-agent closed the connection before answering");
      this.buffered = this.buffered.length ? concatBytes(this.buffered, value) : value;
    }
  }

  private async readMessage(): Promise<Uint8Array> {
    await this.fill(4);
    const length = new SshReader(this.buffered).uint32();
    if (length === 0 || length > MAX_AGENT_MESSAGE) throw new AgentError(`ssh-agent sent a message of ${length} bytes (limit ${MAX_AGENT_MESSAGE})`);
    await this.fill(4 + length);
    const message = this.buffered.slice(4, 4 + length);
    this.buffered = this.buffered.subarray(4 + length);
    return message;
  }
}

function unexpected(reply: Uint8Array, what: string): AgentError {
  if (reply[0] === AGENT_MSG.FAILURE || reply[0] === AGENT_MSG.EXTENSION_FAILURE) {
    return new AgentError(`ssh-agent refused to ${what} (it may be locked, or the key needs confirmation that was denied)`);
  }
  return new AgentError(`ssh-agent answered ${what} with unexpected message type ${reply[0]}`);
}

function agentReply<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ProtocolError) throw new AgentError(`malformed ssh-agent ${what}: ${e.message}`);
    throw e;
  }
}

function parseIdentities(reply: Uint8Array): AgentIdentity[] {
  return agentReply("identities answer", () => {
    const r = new SshReader(reply, 1);
    const count = r.uint32();
    if (count > MAX_IDENTITIES) throw new AgentError(`ssh-agent claims ${count} identities (limit ${MAX_IDENTITIES})`);
    const identities: AgentIdentity[] = [];
    for (let i = 0; i < count; i++) {
      const blob = r.string(16 * 1024).slice();
      const comment = fromUtf8(r.string(4096));
      const type = new SshReader(blob).text(64);
      identities.push({ type, blob, comment });
    }
    r.end("SSH_AGENT_IDENTITIES_ANSWER");
    return identities;
  });
}
