import { ConnectionLostError, TimeoutError } from "../errors.js";
import type { ByteStream } from "./byte-stream.js";

/** The part of the WHATWG WebSocket this adapter uses; browsers, Deno, Bun, Node 22+ and `ws` have it. */
export interface WebSocketLike {
  binaryType: string;
  readonly bufferedAmount: number;
  readonly readyState: number;
  readonly protocol: string;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: (event: any) => void, options?: { once?: boolean }): void;
  removeEventListener(type: string, listener: (event: any) => void): void;
}
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export interface WebSocketConnectOptions {
  /** Subprotocols to offer. Default ["binary"], which websockify and `mcp-ssh relay` accept. */
  protocols?: string[];
  /** Give up if the WebSocket is not open after this long. Default 15 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** A WebSocket class where there is no global one (e.g. the `ws` package on Node 20). */
  WebSocket?: WebSocketConstructor;
  /** Writes wait while more than this many bytes are queued in the socket. Default 1 MiB. */
  highWaterMark?: number;
}

const OPEN = 1;
const CLOSED = 3;
const NORMAL_CLOSURE = 1000;
/** close() waits at most this long for the closing handshake (RFC 6455 §7.1.1). */
const CLOSE_WAIT_MS = 5_000;
/** How often a blocked writer looks at `bufferedAmount` (WebSocket has no "drain" event). */
const DRAIN_POLL_MS = 10;

/**
 * Open a WebSocket to a relay (e.g. `mcp-ssh relay` or websockify) and carry raw bytes over binary
 * frames. The relay sees only SSH ciphertext: keys and host verification stay in this process.
 *
 * Backpressure: writes wait while `bufferedAmount` is above the high-water mark. A browser
 * WebSocket cannot pause receiving; incoming bytes are bounded end to end by the SSH channel
 * window (RFC 4254 §5.2), which the server never exceeds.
 */
export function connectWebSocket(url: string, opts: WebSocketConnectOptions = {}): Promise<ByteStream> {
  const Ctor = opts.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (Ctor === undefined) {
    return Promise.reject(
      new Error("no WebSocket class in this runtime; pass opts.WebSocket (e.g. the `ws` package's WebSocket on Node 20)"),
    );
  }
  const signal = opts.signal;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const ws = new Ctor(url, opts.protocols ?? ["binary"]);
  ws.binaryType = "arraybuffer";
  // What failed is reported through "close"; an "error" listener keeps EventEmitter-based
  // implementations (the `ws` package) from throwing an unhandled error.
  ws.addEventListener("error", () => {});

  return new Promise<ByteStream>((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      ws.removeEventListener("open", onOpen);
      ws.removeEventListener("close", onEarlyClose);
    };
    const timer = setTimeout(() => {
      cleanup();
      ws.close();
      reject(new TimeoutError(`WebSocket connect to ${url}`, timeoutMs));
    }, timeoutMs);
    const onAbort = () => {
      cleanup();
      ws.close();
      reject(signal?.reason);
    };
    const onOpen = () => {
      cleanup();
      resolve(webSocketToByteStream(ws, opts.highWaterMark));
    };
    // Browsers hide why a WebSocket failed (the "error" event carries nothing); "close" follows it.
    const onEarlyClose = (event: { code: number; reason: string }) => {
      cleanup();
      reject(
        new ConnectionLostError(
          `WebSocket to ${url} closed before it opened (code ${event.code}${event.reason ? `: ${event.reason}` : ""}); ` +
            `check that the relay runs at this address and allows this page's Origin`,
        ),
      );
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    ws.addEventListener("open", onOpen, { once: true });
    ws.addEventListener("close", onEarlyClose, { once: true });
  });
}

/** Wrap an open WebSocket (binaryType "arraybuffer") as a ByteStream. */
export function webSocketToByteStream(ws: WebSocketLike, highWaterMark = 1024 * 1024): ByteStream {
  let closeRequested = false;
  const closed = new Promise<void>((resolve) => {
    if (ws.readyState === CLOSED) resolve();
    else ws.addEventListener("close", () => resolve(), { once: true });
  });

  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      ws.addEventListener("message", (event: { data: unknown }) => {
        if (event.data instanceof ArrayBuffer) {
          controller.enqueue(new Uint8Array(event.data));
        } else {
          // A text frame is not part of a byte stream: the relay is misconfigured (e.g. base64 mode).
          controller.error(new ConnectionLostError("relay sent a text WebSocket frame; it must send binary frames"));
          ws.close(1003, "binary frames only");
        }
      });
      ws.addEventListener("close", (event: { code: number; reason: string }) => {
        try {
          if (event.code === NORMAL_CLOSURE || closeRequested) controller.close();
          else
            controller.error(
              new ConnectionLostError(
                `WebSocket closed (code ${event.code}${event.reason ? `: ${event.reason}` : ""})`,
              ),
            );
        } catch {
          // already errored after a text frame, or cancelled
        }
      });
    },
    cancel() {
      closeRequested = true;
      ws.close(NORMAL_CLOSURE);
    },
  });

  const waitForRoom = async (limit: number) => {
    while (ws.bufferedAmount > limit) {
      if (ws.readyState !== OPEN) throw new ConnectionLostError("WebSocket closed while writing");
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
  };

  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      if (ws.readyState !== OPEN) throw new ConnectionLostError("WebSocket is closed; cannot write");
      ws.send(chunk);
      await waitForRoom(highWaterMark);
    },
    async close() {
      // WebSocket has no half-close: let queued bytes go out, then close normally.
      await waitForRoom(0).catch(() => {});
      closeRequested = true;
      ws.close(NORMAL_CLOSURE);
    },
    abort() {
      closeRequested = true;
      ws.close(NORMAL_CLOSURE);
    },
  });

  return {
    readable,
    writable,
    close() {
      closeRequested = true;
      if (ws.readyState !== CLOSED) ws.close(NORMAL_CLOSURE);
      // A peer that never answers the closing handshake must not hold the caller.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const gaveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)));
      return Promise.race([closed, gaveUp]).finally(() => clearTimeout(timer));
    },
  };
}
