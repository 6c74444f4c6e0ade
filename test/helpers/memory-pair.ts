// Two ByteStreams joined back to back in memory: what one writes, the other reads. Used to run a
// client transport against a server transport (both roles of the same code) with no sockets.
import type { ByteStream } from "../../src/ssh/io/byte-stream.js";

export interface MemoryPair {
  a: ByteStream;
  b: ByteStream;
  /** Bytes written by each side so far. */
  written: { a: number; b: number };
}

export function memoryPair(): MemoryPair {
  const written = { a: 0, b: 0 };
  let toA!: ReadableStreamDefaultController<Uint8Array>;
  let toB!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  const aReadable = new ReadableStream<Uint8Array>({ start: (c) => void (toA = c) });
  const bReadable = new ReadableStream<Uint8Array>({ start: (c) => void (toB = c) });
  const closeBoth = async () => {
    if (closed) return;
    closed = true;
    for (const c of [toA, toB]) {
      try {
        c.close();
      } catch {
        /* already closed */
      }
    }
  };
  const side = (to: () => ReadableStreamDefaultController<Uint8Array>, readable: ReadableStream<Uint8Array>, count: "a" | "b"): ByteStream => ({
    readable,
    writable: new WritableStream<Uint8Array>({
      write(chunk) {
        if (closed) throw new Error("memory stream closed");
        written[count] += chunk.length;
        // A copy: the writer may reuse its buffer, as a socket's would not show.
        to().enqueue(chunk.slice());
      },
      close: closeBoth,
      abort: closeBoth,
    }),
    close: closeBoth,
  });
  return { a: side(() => toB, aReadable, "a"), b: side(() => toA, bReadable, "b"), written };
}
