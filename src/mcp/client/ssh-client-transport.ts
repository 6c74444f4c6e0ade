import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { ConnectionLostError } from "../../ssh/errors.js";
import { createLogger, type Logger } from "../../ssh/logger.js";
import type { ExitStatus } from "../../ssh/options.js";
import { encodeMessage, isBlankLine, parseMessageLine } from "../framing/framing.js";
import { describeEnd, LineChannel, type ChannelEnd } from "../framing/line-channel.js";
import { openMcpChannel, type OpenedChannel } from "./open-channel.js";
import { MCP_SSH_DEFAULTS, type SSHClientTransportOptions } from "./options.js";

type State = "new" | "starting" | "open" | "closing" | "closed";

/**
 * The MCP SDK's client Transport over an SSH session channel: one JSON-RPC message per line on
 * the remote process's stdin/stdout (the MCP stdio framing), its stderr to the logger.
 *
 * `sessionId` stays undefined: the SDK's Client skips `initialize` when a transport has one.
 */
export class SSHClientTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  sessionId?: string;

  private readonly logger: Logger;
  private state: State = "new";
  private starting?: Promise<void>;
  private closing?: Promise<void>;
  private opened?: OpenedChannel;
  private lines?: LineChannel;
  private end?: ChannelEnd;

  constructor(private readonly options: SSHClientTransportOptions = {}) {
    this.logger = options.logger ?? createLogger("warn");
  }

  /** How the remote process ended (once it has): its exit status, or the connection error. */
  get remoteEnd(): ChannelEnd | undefined {
    return this.end;
  }

  /** The remote exit status, when the server reported one. */
  get exitStatus(): ExitStatus | null {
    return this.end?.exit ?? null;
  }

  /** Connect, authenticate and start the remote MCP server. Called by the SDK's `connect()`. */
  async start(): Promise<void> {
    if (this.state !== "new") {
      throw new Error("SSHClientTransport already started; a transport carries one MCP session (create a new one)");
    }
    this.state = "starting";
    this.starting = this.open();
    try {
      await this.starting;
    } catch (e) {
      if (this.state === "starting") this.state = "closed";
      throw e;
    }
    if (this.closing) throw new ConnectionLostError("the transport was closed while it was connecting");
    this.state = "open";
  }

  private async open(): Promise<void> {
    const opened = await openMcpChannel(this.options, this.logger);
    this.opened = opened;
    if (this.closing) return;
    const form =
      this.options.subsystem !== undefined
        ? `subsystem "${this.options.subsystem}"`
        : this.options.command !== undefined
          ? "command"
          : "shell";
    this.lines = new LineChannel(opened.channel, {
      logger: this.logger,
      maxLineBytes: this.options.maxLineBytes,
      events: {
        line: (text) => this.receive(text),
        error: (error) => this.onerror?.(error),
        ended: (end) => {
          this.end = end;
          if (this.state === "closing" || this.state === "closed") return;
          if (end.error) this.onerror?.(end.error);
          void this.shutdown(describeEnd(end), end.error !== null || (end.exit?.code ?? 0) !== 0);
        },
      },
    });
    this.lines.start();
    this.logger.info(`connected to ${opened.target}; remote MCP server started (${form})`);
  }

  private receive(line: string): void {
    if (isBlankLine(line)) return;
    const parsed = parseMessageLine(line);
    if ("error" in parsed) {
      this.logger.debug(parsed.error.message);
      this.onerror?.(parsed.error);
      return;
    }
    this.onmessage?.(parsed.message);
  }

  /** Write one message as a line; resolves once the SSH channel has taken it (flow control). */
  send(message: JSONRPCMessage): Promise<void> {
    if (this.state !== "open" || !this.lines) {
      return Promise.reject(
        new ConnectionLostError(
          this.state === "new" || this.state === "starting"
            ? "SSHClientTransport is not started"
            : `SSHClientTransport is closed${this.end ? ` (${describeEnd(this.end)})` : ""}`,
        ),
      );
    }
    // Not async: the channel's promise is returned as it is, one promise less per message.
    let bytes: Uint8Array;
    try {
      bytes = encodeMessage(message);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.lines.write(bytes);
  }

  /** EOF to the remote server, then (after a short grace) close the channel and the connection. */
  close(): Promise<void> {
    return this.shutdown("the MCP client closed the transport", false);
  }

  private shutdown(reason: string, loud: boolean): Promise<void> {
    this.closing ??= (async () => {
      this.state = "closing";
      await this.starting?.catch(() => {});
      const grace = this.options.closeGraceMs ?? MCP_SSH_DEFAULTS.closeGraceMs;
      if (this.lines) {
        const end = await this.lines.close(grace);
        this.end ??= end;
      } else if (this.opened) {
        await this.opened.channel.close().catch(() => {});
      }
      if (this.opened?.ownsClient) {
        await this.opened.client.close().catch((e: unknown) => this.logger.debug(`closing the connection: ${(e as Error).message}`));
      }
      this.state = "closed";
      if (loud) this.logger.warn(`MCP transport closed: ${reason}`);
      else this.logger.info(`MCP transport closed: ${reason}${this.end ? ` (${describeEnd(this.end)})` : ""}`);
      this.onclose?.();
    })();
    return this.closing;
  }
}
