import { checkDollarReferences } from "./expand.js";
import type { KeywordHandler } from "./keyword-line.js";
import type { PathEntry } from "./types.js";
import { ADD_KEYS, convtime, lookupWord } from "./values.js";

/**
 * The keywords of the client's identity: IdentityFile and CertificateFile (which accumulate,
 * unlike the rest: ssh_config(5)), IdentitiesOnly, IdentityAgent, and AddKeysToAgent (checked as
 * readconf.c checks it, then ignored with a note).
 */

/** add_identity_file / add_certificate_file: no duplicates (same path from the same kind of file). */
function addPath(list: PathEntry[], path: string, userProvided: boolean): void {
  if (!list.some((e) => e.path === path && e.userProvided === userProvided)) list.push({ path, userProvided });
}

const identityFile: KeywordHandler = (l) => {
  const v = l.required();
  if (l.applies) addPath(l.ctx.s.identityFiles, v, l.state.userConfig);
};

export const IDENTITY_KEYWORDS: Record<string, KeywordHandler> = {
  identityfile: identityFile,
  identityfile2: identityFile,
  certificatefile: (l) => {
    const v = l.required();
    if (l.applies) addPath(l.ctx.s.certificateFiles, v, l.state.userConfig);
  },
  identitiesonly: (l) => l.keep("identitiesOnly", l.flag()),
  identityagent: (l) => {
    const v = l.required();
    const env = l.ctx.reader.env;
    // readconf.c's parse_agent_path: each ${VAR} well formed and set; a bare $NAME a valid name.
    if (env !== undefined && !checkDollarReferences(v, env)) l.fail(`Invalid environment expansion ${v}`);
    if (v.startsWith("$") && v[1] !== "{" && !/^[A-Za-z0-9_]+$/.test(v.slice(1))) {
      l.fail(`Invalid environment name ${v}`);
    }
    l.keep("identityAgent", v);
  },
  addkeystoagent: (l) => {
    // yes/no/ask/confirm, `confirm` optionally followed by a time, or a time alone.
    const a = l.next();
    const b = l.next();
    const v = lookupWord(ADD_KEYS, a);
    const timeOk = (t: string): boolean => convtime(t) >= 0;
    if (v === "confirm" && b !== undefined) {
      if (!timeOk(b)) l.fail("invalid time value");
    } else if (v === undefined && b === undefined) {
      if (a === undefined || !timeOk(a)) l.fail("unsupported option");
    } else if (v === undefined || b !== undefined) {
      l.fail("unsupported option");
    }
    l.ctx.note("AddKeysToAgent is ignored (mcp-ssh never adds keys to an agent)");
  },
};
