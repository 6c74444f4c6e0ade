// Signal a server and every process it spawned (sshd forks a monitor and a session process per
// connection; killing only the listener leaves sessions running).
import { readdirSync, readFileSync } from "node:fs";

/** pid and all its descendants, from /proc (parents first). */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Field 4 (ppid) follows the parenthesised command name, which may contain spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      /* the process exited while we looked */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    out.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return out;
}

export function signalTree(pid: number, signal: NodeJS.Signals, includeRoot = true): void {
  for (const p of processTree(pid)) {
    if (!includeRoot && p === pid) continue;
    try {
      process.kill(p, signal);
    } catch {
      /* gone already */
    }
  }
}
