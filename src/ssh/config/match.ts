import { percentExpand } from "./expand.js";
import { nextDelimited } from "./lexer.js";
import { asciiLower, matchHostnameList, matchPatternList } from "./patterns.js";
import type { SshConfigReader } from "./reader.js";
import type { Pass, Settings } from "./types.js";

/**
 * `Match` lines as ssh_config(5) defines them and OpenSSH readconf.c's match_cfg_line evaluates
 * them: criteria are ANDed, each may be negated with `!`; `host` sees the HostName-substituted
 * name, `originalhost` the typed one, `user` the remote user so far, `localuser` the local one;
 * `all` ends the line and follows at most one criterion (`Match canonical all`); `canonical` and
 * `final` are true only on the second pass (and `final` asks for one). `exec` is never run here:
 * it counts as a command that failed.
 */

/** What Match evaluation reads from the resolver, and what it tells it back. */
export interface MatchContext {
  readonly s: Settings;
  readonly reader: SshConfigReader;
  /** Set by `Match final`: the files are to be read a second time. */
  wantFinalPass: boolean;
  note(text: string): void;
}

/** match_cfg_line: the Match criteria, evaluated; also returns what is left of the line. */
export function evaluateMatch(
  ctx: MatchContext,
  line: string,
  pass: Pass,
  fail: (m: string) => never,
): { result: boolean; rest: string | null } {
  const s = ctx.s;
  const ruser = s.user ?? ctx.reader.localUser;
  let host: string;
  if (pass.final) host = s.hostName ?? pass.host;
  else if (s.hostName !== undefined) host = percentExpand(s.hostName, { h: pass.host });
  else host = pass.host;

  let cp: string | null = line;
  let result = true;
  let attributes = 0;
  for (;;) {
    const d = nextDelimited(cp);
    cp = d.rest;
    const oattrib = d.token;
    if (oattrib === null || oattrib === "") break;
    if (oattrib.startsWith("#")) {
      cp = null;
      break;
    }
    const negate = oattrib.startsWith("!");
    const attrib = asciiLower(negate ? oattrib.slice(1) : oattrib);
    if (attrib === "all") {
      const a = nextDelimited(cp);
      cp = a.rest;
      if (attributes > 1 || (a.token !== null && a.token !== "" && !a.token.startsWith("#"))) {
        fail(`'${oattrib}' cannot be combined with other Match attributes`);
      }
      if (a.token !== null && a.token.startsWith("#")) cp = null;
      if (result) result = !negate;
      return { result, rest: cp };
    }
    attributes++;
    if (attrib === "canonical" || attrib === "final") {
      if (attrib === "final") ctx.wantFinalPass = true;
      if (pass.final === negate) result = false;
      continue;
    }
    const a = nextDelimited(cp);
    cp = a.rest;
    const arg = a.token;
    if (arg === null || arg === "" || arg.startsWith("#")) fail(`Missing Match criteria for ${attrib}`);
    const criteria = arg as string;
    let r: boolean;
    switch (attrib) {
      case "host":
        r = matchHostnameList(host, criteria) === 1;
        break;
      case "originalhost":
        r = matchHostnameList(pass.originalHost, criteria) === 1;
        break;
      case "user":
        r = matchPatternList(ruser, criteria) === 1;
        break;
      case "localuser":
        r = matchPatternList(ctx.reader.localUser, criteria) === 1;
        break;
      case "exec":
        if (!result) continue; // OpenSSH skips the command once an earlier criterion failed
        ctx.note(`Match exec "${criteria}" was not run; treated as a command that failed`);
        r = false;
        break;
      default:
        fail(`Unsupported Match attribute ${attrib}`);
        r = false;
    }
    if (r === negate) result = false;
  }
  if (attributes === 0) fail("One or more attributes required for Match");
  return { result, rest: cp };
}
