import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  applyAlgorithmModifier,
  memorySshConfigReader,
  resolveSshConfig,
  SshConfigError,
  type SshConfigReader,
} from "../src/ssh/config/index.js";
import { percentExpand, tildeExpand } from "../src/ssh/config/expand.js";
import { nextDelimited, splitArguments } from "../src/ssh/config/lexer.js";
import { globFiles } from "../src/platform/node/ssh-config-files.js";

const reader = (files: Record<string, string> = {}, extra: Partial<SshConfigReader> = {}): SshConfigReader => ({
  ...memorySshConfigReader({ homeDir: "/home/me", localUser: "me", files }),
  ...extra,
});

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}

describe("syntax errors name the file and line", () => {
  const cases: Array<[string, string, number, RegExp]> = [
    ["missing argument", "Host a\n  User x\nPort\n", 3, /no argument after keyword "port"/],
    ["bad port", "\n\nPort 0\n", 3, /Bad port/],
    ["invalid quotes", 'User "x\n', 1, /invalid quotes/],
    ["unknown keyword", "# c\nFrobnicate yes\n", 2, /Bad configuration option: frobnicate/],
    ["extra arguments", "User a b\n", 1, /extra arguments/],
    ["Match attribute", "Match address 1.2.3.4\n", 1, /Unsupported Match attribute address/],
    ["Match criteria", "Match host\n", 1, /Missing Match criteria for host/],
    ["SetEnv", "SetEnv NOVALUE\n", 1, /Invalid SetEnv/],
    ["time", "ConnectTimeout 5x\n", 1, /invalid time value/],
    ["RekeyLimit", "RekeyLimit 8\n", 1, /RekeyLimit too small/],
    ["known hosts none", "UserKnownHostsFile a none\n", 1, /must appear alone/],
    ["ProxyJump", "ProxyJump user@\n", 1, /Invalid ProxyJump/],
    // Words a plain object answers from Object.prototype are as unknown to ssh as any other
    // (`ssh -G` refuses each of these lines; the two lowercase names are the ones a lowercased lookup can meet).
    ["flag word from Object.prototype", "IdentitiesOnly constructor\n", 1, /unsupported option "constructor" for identitiesonly/],
    ["StrictHostKeyChecking __proto__", "StrictHostKeyChecking __proto__\n", 1, /unsupported option "__proto__"/],
    ["CanonicalizeHostname constructor", "CanonicalizeHostname constructor\n", 1, /unsupported option "constructor"/],
    ["AddKeysToAgent __proto__", "AddKeysToAgent __proto__\n", 1, /unsupported option/],
  ];
  for (const [name, text, line, message] of cases) {
    it(name, () => {
      const e = errorOf(() => resolveSshConfig("h", { text, reader: reader() }));
      expect(e).toBeInstanceOf(SshConfigError);
      expect((e as SshConfigError).file).toBe("(text)");
      expect((e as SshConfigError).line).toBe(line);
      expect(e.message).toMatch(new RegExp(`^\\(text\\) line ${line}: `));
      expect(e.message).toMatch(message);
    });
  }

  it("an error inside an included file names that file", () => {
    const e = errorOf(() =>
      resolveSshConfig("h", {
        files: ["~/.ssh/config"],
        reader: reader({ "/home/me/.ssh/config": "Include conf.d/*\n", "/home/me/.ssh/conf.d/b": "\n\nUser\n" }),
      }),
    );
    expect(e.message).toBe('/home/me/.ssh/conf.d/b line 3: no argument after keyword "user"');
  });

  it("a named file that is missing is an error; the default files may be missing", () => {
    expect(() => resolveSshConfig("h", { files: ["/nope"], reader: reader() })).toThrow(/Can't open user config file \/nope/);
    expect(resolveSshConfig("h", { reader: reader() }).user).toBe("me");
  });
});

describe("Include", () => {
  it("stops endless recursion", () => {
    const files = { "/home/me/.ssh/config": "Include ~/.ssh/config\n" };
    expect(() => resolveSshConfig("h", { reader: reader(files) })).toThrow(/too many recursive configuration includes/);
  });

  it("allows 16 levels", () => {
    const files: Record<string, string> = { "/home/me/.ssh/config": "Include d1\n" };
    for (let i = 1; i <= 16; i++) files[`/home/me/.ssh/d${i}`] = i === 16 ? "User deep\n" : `Include d${i + 1}\n`;
    expect(resolveSshConfig("h", { reader: reader(files) }).user).toBe("deep");
    files["/home/me/.ssh/d16"] = "Include d17\n";
    files["/home/me/.ssh/d17"] = "User deeper\n";
    expect(() => resolveSshConfig("h", { reader: reader(files) })).toThrow(/too many recursive/);
  });

  it("resolves relative paths against ~/.ssh for user config and /etc/ssh for the system config", () => {
    const files = {
      "/home/me/.ssh/config": "Include u.conf\n",
      "/home/me/.ssh/u.conf": "IdentityFile ~/.ssh/from-user\n",
      "/etc/ssh/ssh_config": "Include ssh_config.d/*.conf\n",
      "/etc/ssh/ssh_config.d/s.conf": "Port 2022\nIdentityFile ~/.ssh/from-system\n",
    };
    const r = resolveSshConfig("h", { reader: reader(files) });
    expect(r.port).toBe(2022);
    expect(r.identityFile).toEqual(["/home/me/.ssh/from-user", "/home/me/.ssh/from-system"]);
  });

  it("refuses ~ in a system config Include", () => {
    const files = { "/etc/ssh/ssh_config": "Include ~/x\n" };
    expect(() => resolveSshConfig("h", { reader: reader(files) })).toThrow(/\/etc\/ssh\/ssh_config line 1: bad include path/);
  });

  it("notes an Include that matched nothing", () => {
    const r = resolveSshConfig("h", { text: "Include none-*.conf\n", reader: reader() });
    expect(r.notes.join("\n")).toMatch(/include ~\/\.ssh\/none-\*\.conf matched no files/);
  });
});

describe("tokens", () => {
  it("percentExpand replaces known tokens and %%, rejects others", () => {
    expect(percentExpand("a%h-%%-%p", { h: "host", p: "22" })).toBe("ahost-%-22");
    expect(() => percentExpand("%x", { h: "host" })).toThrow(/unknown token %x/);
    expect(() => percentExpand("100%", {})).toThrow(/at the end/);
    expect(percentExpand("${A}/%h", { h: "x" }, (n) => (n === "A" ? "va" : undefined))).toBe("va/x");
    expect(() => percentExpand("${B}", {}, () => undefined)).toThrow(/has no value/);
  });

  it("tildeExpand", () => {
    expect(tildeExpand("~", "/home/me", "me")).toBe("/home/me/");
    expect(tildeExpand("~//x", "/home/me", "me")).toBe("/home/me/x");
    expect(tildeExpand("~me/y", "/home/me", "me")).toBe("/home/me/y");
    expect(tildeExpand("/abs/~", "/home/me", "me")).toBe("/abs/~");
    expect(() => tildeExpand("~other/y", "/home/me", "me")).toThrow(/~other/);
  });

  it("expands where OpenSSH does, with the right token sets", () => {
    const r = resolveSshConfig("Alias", {
      text:
        "Host Alias\n  HostName %h.example\n  User bob\n  Port 2200\n  IdentityFile ~/.ssh/%r@%h:%p-%n-%u-%%\n" +
        "  UserKnownHostsFile %d/kh-%k\n  ProxyCommand nc %h %p # %r\n  IdentityAgent ~/agent.%r\n",
      reader: reader(),
    });
    expect(r.hostName).toBe("alias.example");
    expect(r.identityFile).toEqual(["/home/me/.ssh/bob@alias.example:2200-Alias-me-%"]);
    expect(r.userKnownHostsFile).toEqual(["/home/me/kh-Alias"]);
    expect(r.proxyCommand).toBe("nc alias.example 2200 # bob");
    expect(r.identityAgent).toBe("/home/me/agent.bob");
  });

  it("HostName accepts only %h; ProxyCommand has no %u", () => {
    expect(() => resolveSshConfig("h", { text: "HostName %r.x\n", reader: reader() })).toThrow(/unknown token %r/);
    expect(() => resolveSshConfig("h", { text: "ProxyCommand nc %u\n", reader: reader() })).toThrow(/ProxyCommand: .*%u/);
  });

  it("says so when a token needs the local host name the reader lacks", () => {
    expect(() => resolveSshConfig("h", { text: "IdentityFile ~/%l\n", reader: reader() })).toThrow(/no local host name/);
    const r = resolveSshConfig("h", { text: "IdentityFile ~/%l-%L-%i\n", reader: reader({}, { localHostName: "box.lan", uid: 7 }) });
    expect(r.identityFile).toEqual(["/home/me/box.lan-box-7"]);
  });
});

describe("applyAlgorithmModifier", () => {
  const defaults = ["a-1", "b-2", "c-3"];
  const supported = ["a-1", "b-2", "c-3", "d-4", "e-5", "x-sha1"];
  it("+ appends without repeating", () => {
    expect(applyAlgorithmModifier(defaults, "+d-4,a-1", supported)).toEqual(["a-1", "b-2", "c-3", "d-4"]);
  });
  it("- removes with wildcards", () => {
    expect(applyAlgorithmModifier(defaults, "-b*,zzz", supported)).toEqual(["a-1", "c-3"]);
    expect(applyAlgorithmModifier(defaults, "-*", supported)).toEqual([]);
  });
  it("^ puts first", () => {
    expect(applyAlgorithmModifier(defaults, "^c-3,e-5", supported)).toEqual(["c-3", "e-5", "a-1", "b-2"]);
  });
  it("a plain list is exactly these, patterns expanded in supported order, unknown dropped", () => {
    expect(applyAlgorithmModifier(defaults, "e-5,*-2,nope", supported)).toEqual(["e-5", "b-2"]);
    expect(applyAlgorithmModifier(defaults, "*", supported)).toEqual(supported);
  });
  it("empty value is the defaults; errors for ! and for nothing left", () => {
    expect(applyAlgorithmModifier(defaults, "", supported)).toEqual(defaults);
    expect(() => applyAlgorithmModifier(defaults, "!a-1", supported)).toThrow(/negated/);
    expect(() => applyAlgorithmModifier(defaults, "nope", supported)).toThrow(/no supported/);
  });
});

describe("resolution details", () => {
  it("text and none", () => {
    expect(resolveSshConfig("h", { text: "Port 2\n", reader: reader() }).port).toBe(2);
    const files = { "/home/me/.ssh/config": "Port 3\n" };
    expect(resolveSshConfig("h", { none: true, reader: reader(files) }).port).toBe(22);
    expect(resolveSshConfig("h", { reader: reader(files) }).port).toBe(3);
  });

  it("notes: Match exec, AddKeysToAgent, an ignored keyword named once", () => {
    const r = resolveSshConfig("h", {
      text: 'Match exec "test -e /x"\n  User never\nMatch all\nAddKeysToAgent yes\nForwardAgent yes\nForwardAgent no\n',
      reader: reader(),
    });
    expect(r.user).toBe("me");
    expect(r.notes.filter((n) => n.includes("forwardagent"))).toHaveLength(1);
    expect(r.notes.some((n) => n.includes('Match exec "test -e /x" was not run'))).toBe(true);
    expect(r.notes.some((n) => n.includes("AddKeysToAgent"))).toBe(true);
  });

  it("Match exec is skipped once an earlier criterion failed", () => {
    const r = resolveSshConfig("h", { text: 'Match host nomatch exec "x"\n  User u\n', reader: reader() });
    expect(r.notes.some((n) => n.includes("exec"))).toBe(false);
  });

  it("the same IdentityFile in user and system config is listed twice (OpenSSH keys them by origin)", () => {
    const files = { "/home/me/.ssh/config": "IdentityFile ~/k\n", "/etc/ssh/ssh_config": "IdentityFile ~/k\n" };
    expect(resolveSshConfig("h", { reader: reader(files) }).unexpanded.identityFile).toEqual(["~/k", "~/k"]);
  });

  it("ProxyJump hops, first hop first", () => {
    const r = resolveSshConfig("h", { text: "ProxyJump a@j1:2201,ssh://b@j2:2202,[fe80::1]\n", reader: reader() });
    expect(r.proxyJump).toEqual([
      { user: "a", host: "j1", port: 2201 },
      { user: "b", host: "j2", port: 2202 },
      { host: "fe80::1" },
    ]);
    expect(r.unexpanded.proxyJump).toBe("a@j1:2201,ssh://b@j2:2202,[fe80::1]");
    expect(r.proxyCommand).toBeUndefined();
  });

  it("refuses a jump host loop", () => {
    expect(() => resolveSshConfig("h", { text: "ProxyJump h\n", reader: reader() })).toThrow(/jumphost loop/);
  });

  it("lexer: strdelim and argv_split", () => {
    expect(nextDelimited("Key=value")).toEqual({ token: "Key", rest: "value" });
    expect(nextDelimited("Key = value")).toEqual({ token: "Key", rest: "value" });
    expect(nextDelimited('"Quoted key" rest')).toEqual({ token: "Quoted key", rest: "rest" });
    expect(splitArguments(`a "b c" 'd e' f\\ g \\"h # comment`)).toEqual(["a", "b c", "d e", "f g", '"h']);
    expect(splitArguments('"open')).toBeNull();
  });
});

describe("Node reader glob", () => {
  const dir = mkdtempSync(join(tmpdir(), "config-glob-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, "d1"));
  mkdirSync(join(dir, "d2"));
  for (const f of ["d1/a.conf", "d1/b.conf", "d1/.hidden.conf", "d2/c.conf", "d2/x.txt"]) writeFileSync(join(dir, f), "");

  it("matches *, ?, [..] per segment, sorted, without dot files", () => {
    expect(globFiles(`${dir}/d*/*.conf`)).toEqual([`${dir}/d1/a.conf`, `${dir}/d1/b.conf`, `${dir}/d2/c.conf`]);
    expect(globFiles(`${dir}/d1/?.conf`)).toEqual([`${dir}/d1/a.conf`, `${dir}/d1/b.conf`]);
    expect(globFiles(`${dir}/d1/[!a].conf`)).toEqual([`${dir}/d1/b.conf`]);
    expect(globFiles(`${dir}/d1/.*`)).toEqual([`${dir}/d1/.hidden.conf`]);
  });

  it("a plain path is returned only when it exists", () => {
    expect(globFiles(`${dir}/d2/x.txt`)).toEqual([`${dir}/d2/x.txt`]);
    expect(globFiles(`${dir}/d2/missing`)).toEqual([]);
  });
});
