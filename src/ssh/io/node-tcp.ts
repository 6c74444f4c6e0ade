import { connect as netConnect, type Socket, type TcpNetConnectOpts } from "node:net";
import type { ByteStream } from "./byte-stream.js";
import { SlabReads } from "./slab-reads.js";

/** Bytes read from the socket and not yet taken by the transport before the socket is paused. */
const READ_QUEUE_BYTES = 512 * 1024;

type Deliver = (chunk: Uint8Array) => boolean;

/** Wrap a connected node:net socket as a ByteStream with backpressure both ways. */
export function socketToByteStream(socket: Socket): ByteStream {
  return wrapSocket(socket, (deliver) => {
    socket.on("data", (chunk: Uint8Array) => {
      if (!deliver(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))) socket.pause();
    });
  });
}

/**
 * `attach` connects the socket's incoming data to `deliver`, which returns false when the queue is
 * full and the socket should stop reading until the stream's `pull` resumes it.
 */
function wrapSocket(socket: Socket, attach: (deliver: Deliver) => void): ByteStream & Required<Pick<ByteStream, "writeNow">> {
  let closed = false;
  const readable = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        attach((chunk) => {
          controller.enqueue(chunk);
          return (controller.desiredSize ?? 1) > 0;
        });
        socket.once("end", () => {
          try {
            controller.close();
          } catch {
            /* already errored or cancelled */
          }
        });
        socket.once("error", (err) => {
          try {
            controller.error(err);
          } catch {
            /* already closed */
          }
        });
        socket.once("close", () => {
          try {
            controller.close();
          } catch {
            /* already closed */
          }
        });
      },
      pull() {
        socket.resume();
      },
      cancel() {
        socket.destroy();
      },
    },
    { highWaterMark: READ_QUEUE_BYTES, size: (chunk) => chunk.byteLength },
  );
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  /** One wait for "drain" shared by every write made while the socket is full. */
  let drained: Promise<void> | null = null;
  const waitForDrain = () =>
    new Promise<void>((resolve, reject) => {
      const onDrain = () => {
        socket.off("close", onClose);
        drained = null;
        resolve();
      };
      const onClose = () => {
        socket.off("drain", onDrain);
        drained = null;
        reject(new Error("socket closed"));
      };
      socket.once("drain", onDrain);
      socket.once("close", onClose);
    });
  // Returns undefined while the socket has room, so a caller with small messages pays no promise.
  const writeNow = (chunk: Uint8Array): Promise<void> | undefined => {
    if (socket.destroyed) throw new Error("socket closed");
    // Packets written in one turn of the event loop leave in one writev (a burst of MCP
    // messages, a window's worth of upload) instead of one syscall each.
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    if (socket.write(chunk) && drained === null) return undefined;
    return (drained ??= waitForDrain());
  };
  const writable = new WritableStream<Uint8Array>({
    write: writeNow,
    close() {
      return new Promise<void>((resolve) => socket.end(resolve));
    },
    abort() {
      socket.destroy();
    },
  });
  return {
    readable,
    writable,
    writeNow,
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise<void>((resolve) => {
        if (socket.destroyed) return resolve();
        socket.once("close", () => resolve());
        socket.destroy();
      });
    },
  };
}

/** TCP connect with Nagle off: SSH handshakes are request/response and small writes must go out at once. */
export function connectNodeTcp(host: string, port: number, opts: { signal?: AbortSignal } = {}): Promise<ByteStream> {
  return new Promise((resolve, reject) => {
    // net.connect's `onread`: reads land in slabs (see SlabReads) instead of Node's default, a
    // fresh 64 KiB buffer per read shrunk with realloc.
    // Unzeroed memory (only what the kernel wrote is handed out), viewed as a plain Uint8Array so
    // that Buffer's aliasing slice() never reaches the core.
    const slabs = new SlabReads((n) => new Uint8Array(Buffer.allocUnsafeSlow(n).buffer, 0, n));
    let deliver: Deliver = () => true;
    const options: TcpNetConnectOpts & { writableHighWaterMark: number } = {
      host,
      port,
      noDelay: true,
      // A write buffer of several packets, so sealing the next packet overlaps the kernel sending
      // the last one (the default 16 KiB is less than one 32 KiB channel packet).
      // (net.Socket hands its options to stream.Duplex, which honours writableHighWaterMark.)
      writableHighWaterMark: 256 * 1024,
      // Returning false pauses the socket (readStop); `pull` resumes it.
      onread: { buffer: () => slabs.next(), callback: (n, room) => deliver(slabs.filled(room as Uint8Array, n)) },
    };
    const socket = netConnect(options);
    // Wrapped before it connects, so that no read can arrive before `deliver` is in place.
    const stream = wrapSocket(socket, (d) => (deliver = d));
    const onAbort = () => {
      socket.destroy();
      reject(opts.signal?.reason ?? new Error("connect aborted"));
    };
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", () => {
      opts.signal?.removeEventListener("abort", onAbort);
      resolve(stream);
    });
    socket.once("error", (err) => {
      opts.signal?.removeEventListener("abort", onAbort);
      reject(err);
    });
  });
}
