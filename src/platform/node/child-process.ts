import { spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import type { ChildExit, ChildProcessHandle, SpawnChild } from "../../mcp/server/child.js";

/** How much of a child's stdout/stderr is read ahead of the SSH channel before the pipe stalls. */
const READ_AHEAD_BYTES = 64 * 1024;

/**
 * node:child_process behind the ChildProcessHandle interface: no shell, the given environment
 * only, stdio as Web Streams whose backpressure reaches the pipes (a full stream pauses the
 * child's stdout, so the child blocks on write).
 */
export const spawnNodeChild: SpawnChild = (spec) => {
  // Its own process group, so ending the session ends what the server started too (a wrapper
  // script's children), not only the direct child.
  const group = process.platform !== "win32";
  const child = spawn(spec.command, spec.args, { env: spec.env, cwd: spec.cwd, stdio: ["pipe", "pipe", "pipe"], shell: false, windowsHide: true, detached: group });
  let spawnError: string | undefined;
  let resolveExit!: (e: ChildExit) => void;
  const exited = new Promise<ChildExit>((r) => (resolveExit = r));
  child.once("error", (e: NodeJS.ErrnoException) => {
    // ENOENT and the like: the process never ran ("exit" does not follow).
    spawnError = e.code === "ENOENT" ? `${spec.command}: command not found` : e.message;
    if (child.pid === undefined) resolveExit({ code: 127, signal: null, spawnError });
  });
  child.once("exit", (code, signal) => resolveExit({ code, signal: signal ? signal.replace(/^SIG/, "") : null, spawnError }));
  // A child that exits while we write must not crash us with EPIPE.
  child.stdin.on("error", () => {});
  child.stdout.on("error", () => {});
  child.stderr.on("error", () => {});
  const handle: ChildProcessHandle = {
    pid: child.pid,
    stdin: toWebWritable(child.stdin),
    stdout: toWeb(child.stdout),
    stderr: toWeb(child.stderr),
    exited,
    kill: (signal) => {
      // Only while the leader lives: after it is reaped its pid (the group id) may be reused.
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        if (group) process.kill(-child.pid, signal);
        else if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      } catch {
        /* the group is gone already */
      }
    },
  };
  return handle;
};

/** A Node Readable as a byte ReadableStream that stops reading the pipe while nobody takes data. */
function toWeb(stream: Readable): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        stream.on("data", (chunk: Uint8Array) => {
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) stream.pause();
        });
        const end = () => {
          if (done) return;
          done = true;
          try {
            controller.close();
          } catch {
            /* cancelled */
          }
        };
        stream.once("end", end);
        stream.once("close", end);
      },
      pull() {
        stream.resume();
      },
      cancel() {
        done = true;
        stream.destroy();
      },
    },
    { highWaterMark: READ_AHEAD_BYTES, size: (c) => c.byteLength },
  );
}

/**
 * A Node Writable as a WritableStream whose writes resolve only once the pipe took the bytes
 * (or drained), with one chunk of queue: a child that stops reading its stdin stops the pipe
 * from the channel, so the channel window stays closed. (Writable.toWeb counts its queue in
 * chunks against the byte high-water mark, so it would accept thousands of chunks unread.)
 */
function toWebWritable(stream: Writable): WritableStream<Uint8Array> {
  return new WritableStream<Uint8Array>(
    {
      write(chunk) {
        return new Promise<void>((resolve, reject) => {
          if (stream.destroyed || stream.writableEnded) return reject(new Error("the child's stdin is closed"));
          const onClose = () => reject(new Error("the child's stdin closed"));
          const ok = stream.write(chunk, (e) => {
            if (e) reject(e);
          });
          if (ok) return resolve();
          stream.once("close", onClose);
          stream.once("drain", () => {
            stream.off("close", onClose);
            resolve();
          });
        });
      },
      close() {
        return new Promise<void>((resolve) => {
          if (stream.destroyed || stream.writableEnded) return resolve();
          stream.end(() => resolve());
        });
      },
      abort() {
        stream.destroy();
      },
    },
    { highWaterMark: 1 },
  );
}
