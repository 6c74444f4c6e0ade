import { connect as netConnect, type Socket, type TcpNetConnectOpts } from "node:net";
import type { ByteStream } from "./byte-stream.js";

/** Wrap a connected node:net socket as a ByteStream with backpressure both ways. */
export function socketToByteStream(socket: Socket): ByteStream {
  let closed = false;
  const readable = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        socket.on("data", (chunk: Uint8Array) => {
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 1) <= 0) socket.pause();
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
    { highWaterMark: 8 },
  );
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  const writable = new WritableStream<Uint8Array>({
    write(chunk) {
      if (socket.destroyed) throw new Error("socket closed");
      // Packets written in one turn of the event loop leave in one writev (a burst of MCP
      // messages, a window's worth of upload) instead of one syscall each.
      if (!corked) {
        corked = true;
        socket.cork();
        process.nextTick(uncork);
      }
      if (socket.write(chunk)) return;
      return new Promise<void>((resolve, reject) => {
        const onDrain = () => {
          socket.off("close", onClose);
          resolve();
        };
        const onClose = () => {
          socket.off("drain", onDrain);
          reject(new Error("socket closed"));
        };
        socket.once("drain", onDrain);
        socket.once("close", onClose);
      });
    },
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
    // A write buffer of several packets, so sealing the next packet overlaps the kernel sending
    // the last one (the default 16 KiB is less than one 32 KiB channel packet).
    // (net.Socket hands its options to stream.Duplex, which honours writableHighWaterMark.)
    const options: TcpNetConnectOpts & { writableHighWaterMark: number } = { host, port, noDelay: true, writableHighWaterMark: 256 * 1024 };
    const socket = netConnect(options);
    const onAbort = () => {
      socket.destroy();
      reject(opts.signal?.reason ?? new Error("connect aborted"));
    };
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", () => {
      opts.signal?.removeEventListener("abort", onAbort);
      socket.off("error", reject);
      resolve(socketToByteStream(socket));
    });
    socket.once("error", (err) => {
      opts.signal?.removeEventListener("abort", onAbort);
      reject(err);
    });
  });
}
