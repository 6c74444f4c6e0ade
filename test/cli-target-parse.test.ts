// The positional target and its flags (issue 19): parsing only; cli-target.test.ts runs them.
import { describe, expect, it } from "vitest";
import { parseProxyArgs, UsageError, type ProxySettings } from "../src/cli/args.js";
import { parseTarget, TargetSyntaxError } from "../src/cli/target.js";

function settings(argv: string[]): ProxySettings {
  const parsed = parseProxyArgs(argv, {});
  if (parsed.action !== "proxy") throw new Error(parsed.action);
  return parsed.settings;
}

describe("parseTarget", () => {
  it.each([
    ["gpu-box", { host: "gpu-box" }],
    ["ada@gpu-box", { host: "gpu-box", user: "ada" }],
    ["ada@gpu-box:2222", { host: "gpu-box", user: "ada", port: 2222 }],
    ["ssh://ada@gpu-box:2222", { host: "gpu-box", user: "ada", port: 2222 }],
    ["ssh://gpu-box/", { host: "gpu-box" }],
    ["[::1]:2222", { host: "::1", port: 2222 }],
    ["ada@[fe80::1]", { host: "fe80::1", user: "ada" }],
    ["::1", { host: "::1" }],
    ["a@b@host", { host: "host", user: "a@b" }],
  ])("%s", (text, want) => {
    expect(parseTarget(text)).toEqual(want);
  });

  it.each(["", "@host", "host:0", "host:65536", "host:x", "[::1", "[::1]x", "ssh://host/path", "-oProxyCommand=x", "user@"])("refuses %j", (text) => {
    expect(() => parseTarget(text)).toThrow(TargetSyntaxError);
  });
});

describe("the two target forms in the proxy's arguments", () => {
  it("positional: ssh's meaning, nothing filled in that ssh_config could set", () => {
    const s = settings(["gpu-box"]);
    expect(s.target).toEqual({ host: "gpu-box" });
    expect(s.host).toBe("gpu-box");
    expect(s.port).toBeUndefined();
    expect(s.username).toBeUndefined();
    expect(s.knownHosts).toBeUndefined();
  });

  it("positional with flags that complete it", () => {
    const s = settings(["-p", "2200", "--username", "ada", "-F", "none", "--jump", "b1", "--jump", "me@b2:22", "gpu-box"]);
    expect(s).toMatchObject({ host: "gpu-box", port: 2200, username: "ada", sshConfig: "none", jump: ["b1", "me@b2:22"] });
  });

  it("--host: the reference defaults; with -F, port, user and known_hosts are left to the file", () => {
    expect(settings(["--host", "h"])).toMatchObject({ host: "h", port: 8022, username: "mcp", knownHosts: "~/.ssh/known_hosts" });
    expect(settings(["--host", "h"]).target).toBeUndefined();
    const f = settings(["--host", "h", "-F", "/cfg"]);
    expect(f.port).toBeUndefined();
    expect(f.username).toBeUndefined();
    expect(f.knownHosts).toBeUndefined();
    expect(settings(["--host", "h", "-F", "none"])).toMatchObject({ port: 8022, username: "mcp" });
  });

  it("--http-url and --sse", () => {
    expect(settings(["--http-url", "http://127.0.0.1:3000/mcp", "box"])).toMatchObject({ httpUrl: "http://127.0.0.1:3000/mcp" });
    expect(settings(["--http-url", "http://127.0.0.1:3000/sse", "--sse", "box"]).sse).toBe(true);
  });

  it.each([
    [["a", "b"], /one target only/],
    [["box", "--host", "other"], /different hosts/],
    [["box:22", "-p", "23"], /different ports/],
    [["ada@box", "--username", "bob"], /different users/],
    [["box", "--sse"], /--sse goes with --http-url/],
    [["box", "--http-url", "https://x/mcp"], /http:\/\//],
    [["box", "--http-url", "not a url"], /takes a URL/],
    [["box", "--http-url", "http://x/mcp", "--command", "c"], /cannot go with/],
    [["box", "--jump", "h:0"], /--jump/],
    [["box", "-F", ""], /--ssh-config/],
  ])("refuses %j", (argv, message) => {
    expect(() => parseProxyArgs(argv as string[], {})).toThrow(UsageError);
    expect(() => parseProxyArgs(argv as string[], {})).toThrow(message as RegExp);
  });

  it("agreeing flags are fine", () => {
    expect(settings(["ada@box:22", "--host", "box", "-p", "22", "--username", "ada"])).toMatchObject({ host: "box", port: 22, username: "ada" });
  });
});
