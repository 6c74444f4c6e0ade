/**
 * The one thing the SSH core needs from a runtime: an ordered, reliable duplex of bytes.
 * TCP (Node, Deno, Bun) and WebSocket adapters implement it; tests may hand in any pair of streams.
 */
export interface ByteStream {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  /** Tear down both directions now (idempotent). Graceful shutdown closes `writable` first. */
  close(): Promise<void>;
}

/** How the core opens a TCP connection; registered by the runtime entry (see src/platform). */
export type TcpConnector = (host: string, port: number, opts: { signal?: AbortSignal }) => Promise<ByteStream>;
