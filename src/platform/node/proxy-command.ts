// ssh_config's ProxyCommand on Node: `sh -c COMMAND`, its stdin and stdout as the SSH byte stream
// (as ssh runs it: the command's stderr goes to ours). The core runs no processes: this is the
// Node platform's `proxyCommand`, which SSHClient.connect uses for the target or the first jump host.
import { spawn } from "node:child_process";
import type { ByteStream } from "../../ssh/io/byte-stream.js";
import type { Logger } from "../../ssh/logger.js";

/** Start `command` with `sh -c` and return its stdio as a ByteStream. */
export function proxyCommandStream(command: string, logger?: Logger): ByteStream {
  const child = spawn("/bin/sh", ["-c", command], { stdio: ["pipe", "pipe", "inherit"] });
  let closed = false;
  let exitNote = "";
  child.once("exit", (code, signal) => {
    exitNote = signal ? `killed by ${signal}` : `exited with status ${code}`;
    if (!closed) logger?.debug(`ProxyCommand ${exitNote}`);
  });
  const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));

  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      child.stdout.on("data", (chunk: Buffer) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) child.stdout.pause();
      });
      // After the output ended and the command exited: a command that failed (not found, refused
      // by its own peer) is an error that says so, not a bare "connection closed".
      child.once("close", (code, signal) => {
        try {
          if (!closed && (code !== 0 || signal !== null)) controller.error(new Error(`ProxyCommand ${exitNote}`));
          else controller.close();
        } catch {
          /* already cancelled */
        }
      });
      child.stdout.once("error", (e) => controller.error(e));
      void spawnError.then((e) => {
        try {
          controller.error(new Error(`ProxyCommand could not start: ${e.message}`));
        } catch {
          /* already closed */
        }
      });
    },
    pull() {
      child.stdout.resume();
    },
    cancel() {
      child.stdout.destroy();
    },
  });

  const writable = new WritableStream<Uint8Array>({
    write(chunk) {
      if (child.stdin.destroyed) throw new Error(`ProxyCommand's input is closed (${exitNote || "still running"})`);
      if (child.stdin.write(chunk)) return;
      return new Promise<void>((resolve, reject) => {
        const onDrain = () => {
          child.stdin.off("error", onError);
          resolve();
        };
        const onError = (e: Error) => {
          child.stdin.off("drain", onDrain);
          reject(e);
        };
        child.stdin.once("drain", onDrain);
        child.stdin.once("error", onError);
      });
    },
    close() {
      child.stdin.end();
    },
    abort() {
      child.stdin.destroy();
    },
  });
  // A write to a command that has exited fails with EPIPE: that surfaces through the writes above.
  child.stdin.on("error", (e) => logger?.debug(`ProxyCommand input: ${e.message}`));

  return {
    readable,
    writable,
    close: async () => {
      if (closed) return;
      closed = true;
      child.stdin.destroy();
      child.stdout.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        // ssh waits for nothing either; a command that ignores SIGTERM is not ours to wait for.
      }
    },
  };
}
