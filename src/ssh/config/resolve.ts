import { percentExpand, tildeExpand } from "./expand.js";
import { finishSettings } from "./finish.js";
import { include, type IncludeContext } from "./include.js";
import { KeywordLine, type KeywordContext, type KeywordHandler } from "./keyword-line.js";
import { CONNECTION_KEYWORDS } from "./keywords-connection.js";
import { ENVIRONMENT_KEYWORDS } from "./keywords-environment.js";
import { HOST_KEY_KEYWORDS } from "./keywords-host-keys.js";
import { IDENTITY_KEYWORDS } from "./keywords-identity.js";
import { DEPRECATED_KEYWORDS, OTHER_KEYWORDS, UNSUPPORTED_KEYWORDS } from "./keywords-ignored.js";
import { TRANSPORT_KEYWORDS } from "./keywords-transport.js";
import { nextDelimited, splitArguments } from "./lexer.js";
import { evaluateMatch, type MatchContext } from "./match.js";
import { asciiLower, matchPattern, matchPatternList } from "./patterns.js";
import type { SshConfigReader } from "./reader.js";
import {
  SshConfigError,
  type Pass,
  type ReadState,
  type ResolvedSshConfig,
  type ResolveSshConfigOptions,
  type Settings,
} from "./types.js";
import { isAddressLike } from "./values.js";

// The public shapes live in types.ts; re-exported so `./config/resolve.js` stays the one import.
export {
  SshConfigError,
  type JumpHop,
  type ResolvedSshConfig,
  type ResolveSshConfigOptions,
  type StrictHostKeyChecking,
} from "./types.js";
export { convtime } from "./values.js";

/**
 * ssh_config(5) resolution as OpenSSH 9.2's ssh does it (readconf.c, ssh.c), checked against
 * `ssh -G`:
 *
 * - files are read in order, each line applying only while its Host/Match section is active; the
 *   first value obtained for a keyword wins (IdentityFile, CertificateFile and SendEnv
 *   accumulate; SetEnv and the known-hosts lists take the first line that sets them);
 * - `Host` patterns match the host as typed on the command line; HostName only changes where to
 *   connect. `Match host` sees the HostName-substituted name, `Match originalhost` the typed one;
 * - if a `Match final` (or `canonical`) exists or CanonicalizeHostname is on, the files are read a
 *   second time, keeping what the first pass set, with Host patterns and `Match host` now seeing
 *   the final (lowercased, HostName-substituted) name and `final`/`canonical` true;
 * - `Match exec` is not run: it counts as a command that failed (so `exec` does not match and
 *   `!exec` does), with a note. No DNS is done: canonicalization keeps the name, with a note.
 *
 * This file reads the lines (readconf.c's process_config_line up to its keyword switch), handles
 * the keywords that steer the reading (Host, Match, Include, IgnoreUnknown) and runs the passes.
 * The parts live beside it: types.ts (the shapes), keyword-line.ts (a line's arguments, as the
 * keyword handlers take them), keywords-connection.ts, keywords-identity.ts,
 * keywords-host-keys.ts, keywords-transport.ts and keywords-environment.ts (the other keywords
 * acted on, by group), keywords-ignored.ts (those accepted and not acted on), values.ts (argument
 * parsers), match.ts (Match), include.ts (Include), algorithms.ts (algorithm lists), finish.ts
 * (defaults and token expansion once the files are read).
 */

const WHITESPACE = " \t\r\n";

class Resolver implements KeywordContext, IncludeContext, MatchContext {
  readonly s: Settings = {
    identityFiles: [],
    certificateFiles: [],
    userKnownHostsFiles: [],
    globalKnownHostsFiles: [],
    sendEnv: [],
    setEnv: [],
  };
  wantFinalPass = false;
  private readonly noteSet = new Set<string>();
  readonly notes: string[] = [];
  /** Every keyword acted on, by its lowercased name: those that steer the reading, then the groups. */
  private readonly handlers: ReadonlyMap<string, KeywordHandler> = new Map(
    Object.entries<KeywordHandler>({
      host: (l) => this.host(l),
      match: (l) => this.match(l),
      include: (l) => include(this, l.takeAll(), l.state, l.fail),
      // Consulted for the lines after it: ssh_config(5) asks for it early in the file.
      ignoreunknown: (l) => l.keep("ignoreUnknown", l.required()),
      ...CONNECTION_KEYWORDS,
      ...IDENTITY_KEYWORDS,
      ...HOST_KEY_KEYWORDS,
      ...TRANSPORT_KEYWORDS,
      ...ENVIRONMENT_KEYWORDS,
    }),
  );

  constructor(
    readonly reader: SshConfigReader,
    readonly supported?: ResolveSshConfigOptions["supportedAlgorithms"],
  ) {}

  note(text: string): void {
    if (!this.noteSet.has(text)) {
      this.noteSet.add(text);
      this.notes.push(text);
    }
  }

