/**
 * The one thing the SSH core needs from a runtime: an ordered, reliable duplex of bytes.
 * TCP (Node, Deno, Bun) and WebSocket adapters implement it; tests may hand in any pair of streams.
 */
export interface ByteStream {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  /** Tear down both directions now (idempotent). Graceful shutdown closes `writable` first. */
  close(): Promise<void>;
  /**
   * Optional: take a write without the WritableStream's queue (src/ssh/io/node-tcp.ts has it). The
   * chunk goes out at once; the result is undefined while there is room, else a promise that
   * settles when there is again (rejects if the stream closes first). A transport on a stream that
   * has it writes every packet this way, so no WritableStream queue can reorder them.
   */
  writeNow?(chunk: Uint8Array): Promise<void> | undefined;
}

/** How the core opens a TCP connection; registered by the runtime entry (see src/platform). */
export type TcpConnector = (host: string, port: number, opts: { signal?: AbortSignal }) => Promise<ByteStream>;
