import type { Socket } from "node:net";
import type { WebSocket } from "ws";

/** Stop reading TCP while this many bytes wait to go out on the WebSocket; resume below LOW. */
const WS_HIGH_WATER = 1024 * 1024;
const WS_LOW_WATER = 256 * 1024;
/** After the client closed, how long the target gets to take the last bytes before we drop it. */
const FLUSH_GRACE_MS = 5_000;
/** Close codes (RFC 6455 §7.4.1). */
const NORMAL = 1000;
const UNSUPPORTED_DATA = 1003;
const INTERNAL_ERROR = 1011;

export interface PipeEvents {
  /** Once, when both sides are closed; `reason` says which side ended it and how. */
  onClosed(reason: string, bytes: { toTarget: number; toClient: number }): void;
}

/**
 * Carry raw bytes between an accepted WebSocket and a connected TCP socket, unchanged and in
 * order, with backpressure each way, until either side ends; then close the other side too.
 * The relay never parses what it carries: for SSH it is ciphertext after the version lines.
 */
export function pipeWebSocketTcp(ws: WebSocket, socket: Socket, events: PipeEvents): void {
  let toTarget = 0;
  let toClient = 0;
  let pendingToClient = 0;
  let tcpPausedForWs = false;
  let finished = false;
  let endReason = "";

  const finish = (reason: string) => {
    endReason ||= reason;
    if (finished || ws.readyState !== ws.CLOSED || !socket.destroyed) return;
    finished = true;
    events.onClosed(endReason, { toTarget, toClient });
  };

  // TCP -> WebSocket. `send`'s callback fires once the frame is handed to the network, so the
  // count of bytes between send and callback is exactly what is queued.
  socket.on("data", (chunk: Buffer) => {
    if (ws.readyState !== ws.OPEN) return;
    toClient += chunk.byteLength;
    pendingToClient += chunk.byteLength;
    ws.send(chunk, { binary: true }, () => {
      pendingToClient -= chunk.byteLength;
      if (tcpPausedForWs && pendingToClient <= WS_LOW_WATER) {
        tcpPausedForWs = false;
        socket.resume();
      }
    });
    if (pendingToClient > WS_HIGH_WATER && !tcpPausedForWs) {
      tcpPausedForWs = true;
      socket.pause();
    }
  });

  // WebSocket -> TCP: pause reading frames while the socket's write buffer is full.
  ws.on("message", (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    if (!isBinary) {
      ws.close(UNSUPPORTED_DATA, "binary frames only");
      return;
    }
    const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    toTarget += chunk.byteLength;
    if (!socket.write(chunk) && !ws.isPaused) {
      ws.pause();
      socket.once("drain", () => ws.resume());
    }
  });

  // Target ended or failed: send what is queued, then a close frame (ws keeps frames in order).
  socket.on("end", () => {
    endReason ||= "target closed";
    if (ws.readyState === ws.OPEN) ws.close(NORMAL);
  });
  socket.on("error", (error) => {
    endReason ||= `target error: ${error.message}`;
    if (ws.readyState === ws.OPEN) ws.close(INTERNAL_ERROR, "target connection failed");
  });
  socket.on("close", () => {
    if (ws.readyState === ws.OPEN) ws.close(NORMAL);
    finish("target closed");
  });

  // Client closed: flush what it sent, then FIN; destroy once written so nothing lingers.
  ws.on("close", (code: number) => {
    endReason ||= `client closed (code ${code})`;
    if (!socket.destroyed) {
      socket.end(() => socket.destroy());
      // A target that stops reading would keep the flush (and the socket) pending forever.
      setTimeout(() => socket.destroy(), FLUSH_GRACE_MS).unref();
    }
    finish(endReason);
  });
  ws.on("error", (error) => {
    endReason ||= `client error: ${error.message}`;
    socket.destroy();
  });
}
