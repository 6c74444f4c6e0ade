// Debian's websockify as a relay for tests: started on a free loopback port, stopped by PID.
import { accessSync, constants, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { freePort } from "../helpers/free-port.js";
import { exited, killNow, makeOwnedDir, spawnLogged, stopChild, track, untrack, writeOwner } from "../helpers/process.js";

const WEBSOCKIFY = "/usr/bin/websockify";

export interface Websockify {
  port: number;
  url: string;
  /** Directory served over HTTP with --web (when asked for). */
  dir: string;
  log(): string;
  stop(): Promise<void>;
}

/** websockify 127.0.0.1:<free> -> 127.0.0.1:targetPort, optionally serving `webDir` too. */
export async function startWebsockify(targetPort: number, opts: { webDir?: string } = {}): Promise<Websockify> {
  try {
    accessSync(WEBSOCKIFY, constants.X_OK);
  } catch {
    throw new Error(`${WEBSOCKIFY} not found; install it: apt-get install websockify`);
  }
  const dir = makeOwnedDir("websockify");
  const logPath = join(dir, "websockify.log");
  const port = await freePort();
  const args = [...(opts.webDir ? [`--web=${opts.webDir}`] : []), `127.0.0.1:${port}`, `127.0.0.1:${targetPort}`];
  const child = spawnLogged(WEBSOCKIFY, args, logPath);
  writeOwner(dir, child.pid ?? 0);
  const token = track(() => killNow(child));
  const log = () => readFileSync(logPath, "utf8");
  const deadline = Date.now() + 15_000;
  while (!(await accepts(port))) {
    if (exited(child) || Date.now() > deadline) {
      killNow(child);
      untrack(token);
      throw new Error(`websockify did not start listening on 127.0.0.1:${port}. Log:\n${log()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    url: `ws://127.0.0.1:${port}/`,
    dir,
    log,
    async stop() {
      await stopChild(child);
      untrack(token);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
