import type { KeywordHandler } from "./keyword-line.js";
import { asciiLower } from "./patterns.js";
import { STRICT } from "./values.js";

/**
 * The keywords of host-key verification: HostKeyAlias, StrictHostKeyChecking, HashKnownHosts and
 * the two known-hosts file lists. A list is taken whole from the first line that sets it, and
 * `none` must stand alone there (readconf.c's oUserKnownHostsFile/oGlobalKnownHostsFile).
 */

const knownHostsFiles: KeywordHandler = (l) => {
  const s = l.ctx.s;
  const list = l.keyword === "userknownhostsfile" ? s.userKnownHostsFiles : s.globalKnownHostsFiles;
  const wasEmpty = list.length === 0;
  const all = l.takeAll();
  all.forEach((arg, i) => {
    if (arg === "") l.fail(`keyword ${l.keyword} empty argument`);
    if (asciiLower(arg) === "none" && (i > 0 || all.length > 1)) {
      l.fail(`keyword ${l.keyword} "none" argument must appear alone`);
    }
    if (l.applies && wasEmpty) list.push(arg);
  });
};

export const HOST_KEY_KEYWORDS: Record<string, KeywordHandler> = {
  hostkeyalias: (l) => l.keep("hostKeyAlias", l.required()),
  stricthostkeychecking: (l) => l.keep("strictHostKeyChecking", l.choice(STRICT)),
  hashknownhosts: (l) => l.keep("hashKnownHosts", l.flag()),
  userknownhostsfile: knownHostsFiles,
  globalknownhostsfile: knownHostsFiles,
};
