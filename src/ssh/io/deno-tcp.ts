import type { ByteStream } from "./byte-stream.js";
import { MIN_READ, SlabReads } from "./slab-reads.js";

// The slice of Deno's API this adapter uses, declared here so the project needs no Deno typings.
interface DenoTcpConn {
  read(buffer: Uint8Array): Promise<number | null>;
  write(data: Uint8Array): Promise<number>;
  closeWrite(): Promise<void>;
  close(): void;
  setNoDelay(noDelay?: boolean): void;
}
interface DenoNamespace {
  connect(options: { hostname: string; port: number; transport?: "tcp"; signal?: AbortSignal }): Promise<DenoTcpConn>;
}

/** The `Deno` global when running on Deno, else undefined. */
export function denoGlobal(): DenoNamespace | undefined {
  return (globalThis as { Deno?: DenoNamespace }).Deno;
}

/**
 * Wrap a Deno TCP connection. Deno's own `conn.readable`/`conn.writable` are not used: closing that
 * writable closes the whole socket and cancels a pending read, whereas SSH needs a half-close
 * (our EOF may precede the server's last bytes). Reading only in `pull` gives read backpressure;
 * `write` resolves once Deno accepted every byte, which gives write backpressure.
 */
export function denoConnToByteStream(conn: DenoTcpConn): ByteStream {
  let closed = false;
  const closeOnce = () => {
    if (closed) return;
    closed = true;
    try {
      conn.close();
    } catch {
      // already closed by the runtime after an error
    }
  };
  // Reads land in consecutive slices of a slab (see SlabReads), each as large as Deno's own.
  const slabs = new SlabReads();
  const readable = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const room = slabs.next().subarray(0, MIN_READ);
      let n: number | null;
      try {
        n = await conn.read(room);
      } catch (error) {
        // A read cancelled by our own close() is the end of the stream, not a failure.
        if (closed) controller.close();
        else controller.error(error);
        return;
      }
      if (n === null) controller.close();
      else controller.enqueue(slabs.filled(room, n));
    },
    cancel() {
      closeOnce();
    },
  });
  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      let offset = 0;
      while (offset < chunk.byteLength) offset += await conn.write(chunk.subarray(offset));
    },
    async close() {
      if (closed) return;
      try {
        await conn.closeWrite();
      } catch {
        // The peer is already gone: there is nothing left to end (as with node:net's end()).
      }
    },
    abort() {
      closeOnce();
    },
  });
  return {
    readable,
    writable,
    async close() {
      closeOnce();
    },
  };
}

/** TCP connect on Deno with Nagle off (SSH handshakes are small request/response writes). */
export async function connectDenoTcp(host: string, port: number, opts: { signal?: AbortSignal } = {}): Promise<ByteStream> {
  const deno = denoGlobal();
  if (deno === undefined) throw new Error("connectDenoTcp needs the Deno runtime (no global Deno here)");
  opts.signal?.throwIfAborted();
  const connecting = deno.connect({ hostname: host, port, transport: "tcp", signal: opts.signal });
  const conn = await abortable(connecting, opts.signal, (late) => late.close());
  conn.setNoDelay(true);
  return denoConnToByteStream(conn);
}

/** Reject at once when `signal` aborts; a connection that still arrives later is disposed of. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined, dispose: (late: T) => void): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.then(dispose, () => {});
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        if (signal.aborted) return;
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
