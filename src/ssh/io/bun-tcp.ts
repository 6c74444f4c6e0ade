import type { ByteStream } from "./byte-stream.js";

// The slice of Bun's API this adapter uses, declared here so the project needs no Bun typings.
interface BunSocket {
  /** Returns how many bytes the kernel took (possibly fewer than given, -1 once closed). */
  write(data: Uint8Array): number;
  /** No argument: shut down our sending side only (`shutdown(true)` would stop reading instead). */
  shutdown(halfClose?: boolean): void;
  end(): void;
  terminate(): void;
  pause(): void;
  resume(): void;
  setNoDelay(noDelay?: boolean): boolean;
}
interface BunSocketHandlers {
  open(socket: BunSocket): void;
  data(socket: BunSocket, data: Uint8Array): void;
  drain(socket: BunSocket): void;
  end(socket: BunSocket): void;
  close(socket: BunSocket, error?: Error): void;
  error(socket: BunSocket, error: Error): void;
  connectError(socket: BunSocket, error: Error): void;
}
interface BunNamespace {
  connect(options: { hostname: string; port: number; socket: BunSocketHandlers }): Promise<BunSocket>;
}

/** The `Bun` global when running on Bun, else undefined. */
export function bunGlobal(): BunNamespace | undefined {
  return (globalThis as { Bun?: BunNamespace }).Bun;
}

/** Pause the socket when this many chunks wait unread (each is at most one kernel read). */
const READ_HIGH_WATER_CHUNKS = 8;

/**
 * TCP connect on Bun, with Nagle off. Bun sockets are callback-driven: reads arrive in `data`
 * (paused while the readable's queue is full), and `write` may take only part of a chunk, in which
 * case the rest waits for `drain`.
 */
export function connectBunTcp(host: string, port: number, opts: { signal?: AbortSignal } = {}): Promise<ByteStream> {
  const bun = bunGlobal();
  if (bun === undefined) return Promise.reject(new Error("connectBunTcp needs the Bun runtime (no global Bun here)"));
  const signal = opts.signal;
  if (signal?.aborted) return Promise.reject(signal.reason);

  let reader!: ReadableStreamDefaultController<Uint8Array>;
  let readerDone = false;
  let socketClosed = false;
  let closedByUs = false;
  let onDrain: (() => void) | undefined;
  let onClosed: ((error: Error) => void) | undefined;
  let socketRef: BunSocket | undefined;

  const readable = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        reader = controller;
      },
      pull() {
        socketRef?.resume();
      },
      cancel() {
        readerDone = true;
        closedByUs = true;
        socketRef?.terminate();
      },
    },
    { highWaterMark: READ_HIGH_WATER_CHUNKS },
  );
  const finishReading = (error?: Error) => {
    if (readerDone) return;
    readerDone = true;
    if (error && !closedByUs) reader.error(error);
    else reader.close();
  };

  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      let offset = 0;
      while (offset < chunk.byteLength) {
        const socket = socketRef;
        if (socket === undefined || socketClosed) throw new Error("socket closed");
        const n = socket.write(offset === 0 ? chunk : chunk.subarray(offset));
        if (n < 0) throw new Error("socket closed");
        offset += n;
        if (offset < chunk.byteLength) await waitForDrain();
      }
    },
    close() {
      // Half-close: the server may still send its last bytes after our EOF.
      if (!socketClosed) socketRef?.shutdown();
    },
    abort() {
      closedByUs = true;
      socketRef?.terminate();
    },
  });
  const waitForDrain = () =>
    new Promise<void>((resolve, reject) => {
      onDrain = resolve;
      onClosed = reject;
    });

  let closedPromise: Promise<void> | undefined;
  let resolveClosed: (() => void) | undefined;
  const stream: ByteStream = {
    readable,
    writable,
    close() {
      closedPromise ??= new Promise<void>((resolve) => {
        resolveClosed = resolve;
        closedByUs = true;
        if (socketClosed || socketRef === undefined) resolve();
        else socketRef.terminate();
      });
      return closedPromise;
    },
  };

  return new Promise<ByteStream>((resolve, reject) => {
    const onAbort = () => {
      closedByUs = true;
      socketRef?.terminate();
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    bun
      .connect({
        hostname: host,
        port,
        socket: {
          open(socket) {
            socketRef = socket;
            signal?.removeEventListener("abort", onAbort);
            if (signal?.aborted) return socket.terminate();
            socket.setNoDelay(true);
            resolve(stream);
          },
          data(socket, data) {
            if (readerDone) return;
            // Copy into a plain Uint8Array: the chunk outlives this callback in the stream's queue,
            // and Buffer#slice (which Bun's Buffer follows) would only make a view.
            reader.enqueue(new Uint8Array(data));
            if ((reader.desiredSize ?? 1) <= 0) socket.pause();
          },
          drain() {
            const resume = onDrain;
            onDrain = onClosed = undefined;
            resume?.();
          },
          end() {
            finishReading();
          },
          close(_socket, error) {
            socketClosed = true;
            finishReading(error);
            onClosed?.(new Error("socket closed"));
            onDrain = onClosed = undefined;
            resolveClosed?.();
          },
          error(_socket, error) {
            finishReading(error);
          },
          connectError(_socket, error) {
            signal?.removeEventListener("abort", onAbort);
            reject(error);
          },
        },
      })
      .catch((error: unknown) => {
        signal?.removeEventListener("abort", onAbort);
        reject(error);
      });
  });
}
