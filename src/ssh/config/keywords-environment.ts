import type { KeywordHandler } from "./keyword-line.js";
import { matchPattern } from "./patterns.js";

/**
 * The environment keywords, which do not follow the first-value rule (ssh_config(5),
 * readconf.c's oSendEnv/oSetEnv): SendEnv accumulates, and `-pattern` removes the names sent so
 * far that match it; SetEnv takes only the first line that sets anything, and within it the
 * first value of each name.
 */
export const ENVIRONMENT_KEYWORDS: Record<string, KeywordHandler> = {
  sendenv: (l) => {
    const s = l.ctx.s;
    for (const arg of l.takeAll()) {
      if (arg === "" || arg.includes("=")) l.fail("Invalid environment name.");
      if (!l.applies) continue;
      if (arg.startsWith("-")) {
        const pattern = arg.slice(1);
        s.sendEnv = s.sendEnv.filter((name) => !matchPattern(name, pattern));
      } else {
        s.sendEnv.push(arg);
      }
    }
  },
  setenv: (l) => {
    const s = l.ctx.s;
    const hadAny = s.setEnv.length !== 0;
    for (const arg of l.takeAll()) {
      if (!arg.includes("=")) l.fail("Invalid SetEnv.");
      if (!l.applies || hadAny) continue;
      const name = arg.slice(0, arg.indexOf("="));
      if (s.setEnv.some((e) => e.slice(0, e.indexOf("=")) === name)) continue;
      s.setEnv.push(arg);
    }
  },
};
