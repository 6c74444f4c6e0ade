/** The public face of a channel (RFC 4254 §5-6), shared by both roles and by the API. */
import type { InboundSink } from "./inbound-stream.js";

export interface ExitStatus {
  code: number | null;
  signal: string | null;
}

export interface SSHChannel {
  readonly stdin: WritableStream<Uint8Array>;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  readonly exit: Promise<ExitStatus>;
  close(): Promise<void>;
  /**
   * Optional fast path (our own channels have it): write without the stdin stream's per-write
   * promises, with the same ordering and flow control.
   */
  send?(chunk: Uint8Array): Promise<void>;
  /** Optional fast path: take stdout through a sink instead of the `stdout` stream (then not read both). */
  readStdout?(sink: InboundSink): void;
}
