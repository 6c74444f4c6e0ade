import { tildeExpand } from "./expand.js";
import type { SshConfigReader } from "./reader.js";
import type { FileFlags, Pass } from "./types.js";

/**
 * `Include` as ssh_config(5) describes it and OpenSSH readconf.c (process_config_line_depth) does it:
 * each argument is a glob(3) pattern; a relative one is under ~/.ssh in a user config and under
 * /etc/ssh in the system one (where `~` is refused); matching nothing is not an error. The files
 * are read in place, at most 16 deep (READCONF_MAX_DEPTH). An Include inside an inactive
 * Host/Match section is still read and checked but applies nothing, and a Host or Match inside the
 * included file ends with it.
 */

/** readconf.c's READCONF_MAX_DEPTH. */
const MAX_INCLUDE_DEPTH = 16;

/** What Include needs from the resolver: the files, a place for notes, and the reading of a file. */
export interface IncludeContext {
  readonly reader: SshConfigReader;
  note(text: string): void;
  readText(file: string, text: string, flags: FileFlags, pass: Pass, active: { v: boolean }, depth: number): void;
}

export function include(
  ctx: IncludeContext,
  args: string[],
  file: string,
  lineNo: number,
  flags: FileFlags,
  pass: Pass,
  active: { v: boolean },
  depth: number,
  fail: (m: string) => never,
): void {
  const { homeDir, localUser } = ctx.reader;
  for (const arg of args) {
    if (arg === "") fail("keyword include empty argument");
    if (arg.startsWith("~") && !flags.user) fail(`bad include path ${arg}`);
    const path = !arg.startsWith("/") && !arg.startsWith("~") ? (flags.user ? "~/.ssh/" : "/etc/ssh/") + arg : arg;
    const matches = ctx.reader.glob(tildeExpand(path, homeDir, localUser));
    if (matches.length === 0) {
      ctx.note(`${file} line ${lineNo}: include ${path} matched no files`);
      continue;
    }
    const wasActive = active.v;
    for (const m of matches) {
      const text = ctx.reader.readFile(m);
      if (text !== null) {
        if (depth + 1 > MAX_INCLUDE_DEPTH) {
          throw new Error(`${m}: too many recursive configuration includes (more than ${MAX_INCLUDE_DEPTH} deep)`);
        }
        ctx.readText(m, text, { user: flags.user, neverMatch: flags.neverMatch || !wasActive }, pass, active, depth + 1);
      }
      // A Match or Host inside the included file does not leak into the including one.
      active.v = wasActive;
    }
  }
}