  readText(text: string, state: ReadState): void {
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      state.lineNumber = i + 1;
      this.line(lines[i]!, state);
    }
  }

  /** process_config_line_depth: the keyword and its arguments, checked, then its handler. */
  private line(raw: string, state: ReadState): void {
    const fail = (message: string): never => {
      throw new SshConfigError(state.file, state.lineNumber, message);
    };
    let end = raw.length;
    while (end > 1 && " \t\r\n\f".includes(raw[end - 1]!)) end--;
    const line = raw.slice(0, end);
    if (line === "") return;
    let d = nextDelimited(line);
    if (d.token === "") d = nextDelimited(d.rest);
    if (d.token === null || d.token === "" || d.token.startsWith("#")) return;
    const keyword = asciiLower(d.token);
    let str = d.rest;
    if (str !== null) {
      let i = 0;
      while (i < str.length && WHITESPACE.includes(str[i]!)) i++;
      str = str.slice(i);
    }
    if (str === null || str === "") fail(`no argument after keyword "${keyword}"`);
    const rest = str as string;
    const handler = this.handlers.get(keyword);
    const known =
      handler !== undefined ||
      OTHER_KEYWORDS.has(keyword) ||
      DEPRECATED_KEYWORDS.has(keyword) ||
      UNSUPPORTED_KEYWORDS.has(keyword);
    if (!known && !(this.s.ignoreUnknown !== undefined && matchPatternList(keyword, this.s.ignoreUnknown, true) === 1)) {
      fail(`Bad configuration option: ${keyword}`);
    }
    const args = splitArguments(rest);
    if (args === null) fail("invalid quotes");

    if (!known) {
      this.note(`${state.file} line ${state.lineNumber}: ignored unknown option "${keyword}" (IgnoreUnknown)`);
      return;
    }
    if (handler === undefined) {
      if (DEPRECATED_KEYWORDS.has(keyword)) this.note(`deprecated option "${keyword}" ignored`);
      else if (UNSUPPORTED_KEYWORDS.has(keyword)) this.note(`unsupported option "${keyword}" ignored`);
      else this.note(`keyword "${keyword}" is not used by mcp-ssh and was ignored`);
      return;
    }
    const l = new KeywordLine(keyword, args as string[], rest, state, this, fail);
    handler(l);
    l.finish();
  }

  /** Host: the section applies if a pattern matches the host and no negated one does (readconf.c's oHost). */
  private host(l: KeywordLine): void {
    const state = l.state;
    state.active = false;
    for (let arg of l.takeAll()) {
      if (arg === "") l.fail(`keyword ${l.keyword} empty argument`);
      if (state.neverMatch) break;
      const negated = arg.startsWith("!");
      if (negated) arg = arg.slice(1);
      if (matchPattern(state.pass.host, arg)) {
        if (negated) {
          state.active = false;
          break;
        }
        state.active = true;
      }
    }
  }

  /** Match: the criteria (match.ts) decide the section. */
  private match(l: KeywordLine): void {
    const { result, rest } = evaluateMatch(this, l.rest, l.state.pass, l.fail);
    l.state.active = l.state.neverMatch ? false : result;
    // readconf.c: unless the criteria read the whole line, the arguments stay, to fail the
    // extra-arguments check.
    if (rest === null || rest === "") l.takeAll();
  }
}

/**
 * Resolves the settings ssh would use to connect to `host` ("[user@]host" as typed on the
 * command line). Throws SshConfigError (file and line) on a syntax error, like ssh refusing to
 * start.
 */
export function resolveSshConfig(host: string, options: ResolveSshConfigOptions): ResolvedSshConfig {
  const { reader } = options;
  const r = new Resolver(reader, options.supportedAlgorithms);
  let typed = host;
  const at = host.lastIndexOf("@");
  if (at === 0) throw new Error(`"${host}": empty user name`);
  if (at > 0) {
    typed = host.slice(at + 1);
    r.s.user = host.slice(0, at);
  }
  if (options.user !== undefined) r.s.user = options.user;
  if (options.port !== undefined) r.s.port = options.port;
  if (typed === "") throw new Error("no host name given");

  const sources: Array<{ name: string; text: string | null; user: boolean; required: boolean }> = [];
  if (options.none) {
    // -F none: no configuration at all.
  } else if (options.text !== undefined) {
    sources.push({ name: "(text)", text: options.text, user: true, required: true });
  } else if (options.files !== undefined) {
    for (const f of options.files) {
      const path = tildeExpand(f, reader.homeDir, reader.localUser);
      sources.push({ name: path, text: reader.readFile(path), user: true, required: true });
    }
  } else {
    const userConfig = tildeExpand("~/.ssh/config", reader.homeDir, reader.localUser);
    sources.push({ name: userConfig, text: reader.readFile(userConfig), user: true, required: false });
    sources.push({ name: "/etc/ssh/ssh_config", text: reader.readFile("/etc/ssh/ssh_config"), user: false, required: false });
  }
  const readAll = (pass: Pass): void => {
    for (const src of sources) {
      if (src.text === null) {
        if (src.required) throw new Error(`Can't open user config file ${src.name}`);
        continue;
      }
      const state = { file: src.name, lineNumber: 0, userConfig: src.user, neverMatch: false, pass, depth: 0, active: true };
      r.readText(src.text, state);
    }
  };

  readAll({ host: typed, originalHost: typed, final: false });

  let target = typed;
  if (r.s.hostName !== undefined) {
    target = percentExpand(r.s.hostName, { h: typed });
    r.s.hostName = target;
  }
  if (!isAddressLike(target)) target = asciiLower(target);
  const canonicalize = r.s.canonicalizeHostname ?? "no";
  if (canonicalize !== "no") {
    r.note("CanonicalizeHostname: no DNS lookups are made here; the host name is kept as is");
  }
  if (canonicalize !== "no") r.wantFinalPass = true;
  if (r.wantFinalPass) {
    r.s.hostName = target;
    readAll({ host: target, originalHost: typed, final: true });
  }

  return finishSettings(r.s, typed, target, reader, r.notes);
}
