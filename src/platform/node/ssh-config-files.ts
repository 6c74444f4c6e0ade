import { readFileSync, readdirSync, statSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import type { SshConfigReader } from "../../ssh/config/reader.js";

/**
 * The ssh_config reader on Node, Deno and Bun: real files, glob(3) for Include, the login user's
 * home directory (from the passwd entry, as ssh's `~` uses it, unless `homeDir` is given), the
 * host name and the process environment.
 */
export function nodeSshConfigReader(overrides: Partial<SshConfigReader> = {}): SshConfigReader {
  const info = userInfo();
  return {
    readFile: (path) => {
      try {
        return readFileSync(path, "utf8");
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR") {
          return null;
        }
        throw e;
      }
    },
    glob: globFiles,
    homeDir: info.homedir,
    localUser: info.username,
    localHostName: hostname(),
    uid: info.uid,
    env: (name) => process.env[name],
    ...overrides,
  };
}

const MAGIC = /[*?[]/;

/** glob(3) without flags beyond what Include needs: `*`, `?`, `[...]` per path segment, sorted. */
export function globFiles(pattern: string): string[] {
  const absolute = pattern.startsWith("/");
  const segments = pattern.split("/").filter((seg, i) => seg !== "" || i === 0);
  let paths = [absolute ? "/" : "."];
  if (absolute) segments.shift();
  for (const seg of segments) {
    const next: string[] = [];
    for (const dir of paths) {
      if (!MAGIC.test(seg)) {
        next.push(join(dir, seg));
        continue;
      }
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      const re = segmentRegExp(seg);
      for (const name of names.sort()) {
        if (name.startsWith(".") && !seg.startsWith(".")) continue;
        if (re.test(name)) next.push(join(dir, name));
      }
    }
    paths = next;
  }
  return paths
    .filter((p) => {
      try {
        statSync(p);
        return true;
      } catch {
        return false;
      }
    })
    .map((p) => (absolute ? p : p.replace(/^\.\//, "")))
    .sort();
}

function join(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

function segmentRegExp(seg: string): RegExp {
  let re = "";
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const close = seg.indexOf("]", i + 2);
      if (close < 0) {
        re += "\\[";
        continue;
      }
      let body = seg.slice(i + 1, close);
      if (body.startsWith("!")) body = "^" + body.slice(1);
      re += "[" + body.replace(/\\/g, "\\\\") + "]";
      i = close;
    } else re += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp("^" + re + "$");
}
