// `mcp-ssh serve` flags: defaults, repeatable flags, the command after --, and usage errors that say what to do.
import { describe, expect, it } from "vitest";
import { DEFAULT_AUTHORIZED_KEYS, DEFAULT_HOST_KEY, parseServeArgs, ServeUsageError } from "../src/cli/serve-args.js";
import { dropStartup, maxStartupsOf, startupRandom } from "../src/ssh/max-startups.js";
import { parseServerFlag, parseServersConfig, splitCommandLine } from "../src/mcp/server/servers-config.js";

describe("serve flags", () => {
  it("defaults as issue 18 lists them", () => {
    const s = parseServeArgs(["--", "node", "server.js"]);
    expect(s).toMatchObject({
      host: "0.0.0.0", port: 8022, hostKeys: [DEFAULT_HOST_KEY], defaultHostKey: true, authorizedKeys: DEFAULT_AUTHORIZED_KEYS,
      username: "mcp", command: ["node", "server.js"], maxStartups: { start: 10, rate: 30, full: 100 }, loginGraceTimeMs: 30_000, maxAuthTries: 6, maxSessions: 10, maxConnections: 100,
    });
    expect(s !== "help" && s.keyServer).toBeUndefined();
  });

  it("repeatable flags, key server, websocket, limits", () => {
    const s = parseServeArgs([
      "--host-key", "a", "--host-key", "b", "--server", "x=run x", "--server", "y=run y", "--accept-env", "LC_*", "--accept-env", "MCP_X",
      "--key-server-port", "8000", "--token-file", "/t", "--websocket-port", "8080", "--allow-origin", "https://app.example",
      "--max-startups", "300", "--login-grace-time", "5", "--", "srv", "--flag",
    ]);
    if (s === "help") throw new Error("help");
    expect(s.hostKeys).toEqual(["a", "b"]);
    expect(s.defaultHostKey).toBe(false);
    expect(s.servers).toEqual(["x=run x", "y=run y"]);
    expect(s.acceptEnv).toEqual(["LC_*", "MCP_X"]);
    expect(s.keyServer).toMatchObject({ port: 8000, tokenFile: "/t", openRegistration: false });
    expect(s.websocketPort).toBe(8080);
    expect(s.allowOrigins).toEqual(["https://app.example"]);
    expect(s.maxStartups).toEqual({ start: 300, rate: 100, full: 300 });
    const early = parseServeArgs(["--max-startups", "5:40:20", "--", "x"]);
    expect(early !== "help" && early.maxStartups).toEqual({ start: 5, rate: 40, full: 20 });
    expect(s.loginGraceTimeMs).toBe(5000);
    expect(s.command).toEqual(["srv", "--flag"]);
  });

  it("usage errors say what to do", () => {
    const bad: Array<[string[], RegExp]> = [
      [[], /no MCP server to run/],
      [["stray", "--", "x"], /put the MCP server command after --/],
      [["--key-server-port", "8000", "--", "x"], /exactly one of --token, --token-file and --open-registration/],
      [["--token", "t", "--", "x"], /add --key-server-port N/],
      [["--allow-origin", "https://a.example", "--", "x"], /add --websocket-port N/],
      [["--websocket-port", "1", "--allow-origin", "https://a.example/path", "--", "x"], /no path/],
      [["--port", "70000", "--", "x"], /--port must be a whole number from 0 to 65535/],
      [["--max-auth-tries", "0", "--", "x"], /--max-auth-tries must be a whole number from 1/],
      [["--bogus", "--", "x"], /Unknown option '--bogus'/],
      // sshd refuses the same: start past full, a rate over 100, anything but N or S:R:F.
      [["--max-startups", "20:30:10", "--", "x"], /--max-startups must be N or start:rate:full with 0 < start <= full/],
      [["--max-startups", "10:101:100", "--", "x"], /1 <= rate <= 100/],
      [["--max-startups", "10:30", "--", "x"], /--max-startups must be N or start:rate:full \(e\.g\. 10:30:100\)/],
    ];
    for (const [argv, message] of bad) expect(() => parseServeArgs(argv), argv.join(" ")).toThrow(message);
    expect(() => parseServeArgs([])).toThrow(ServeUsageError);
  });
});

describe("max-startups, as sshd_config(5) defines MaxStartups", () => {
  it("random early drop: rate% at start, rising linearly to all at full", () => {
    const m = { start: 10, rate: 30, full: 100 };
    expect(dropStartup(m, 9, 0)).toBe(false); // below start: never
    expect(dropStartup(m, 10, 0.29)).toBe(true); // at start: 30%
    expect(dropStartup(m, 10, 0.3)).toBe(false);
    expect(dropStartup(m, 55, 0.64)).toBe(true); // halfway: 30 + 70 * 45/90 = 65%
    expect(dropStartup(m, 55, 0.66)).toBe(false);
    expect(dropStartup(m, 100, 0.999)).toBe(true); // at full: always
    // The single-number form is a hard limit (N:100:N).
    expect(maxStartupsOf(10)).toEqual({ start: 10, rate: 100, full: 10 });
    expect(dropStartup(maxStartupsOf(10), 9, 0.999)).toBe(false);
    expect(dropStartup(maxStartupsOf(10), 10, 0.999)).toBe(true);
    expect(startupRandom()).toBeGreaterThanOrEqual(0);
    expect(startupRandom()).toBeLessThan(1);
  });
});

describe("MCP server definitions", () => {
  it("command lines split like a shell's words, without expansion", () => {
    expect(splitCommandLine(`node "my server.js" --name 'a b' x\\ y $HOME`)).toEqual(["node", "my server.js", "--name", "a b", "x y", "$HOME"]);
    expect(() => splitCommandLine(`node "open`)).toThrow(/unterminated/);
    expect(parseServerFlag("files=npx -y server /srv")).toEqual(["files", { command: "npx", args: ["-y", "server", "/srv"], env: {} }]);
    expect(() => parseServerFlag("=x")).toThrow(/NAME=COMMAND/);
    expect(() => parseServerFlag("a b=x")).toThrow(/may hold only/);
  });

  it("the mcpServers file: default is the entry named default, else the first; bad entries say where", () => {
    const first = parseServersConfig(JSON.stringify({ mcpServers: { one: { command: "a" }, two: { command: "b", args: ["c"], env: { K: "v" } } } }));
    expect(first.default).toEqual({ command: "a", args: [], env: {}, cwd: undefined });
    expect(first.named.get("two")).toEqual({ command: "b", args: ["c"], env: { K: "v" }, cwd: undefined });
    const named = parseServersConfig(JSON.stringify({ mcpServers: { one: { command: "a" }, default: { command: "d" } } }));
    expect(named.default?.command).toBe("d");
    expect(() => parseServersConfig("{", "f.json")).toThrow(/f\.json is not valid JSON/);
    expect(() => parseServersConfig(JSON.stringify({ mcpServers: { x: { args: [] } } }), "f.json")).toThrow(/f\.json: mcpServers\.x\.command must be a non-empty string/);
    expect(() => parseServersConfig(JSON.stringify({ servers: {} }))).toThrow(/must be \{"mcpServers"/);
  });
});
