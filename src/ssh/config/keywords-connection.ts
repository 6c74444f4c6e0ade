import type { KeywordHandler } from "./keyword-line.js";
import type { Jump } from "./types.js";
import { CANONICALIZE, parseJump, parsePort } from "./values.js";

/**
 * The keywords that say where and how to connect: HostName, User, Port, CanonicalizeHostname,
 * ProxyCommand and ProxyJump, ConnectTimeout and the ServerAlive pair, handled as
 * readconf.c's process_config_line does (the first obtained value wins, ssh_config(5)).
 */

/** Where the raw value of ProxyCommand/ProxyJump starts: readconf.c skips the blanks and `=` after the keyword. */
const rawValue = (rest: string): string => rest.replace(/^[ \t\r\n=]+/, "");

export const CONNECTION_KEYWORDS: Record<string, KeywordHandler> = {
  hostname: (l) => l.keep("hostName", l.required()),
  user: (l) => l.keep("user", l.required()),
  port: (l) => {
    const a = l.required();
    const v = parsePort(a);
    if (v <= 0) l.fail(`Bad port '${a}'`);
    l.keep("port", v);
  },
  canonicalizehostname: (l) => l.keep("canonicalizeHostname", l.choice(CANONICALIZE)),
  proxycommand: (l) => {
    // First obtained wins between ProxyCommand and ProxyJump (a jump host marks ProxyCommand
    // as "none"); `ProxyJump none` alone does not stop a later ProxyCommand. This is the
    // OpenSSH 10.3 rule, which Debian's 9.2 (deb12u10) carries too.
    l.keep("proxyCommand", rawValue(l.rest));
    l.takeAll();
  },
  proxyjump: (l) => {
    const s = l.ctx.s;
    const v = rawValue(l.rest);
    const jump = parseJump(v);
    if (jump === null) l.fail(`Invalid ProxyJump "${v}"`);
    if (jump === "none") {
      if (l.applies && s.jump === undefined) s.jump = "none";
    } else if (l.applies && s.proxyCommand === undefined && s.jump === undefined) {
      s.jump = jump as Jump;
      s.proxyCommand = "none";
    }
    l.takeAll();
  },
  connecttimeout: (l) => l.keep("connectTimeout", l.time()),
  serveraliveinterval: (l) => l.keep("serverAliveInterval", l.time()),
  serveralivecountmax: (l) => l.keep("serverAliveCountMax", l.int()),
};
