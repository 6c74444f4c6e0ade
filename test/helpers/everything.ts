// The MCP reference server @modelcontextprotocol/server-everything over HTTP, for the --http-url
// tests: `dist/index.js streamableHttp` (POST/GET/DELETE /mcp, with an event store, so streams
// resume) or `dist/index.js sse` (GET /sse, POST /message).
//
// Its transports call `app.listen(process.env.PORT || 3001)` with no address, i.e. every
// interface, and there is no option for the address. A preload (node --import) makes a listen
// given only a port bind 127.0.0.1 instead, and reports the port the kernel picked (PORT=0)
// on stderr, so nothing is reachable from outside the machine and no port is guessed.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { REPO_ROOT } from "../../fixtures/mcp/fixture-client.js";
import { track, untrack } from "./process.js";

export const EVERYTHING = join(REPO_ROOT, "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js");

const READY = "mcp-ssh-test everything listening";

const LOOPBACK_PRELOAD = `
import net from "node:net";
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const port = args[0];
  if ((typeof port === "number" || (typeof port === "string" && /^\\d+$/.test(port))) && typeof args[1] !== "string") {
    const callback = args.find((a) => typeof a === "function");
    this.once("listening", () => process.stderr.write("${READY} " + this.address().port + "\\n"));
    return listen.call(this, { port: Number(port), host: "127.0.0.1" }, callback);
  }
  return listen.apply(this, args);
};
`;

export interface Everything {
  port: number;
  /** What the server printed (it logs each request kind, e.g. a resume with Last-Event-ID). */
  output(): string;
  stop(): void;
}

export function startEverything(mode: "streamableHttp" | "sse"): Promise<Everything> {
  if (!existsSync(EVERYTHING)) {
    throw new Error(`${EVERYTHING} is missing: install the devDependency @modelcontextprotocol/server-everything (npm install)`);
  }
  const setpriv = "/usr/bin/setpriv";
  const node = [process.execPath, "--import", `data:text/javascript,${encodeURIComponent(LOOPBACK_PRELOAD)}`, EVERYTHING, mode];
  // setpriv --pdeathsig: the kernel kills the server if the test process dies (see process.ts).
  const [file, args] = existsSync(setpriv) ? [setpriv, ["--pdeathsig", "KILL", "--", ...node]] : [node[0]!, node.slice(1)];
  const child: ChildProcess = spawn(file, args, {
    env: { PATH: process.env.PATH ?? "", PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const token = track(() => child.kill("SIGKILL"));
  let output = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (output += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server-everything ${mode} did not listen within 20 s:\n${output}`));
    }, 20_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server-everything ${mode} exited (${code}):\n${output}`));
    });
    createInterface({ input: child.stderr! }).on("line", (line) => {
      output += `${line}\n`;
      if (!line.startsWith(READY)) return;
      clearTimeout(timer);
      resolve({
        port: Number(line.slice(READY.length + 1)),
        output: () => output,
        stop: () => {
          untrack(token);
          child.kill("SIGKILL");
        },
      });
    });
  });
}
