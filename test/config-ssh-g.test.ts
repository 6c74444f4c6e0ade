import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyAlgorithmModifier, resolveSshConfig, type ResolvedSshConfig } from "../src/ssh/config/index.js";
import { nodeSshConfigReader } from "../src/platform/node/ssh-config-files.js";

/**
 * The oracle is OpenSSH's own `ssh -G` (Debian's OpenSSH 9.2 at /usr/bin/ssh): every case writes
 * config files, asks ssh what it would use, and compares with resolveSshConfig keyword by keyword.
 * ssh -G resolves without touching the network. HOME points at a throwaway directory, which is
 * where ssh's Include looks for relative paths (glob's ~); ssh's own `~` and %d come from the
 * passwd entry instead, so those prefixes are mapped to the throwaway home before comparing.
 */

const SSH = "/usr/bin/ssh";
const pwHome = userInfo().homedir;
const localUser = userInfo().username;

let root = "";
let home = "";
const sshEnv: Record<string, string> = {};
let defaults: Record<string, string[]> = {};
let supported = { kex: [] as string[], cipher: [] as string[], mac: [] as string[], key: [] as string[] };

function runSsh(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(SSH, args, { env: sshEnv, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function parseG(out: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of out.split("\n")) {
    if (line === "") continue;
    const sp = line.indexOf(" ");
    const k = sp < 0 ? line : line.slice(0, sp);
    const v = sp < 0 ? "" : line.slice(sp + 1);
    m.set(k, [...(m.get(k) ?? []), v]);
  }
  return m;
}

function query(what: string): string[] {
  const r = runSsh(["-Q", what]);
  if (r.status !== 0) throw new Error(`ssh -Q ${what} failed: ${r.stderr}`);
  return r.stdout.split("\n").filter((l) => l !== "");
}

beforeAll(() => {
  if (!existsSync(SSH)) {
    throw new Error(`${SSH} is missing: this test needs OpenSSH's ssh as its oracle (install openssh-client)`);
  }
  root = mkdtempSync(join(tmpdir(), "config-ssh-g-"));
  home = join(root, "home");
  mkdirSync(join(home, ".ssh"), { recursive: true });
  Object.assign(sshEnv, { HOME: home, PATH: "/usr/bin:/bin", LANG: "C", LC_ALL: "C", AGENT_DIR: "/run/agents" });
  supported = { kex: query("kex"), cipher: query("cipher"), mac: query("mac"), key: query("key-sig") };
  const none = parseG(runSsh(["-G", "-F", "none", "example.org"]).stdout);
  defaults = Object.fromEntries(
    ["kexalgorithms", "ciphers", "macs", "hostkeyalgorithms", "pubkeyacceptedalgorithms"].map((k) => [
      k,
      none.get(k)![0]!.split(","),
    ]),
  );
});

afterAll(() => {
  if (root !== "") rmSync(root, { recursive: true, force: true });
});

interface Case {
  name: string;
  /** Files by path relative to the case directory; "~/" puts them under the throwaway home. "{dir}" and "{home}" are substituted. */
  files?: Record<string, string>;
  /** The config text (written to <case dir>/config), or "none" for -F none. */
  config: string;
  host: string;
  user?: string;
  port?: number;
  /** ssh refuses the config (and so must we). */
  fails?: boolean;
}

const cases: Case[] = [
  { name: "empty config", config: "", host: "example.com" },
  { name: "-F none", config: "none", host: "Example.COM" },
  {
    name: "alias with HostName, User, Port, two IdentityFiles",
    config: "Host web\n  HostName web.internal.example\n  User deploy\n  Port 2222\n  IdentityFile ~/.ssh/web_ed25519\n  IdentityFile /keys/web_rsa\n",
    host: "web",
  },
  {
    name: "first value wins across blocks, Host * last",
    config: "Host db\n  User first\n  Port 2001\nHost d*\n  User second\n  Port 2002\n  ConnectTimeout 7\nHost *\n  User third\n  ServerAliveInterval 30\n",
    host: "db",
  },
  {
    name: "wildcards * and ?",
    config: "Host ?ab\n  User qmark\nHost *.example.com\n  Port 2022\n",
    host: "xab",
  },
  {
    name: "negated pattern makes the line not match",
    config: "Host *.example.com !bad.example.com\n  User good\nHost *\n  User fallback\n",
    host: "bad.example.com",
  },
  {
    name: "negated pattern, other host still matches",
    config: "Host *.example.com !bad.example.com\n  User good\nHost *\n  User fallback\n",
    host: "fine.example.com",
  },
  {
    name: "negation first on the line",
    config: "Host !*.corp *\n  Port 2100\n",
    host: "build.corp",
  },
  {
    name: "Host patterns are case-sensitive; HostName defaults to the lowercased name",
    config: "Host myhost\n  User lower\nHost MyHost\n  Port 2200\n",
    host: "MyHost",
  },
  {
    name: "Host matches the typed name, not HostName",
    config: "Host real.example.com\n  User wrong\nHost alias\n  HostName real.example.com\n",
    host: "alias",
  },
  {
    name: "Match host sees the HostName-substituted name",
    config: "Host alias\n  HostName Real.Example.com\nMatch host real.example.com\n  User matched\nMatch originalhost alias\n  Port 2300\n",
    host: "alias",
  },
  {
    name: "HostName %h token",
    config: "Host short*\n  HostName %h.example.net\nMatch host *.example.net\n  User net\n",
    host: "shorty",
  },
  {
    name: "Match user with -l, user@ ignored",
    config: "Match user ali*\n  Port 2400\nMatch user bob\n  Port 2401\n",
    host: "bob@server",
    user: "alice",
  },
  {
    name: "user@host beats User",
    config: "Host server\n  User configured\nMatch user carol\n  IdentitiesOnly yes\n",
    host: "carol@server",
  },
  {
    name: "-p beats Port",
    config: "Port 2500\n",
    host: "server",
    port: 2600,
  },
  {
    name: "Match localuser, Match all, !all",
    config: `Match localuser ${localUser}\n  User local-${localUser}\nMatch !all\n  Port 1\nMatch all\n  Port 2700\n`,
    host: "h1",
  },
  {
    name: "Match with several criteria",
    config: "Match host *.a.example user bob\n  Port 2800\nMatch host *.a.example user !bob\n  Port 2801\n",
    host: "x.a.example",
    user: "bob",
  },
  {
    name: "Match final: second pass matches Host against the final name",
    config: "Host foo\n  HostName Bar.Example\nMatch final\n  SendEnv LANG\nHost bar.example\n  User viafinal\n  IdentityFile ~/.ssh/final_key\n",
    host: "foo",
  },
  {
    name: "Match final duplicates SendEnv from both passes; IdentityFile is not repeated",
    config: "SendEnv A B\nIdentityFile ~/.ssh/k2\nMatch !final\n  IdentityFile ~/.ssh/k3\nMatch final\n  IdentityFile ~/.ssh/k1\n",
    host: "h",
  },
  {
    name: "Match canonical without canonicalization never applies",
    config: "Match canonical\n  User canon\n",
    host: "h",
  },
  {
    name: "CanonicalizeHostname yes reparses, Match canonical applies",
    config: "CanonicalizeHostname yes\nMatch canonical host h2\n  User canon\n",
    host: "h2",
  },
  {
    name: "Match exec that fails / !exec",
    config: 'Match exec "false"\n  User exec-yes\nMatch !exec "false"\n  Port 2900\n',
    host: "h",
  },
  {
    name: "Include relative to ~/.ssh with a glob, sorted",
    files: {
      "~/.ssh/inc-rel-b.conf": "Host *\n  User from-b\n  Port 3001\n",
      "~/.ssh/inc-rel-a.conf": "Host *\n  User from-a\n",
    },
    config: "Include inc-rel-*.conf\n",
    host: "h",
  },
  {
    name: "Include in an inactive block is parse-only",
    files: { "inc/one.conf": "User never\nHost *\n  Port 3100\n" },
    config: "Host other\n  Include {dir}/inc/*.conf\nHost *\n  User after\n",
    host: "h",
  },
  {
    name: "Host inside an included file does not leak into the includer",
    files: { "inc/x.conf": "Host nomatch\n  User x\n" },
    config: "Host h\n  Include {dir}/inc/x.conf\n  Port 3200\n",
    host: "h",
  },
  {
    name: "Include matching nothing, and ~/ include",
    files: { "~/.ssh/tilde-inc.conf": "Port 3300\n" },
    config: "Include {dir}/nothing-*.conf\nInclude ~/.ssh/tilde-inc.conf\n",
    host: "h",
  },
  {
    name: "Include recursion limit",
    config: "Include {dir}/config\n",
    host: "h",
    fails: true,
  },
  {
    name: "tokens in UserKnownHostsFile and IdentityAgent",
    config:
      "Host tok\n  HostName tok.example.org\n  User ruser\n  Port 2022\n  HostKeyAlias Alias1\n" +
      "  UserKnownHostsFile ~/.ssh/kh-%h-%p-%r-%n-%u-%l-%L-%i-%k-%% ~/kh-%C %d/kh3\n" +
      "  IdentityAgent ~/agent-%r-${AGENT_DIR}.sock\n",
    host: "tok",
  },
  {
    name: "IdentityFile, CertificateFile and ProxyCommand are printed unexpanded",
    config:
      "IdentityFile ~/.ssh/id_%h_%r\nCertificateFile ~/.ssh/id_%h-cert.pub\nCertificateFile /c/two\nCertificateFile /c/two\n" +
      "IdentityFile ~/.ssh/id_%h_%r\nProxyCommand nc -X connect %h %p # trailing words kept\nProxyJump ignored\n",
    host: "pc",
  },
  {
    name: "quoted arguments",
    config: 'IdentityFile "/tmp/with space/key"\nSetEnv FOO="bar baz" QUOTE=\\"x\nUser "quoted"\nSendEnv \'LC_*\'\n',
    host: "h",
  },
  {
    name: "keyword=value forms and case-insensitive keywords",
    config: "Port=2201\nUSER = eq\nhostNAME= H.Example\nIdentitiesOnly =yes\n",
    host: "h",
  },
  {
    name: "comments everywhere",
    config: "# a comment\n   # indented comment\nHost h # comment after pattern\n  Port 2202 # trailing\n\n\tUser tabbed\n",
    host: "h",
  },
  {
    name: "algorithm modifiers + - ^ and wildcards",
    config:
      "Ciphers +aes128-cbc,aes256-cbc\nKexAlgorithms -*sha1*,diffie-hellman-group14-sha256\nMACs ^hmac-sha2-512,hmac-sha1\n" +
      "HostKeyAlgorithms ssh-ed25519,rsa-sha2-*\nPubkeyAcceptedAlgorithms +ssh-rsa\n",
    host: "h",
  },
  {
    name: "algorithm explicit lists, first wins",
    config:
      "Host h\n  Ciphers aes256-gcm@openssh.com,chacha20-poly1305@openssh.com\n  PubkeyAcceptedKeyTypes ^ssh-ed25519\n" +
      "Host *\n  Ciphers aes128-ctr\n  KexAlgorithms curve25519-sha256\n  MACs -hmac-sha1*,umac-*\n  HostKeyAlgorithms -*-cert-v01@openssh.com\n",
    host: "h",
  },
  { name: "unknown cipher name is refused", config: "Ciphers aes*\n", host: "h", fails: true },
  {
    name: "SendEnv accumulates and -pattern removes",
    config: "SendEnv LANG LC_*\nSendEnv -LC_*\nSendEnv FOO\nHost h\n  SendEnv BAR\n",
    host: "h",
  },
  {
    name: "SetEnv: the first line that sets anything wins",
    config: "Host h\n  SetEnv A=1 B=2 A=3\nHost *\n  SetEnv C=4\n",
    host: "h",
  },
  {
    name: "ProxyJump chain",
    config: "Host target\n  ProxyJump u1@j1.example:2201,ssh://u2@j2.example,root@[::1]:2222\n",
    host: "target",
  },
  {
    name: "ProxyJump last hop numeric, no user",
    config: "ProxyJump jumper,10.0.0.5\n",
    host: "h",
  },
  {
    name: "ProxyJump none stops a later ProxyCommand and ProxyJump",
    config: "Host h\n  ProxyJump none\nHost *\n  ProxyCommand nc %h %p\n  ProxyJump j\n",
    host: "h",
  },
  {
    name: "ProxyCommand first stops ProxyJump",
    config: "ProxyCommand ssh -W %h:%p bastion\nProxyJump j\n",
    host: "h",
  },
  {
    name: "ProxyCommand none",
    config: "ProxyCommand none\nProxyJump j\n",
    host: "h",
  },
  {
    name: "times and counts",
    config: "ConnectTimeout 1m30s\nServerAliveInterval 15\nServerAliveCountMax 5\nRekeyLimit 1G 1h\n",
    host: "h",
  },
  {
    name: "RekeyLimit default none, later interval still obtained",
    config: "RekeyLimit default none\nRekeyLimit 2M 30m\nConnectTimeout none\nServerAliveInterval none\n",
    host: "h",
  },
  {
    name: "StrictHostKeyChecking accept-new, HashKnownHosts, IdentitiesOnly",
    config: "StrictHostKeyChecking accept-new\nHashKnownHosts yes\nIdentitiesOnly yes\n",
    host: "h",
  },
  { name: "StrictHostKeyChecking off", config: "StrictHostKeyChecking off\n", host: "h" },
  { name: "StrictHostKeyChecking yes", config: "StrictHostKeyChecking yes\n", host: "h" },
  {
    name: "known hosts lists: none, several, first line wins",
    config: "UserKnownHostsFile none\nUserKnownHostsFile ~/.ssh/other\nGlobalKnownHostsFile /etc/a /etc/b\nGlobalKnownHostsFile /etc/c\n",
    host: "h",
  },
  { name: "GlobalKnownHostsFile none", config: "GlobalKnownHostsFile none\n", host: "h" },
  {
    name: "IdentityFile duplicates are dropped",
    config: "IdentityFile ~/.ssh/a\nIdentityFile ~/.ssh/b\nIdentityFile ~/.ssh/a\nIdentityFile none\n",
    host: "h",
  },
  {
    name: "IgnoreUnknown lets an unknown keyword through",
    config: "IgnoreUnknown UseKeychain,Foo*\nUseKeychain yes\nFooBar 1\nUser ok\n",
    host: "h",
  },
  { name: "unknown keyword is an error", config: "UseKeychain yes\n", host: "h", fails: true },
  { name: "unknown keyword in an inactive block is still an error", config: "Host nope\n  Bogus 1\n", host: "h", fails: true },
  {
    name: "known keywords we ignore, deprecated and unsupported ones",
    config: "ForwardAgent yes\nUseRoaming no\nCompressionLevel 6\nAddKeysToAgent confirm 5m\nLocalForward 8080 localhost:80\nUser ok\n",
    host: "h",
  },
  { name: "missing argument", config: "Port\n", host: "h", fails: true },
  { name: "bad port", config: "Host h\n  Port 70000\n", host: "h", fails: true },
  { name: "invalid quotes", config: 'User "unterminated\n', host: "h", fails: true },
  { name: "unsupported Match attribute", config: "Match address 10.0.0.1\n  User x\n", host: "h", fails: true },
  { name: "Match without criteria", config: "Match #nothing\n", host: "h", fails: true },
  { name: "Match all combined", config: "Match all host x\n", host: "h", fails: true },
  { name: "extra arguments", config: "User a b\n", host: "h", fails: true },
  { name: "bad flag value", config: "Host x\n  IdentitiesOnly maybe\n", host: "h", fails: true },
  { name: "SendEnv with =", config: "SendEnv A=B\n", host: "h", fails: true },
  { name: "bad HostName token", config: "HostName %p.example\n", host: "h", fails: true },
  {
    name: "IPv4 and IPv6 literal hosts are not lowercased",
    config: "Host 10.0.0.*\n  User net10\nHost fe80::*\n  Port 3400\n",
    host: "FE80::1",
  },
  { name: "IPv4 literal", config: "Host 10.0.0.*\n  User net10\n", host: "10.0.0.7" },
  {
    name: "Match host pattern lists with negation, case-insensitive",
    config: "Host a\n  HostName Srv.Example\nMatch host !srv.example,*.example\n  Port 3501\nMatch host *.EXAMPLE,!other\n  Port 3502\nMatch originalhost A\n  User orig\n",
    host: "a",
  },
  {
    name: "Match user sees a User set earlier in the file",
    config: "Host h\n  User early\nMatch user early\n  Port 3600\n",
    host: "h",
  },
  { name: "CRLF line endings and tabs", config: "Host\th\r\n\tUser\tcrlf\r\n\tPort 3700\r\n", host: "h" },
  { name: "Port by service name", config: "Port ssh\n", host: "h" },
  { name: "quoted keyword and = without spaces in Match", config: '"User" quotedkw\nMatch host=h\n  Port 3800\n', host: "h" },
  { name: "empty Host pattern is an error", config: 'Host ""\n', host: "h", fails: true },
  { name: "bad AddKeysToAgent", config: "AddKeysToAgent sometimes\n", host: "h", fails: true },
  { name: "bad StrictHostKeyChecking", config: "StrictHostKeyChecking maybe\n", host: "h", fails: true },
  {
    name: "Include keeps the includer's Match state and reads files in order",
    files: { "~/.ssh/order-1.conf": "Match all\nUser one\n", "~/.ssh/order-2.conf": "User two\nPort 3900\n" },
    config: "Host nomatch\nInclude order-*.conf\nHost h\n  User includer\n",
    host: "h",
  },
  {
    name: "everything at once through Host *, with final pass",
    config:
      "Host prod-*\n  HostName %h.corp.example\n  User ops\n  IdentitiesOnly yes\n  IdentityFile ~/.ssh/prod\n" +
      "  ProxyJump bastion.corp.example:2222\nMatch final host *.corp.example\n  StrictHostKeyChecking yes\n  UserKnownHostsFile ~/.ssh/known_hosts.corp\n" +
      "Host *\n  ServerAliveInterval 60\n  ServerAliveCountMax 2\n  HashKnownHosts yes\n  SendEnv LANG\n  KexAlgorithms ^curve25519-sha256\n",
    host: "prod-web1",
  },
];

function caseDir(i: number): string {
  return join(root, `case-${i}`);
}

function writeCase(i: number, c: Case): string {
  const dir = caseDir(i);
  mkdirSync(dir, { recursive: true });
  const subst = (t: string): string => t.replaceAll("{dir}", dir).replaceAll("{home}", home);
  for (const [rel, text] of Object.entries(c.files ?? {})) {
    const path = rel.startsWith("~/") ? join(home, rel.slice(2)) : join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, subst(text), { mode: 0o644 });
  }
  if (c.config === "none") return "none";
  const cfg = join(dir, "config");
  writeFileSync(cfg, subst(c.config), { mode: 0o644 });
  return cfg;
}

/** ssh's ~ and %d are the passwd home; ours is the throwaway HOME (see the header). */
function mapHome(v: string): string {
  return v.split(pwHome + "/").join(home + "/");
}

function oneLine(list: string[]): string {
  return list.length === 0 ? "none" : list.join(" ");
}

function compare(g: Map<string, string[]>, r: ResolvedSshConfig): void {
  const one = (k: string): string | undefined => g.get(k)?.[0];
  const all = (k: string): string[] => g.get(k) ?? [];
  expect(r.user, "user").toBe(one("user"));
  expect(r.hostName, "hostname").toBe(one("hostname"));
  expect(r.port, "port").toBe(Number(one("port")));
  expect(r.unexpanded.identityFile, "identityfile").toEqual(all("identityfile"));
  expect(r.identitiesOnly ? "yes" : "no", "identitiesonly").toBe(one("identitiesonly"));
  expect(r.identityAgent, "identityagent").toBe(g.has("identityagent") ? mapHome(one("identityagent")!) : undefined);
  expect(r.unexpanded.certificateFile, "certificatefile").toEqual(all("certificatefile"));
  expect(oneLine(r.userKnownHostsFile), "userknownhostsfile").toBe(mapHome(one("userknownhostsfile")!));
  expect(oneLine(r.unexpanded.globalKnownHostsFile), "globalknownhostsfile").toBe(one("globalknownhostsfile"));
  const strict = { true: "yes", false: "no" }[one("stricthostkeychecking")!] ?? one("stricthostkeychecking");
  expect(r.strictHostKeyChecking, "stricthostkeychecking").toBe(strict);
  expect(r.hashKnownHosts ? "yes" : "no", "hashknownhosts").toBe(one("hashknownhosts"));
  expect(r.unexpanded.proxyJump, "proxyjump").toBe(one("proxyjump"));
  expect(r.unexpanded.proxyCommand, "proxycommand").toBe(one("proxycommand"));
  expect(r.connectTimeout === undefined ? "none" : String(r.connectTimeout), "connecttimeout").toBe(one("connecttimeout"));
  expect(String(r.serverAliveInterval), "serveraliveinterval").toBe(one("serveraliveinterval"));
  expect(String(r.serverAliveCountMax), "serveralivecountmax").toBe(one("serveralivecountmax"));
  const algorithms: Array<[string, string | undefined, string[]]> = [
    ["kexalgorithms", r.kexAlgorithms, supported.kex],
    ["ciphers", r.ciphers, supported.cipher],
    ["macs", r.macs, supported.mac],
    ["hostkeyalgorithms", r.hostKeyAlgorithms, supported.key],
    ["pubkeyacceptedalgorithms", r.pubkeyAcceptedAlgorithms, supported.key],
  ];
  for (const [k, value, sup] of algorithms) {
    expect(applyAlgorithmModifier(defaults[k]!, value ?? "", sup).join(","), k).toBe(one(k));
  }
  expect(r.sendEnv, "sendenv").toEqual(all("sendenv"));
  expect(r.setEnv.map(([k, v]) => `${k}=${v}`), "setenv").toEqual(all("setenv"));
  expect(`${r.rekeyLimit.bytes} ${r.rekeyLimit.seconds}`, "rekeylimit").toBe(one("rekeylimit"));
  expect(r.hostKeyAlias, "hostkeyalias").toBe(one("hostkeyalias"));
}

describe("resolveSshConfig against ssh -G (OpenSSH 9.2)", () => {
  it("has at least 30 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  cases.forEach((c, i) => {
    it(c.name, () => {
      const cfg = writeCase(i, c);
      const args = ["-G", "-F", cfg];
      if (c.user !== undefined) args.push("-l", c.user);
      if (c.port !== undefined) args.push("-p", String(c.port));
      args.push(c.host);
      const ssh = runSsh(args);
      const reader = nodeSshConfigReader({
        homeDir: home,
        localUser,
        localHostName: hostname(),
        env: (name) => sshEnv[name],
      });
      const resolve = (): ResolvedSshConfig =>
        resolveSshConfig(c.host, {
          ...(cfg === "none" ? { none: true } : { files: [cfg] }),
          ...(c.user !== undefined ? { user: c.user } : {}),
          ...(c.port !== undefined ? { port: c.port } : {}),
          reader,
          supportedAlgorithms: supported,
        });
      if (c.fails) {
        expect(ssh.status, `ssh should refuse this config; stdout:\n${ssh.stdout}`).not.toBe(0);
        expect(resolve).toThrow();
        return;
      }
      expect(ssh.status, `ssh -G failed: ${ssh.stderr}`).toBe(0);
      compare(parseG(ssh.stdout), resolve());
    });
  });
});

