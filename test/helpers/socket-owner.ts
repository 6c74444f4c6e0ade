// Which process holds a TCP socket: how a ProxyJump test shows that the last server's connection
// came out of the previous hop's sshd (its log names only 127.0.0.1 and a port).
import { execFileSync } from "node:child_process";

/** The pid owning the established TCP socket whose local port is `port` (iproute2's `ss`). */
export function socketOwner(port: number): number | undefined {
  let out: string;
  try {
    out = execFileSync("ss", ["-tnpH", "state", "established", `( sport = :${port} )`], { encoding: "utf8" });
  } catch (e) {
    throw new Error(`cannot run ss (install iproute2): ${(e as Error).message}`);
  }
  const m = /pid=(\d+)/.exec(out);
  return m ? Number(m[1]) : undefined;
}
