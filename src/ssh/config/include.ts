import { tildeExpand } from "./expand.js";
import type { SshConfigReader } from "./reader.js";
import type { ReadState } from "./types.js";

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
  readText(text: string, state: ReadState): void;
}

/** Reads the files an `Include` line (its arguments `args`, read in `state`) names. */
export function include(ctx: IncludeContext, args: string[], state: ReadState, fail: (m: string) => never): void {
  const { homeDir, localUser } = ctx.reader;
  for (const arg of args) {
    if (arg === "") fail("keyword include empty argument");
    if (arg.startsWith("~") && !state.userConfig) fail(`bad include path ${arg}`);
    const path = !arg.startsWith("/") && !arg.startsWith("~") ? (state.userConfig ? "~/.ssh/" : "/etc/ssh/") + arg : arg;
    const matches = ctx.reader.glob(tildeExpand(path, homeDir, localUser));
    if (matches.length === 0) {
      ctx.note(`${state.file} line ${state.lineNumber}: include ${path} matched no files`);
      continue;
    }
    for (const m of matches) {
      const text = ctx.reader.readFile(m);
      if (text === null) continue;
      const depth = state.depth + 1;
      if (depth > MAX_INCLUDE_DEPTH) {
        throw new Error(`${m}: too many recursive configuration includes (more than ${MAX_INCLUDE_DEPTH} deep)`);
      }
      // The included file starts in the including line's section, and a Host or Match inside it
      // does not leak back (readconf.c saves *activep and restores it after each file): its own
      // state, so the including one's is untouched.
      const neverMatch = state.neverMatch || !state.active;
      const { userConfig, pass, active } = state;
      ctx.readText(text, { file: m, lineNumber: 0, userConfig, neverMatch, pass, depth, active });
    }
  }
}