/**
 * ssh -G prints IdentityFile, CertificateFile and ProxyCommand before expanding them; `ssh -v`
 * shows what it really uses. A ProxyCommand that exits at once ends each run before any network
 * use, after ssh has logged "Executing proxy command: exec ..." and "identity file ... type".
 */
describe("expanded paths and ProxyCommand against ssh -v", () => {
  const expansionCases: Array<{ name: string; config: string; host: string; user?: string; port?: number }> = [
    {
      name: "every token in IdentityFile, CertificateFile and ProxyCommand",
      config:
        "Host pv\n  HostName PV.example\n  User ru\n  Port 2022\n" +
        "  IdentityFile ~/.ssh/id_%h_%r_%p_%n_%u_%l_%L_%i_%C_%k_%%\n  IdentityFile %d/keys/${AGENT_DIR}/k\n" +
        "  CertificateFile ~/c-%h-%r\n  ProxyCommand true %h %p %r %n %k\n",
      host: "pv",
    },
    {
      name: "default identity files, -l and -p in the tokens",
      config: "ProxyCommand true conn=%h:%p as %r for %n\n",
      host: "Other.Example",
      user: "lu",
      port: 2200,
    },
    {
      name: "IdentityFile none skipped, HostKeyAlias as %k, duplicate certificates",
      config:
        "HostKeyAlias KeyAlias\nIdentityFile none\nIdentityFile ~/.ssh/only-%k\nCertificateFile /certs/%n\nCertificateFile /certs/%n\n" +
        "ProxyCommand true %k %n\n",
      host: "aliased",
    },
  ];

  expansionCases.forEach((c, i) => {
    it(c.name, () => {
      const dir = join(root, `expand-${i}`);
      mkdirSync(dir, { recursive: true });
      const cfg = join(dir, "config");
      writeFileSync(cfg, c.config, { mode: 0o644 });
      const args = ["-v", "-F", cfg, "-o", "BatchMode=yes"];
      if (c.user !== undefined) args.push("-l", c.user);
      if (c.port !== undefined) args.push("-p", String(c.port));
      args.push(c.host, "true");
      const ssh = runSsh(args);
      const lines = ssh.stderr.split(/\r?\n/);
      const proxy = lines.map((l) => /^debug1: Executing proxy command: (.*)$/.exec(l)?.[1]).find((v) => v !== undefined);
      const identities = lines
        .map((l) => /^debug1: identity file (.*) type -?\d+$/.exec(l)?.[1])
        .filter((v): v is string => v !== undefined && !v.endsWith("-cert"))
        .map(mapHome);
      const certificates = lines
        .map((l) => /^debug1: certificate file (.*) type -?\d+$/.exec(l)?.[1])
        .filter((v): v is string => v !== undefined)
        .map(mapHome);
      expect(proxy, `no proxy command in ssh -v output:\n${ssh.stderr}`).toBeDefined();

      const r = resolveSshConfig(c.host, {
        files: [cfg],
        ...(c.user !== undefined ? { user: c.user } : {}),
        ...(c.port !== undefined ? { port: c.port } : {}),
        reader: nodeSshConfigReader({
          homeDir: home,
          localUser,
          localHostName: hostname(),
          env: (name) => sshEnv[name],
        }),
      });
      expect(`exec ${r.proxyCommand}`).toBe(proxy);
      expect(r.identityFile).toEqual(identities);
      expect(r.certificateFile).toEqual(certificates);
    });
  });
});
