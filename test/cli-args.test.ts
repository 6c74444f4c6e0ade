import { describe, expect, it } from "vitest";
import { parseProxyArgs, UsageError, type ProxySettings } from "../src/cli/args.js";

function settings(argv: string[], env: Record<string, string> = {}): ProxySettings {
  const parsed = parseProxyArgs(argv, env);
  if (parsed.action !== "proxy") throw new Error(`expected the proxy action, got ${parsed.action}`);
  return parsed.settings;
}

describe("mcp-ssh proxy arguments", () => {
  it("has the reference client's defaults", () => {
    expect(settings([])).toEqual({
      host: "localhost",
      port: 8022,
      username: "mcp",
      clientKeys: [],
      agent: false,
      knownHosts: "~/.ssh/known_hosts",
      passphrase: undefined,
      disableHostKeyChecking: false,
      useKeyServer: false,
      keyServerPort: 8000,
      keyServerUrl: undefined,
      keyServerToken: undefined,
      keyServerCa: undefined,
      allowHttpKeyServer: false,
      env: {},
      command: undefined,
      subsystem: undefined,
      initTimeoutMs: 20_000,
      logLevel: "info",
    });
  });

  it("reads every flag", () => {
    const s = settings([
      "--host", "mcp.example.org", "--port", "2222", "--username", "ada",
      "--client-key", "/k/one", "--client-key", "/k/two", "--agent", "--known-hosts", "/kh",
      "--passphrase", "pp", "--disable-host-key-checking", "--use-key-server", "--key-server-port", "8443",
      "--key-server-url", "https://keys.example.org", "--key-server-token", "tok", "--key-server-ca", "/ca.pem",
      "--allow-http-key-server", "--env", "A=1", "--env", "B=x=y", "--env", "EMPTY=", "--subsystem", "mcp",
      "--log-level", "WARNING", "--init-timeout", "2.5",
    ]);
    expect(s).toEqual({
      host: "mcp.example.org",
      port: 2222,
      username: "ada",
      clientKeys: ["/k/one", "/k/two"],
      agent: true,
      knownHosts: "/kh",
      passphrase: "pp",
      disableHostKeyChecking: true,
      useKeyServer: true,
      keyServerPort: 8443,
      keyServerUrl: "https://keys.example.org",
      keyServerToken: "tok",
      keyServerCa: "/ca.pem",
      allowHttpKeyServer: true,
      env: { A: "1", B: "x=y", EMPTY: "" },
      command: undefined,
      subsystem: "mcp",
      initTimeoutMs: 2500,
      logLevel: "warn",
    });
  });

  it("reads --init-timeout in seconds (0 = no limit) and refuses anything else", () => {
    expect(settings(["--init-timeout", "0"]).initTimeoutMs).toBe(0);
    expect(settings(["--init-timeout", "45"]).initTimeoutMs).toBe(45_000);
    for (const bad of ["-1", "soon", "", "1e3", "100000"]) {
      expect(() => settings(["--init-timeout", bad])).toThrow(UsageError);
    }
  });

  it("takes secrets from the environment, the command line winning", () => {
    const env = { MCP_SSH_PASSPHRASE: "from-env", MCP_SSH_KEY_SERVER_TOKEN: "token-env" };
    expect(settings([], env)).toMatchObject({ passphrase: "from-env", keyServerToken: "token-env" });
    expect(settings(["--passphrase", "cli", "--key-server-token", "t"], env)).toMatchObject({ passphrase: "cli", keyServerToken: "t" });
    expect(settings([], { MCP_SSH_KEY_SERVER_TOKEN: "" }).keyServerToken).toBeUndefined();
  });

  it("takes the password from MCP_SSH_PASSWORD only: empty is unset, and there is no flag", () => {
    expect(settings([], { MCP_SSH_PASSWORD: "s3cret" }).password).toBe("s3cret");
    expect(settings([], { MCP_SSH_PASSWORD: "" })).not.toHaveProperty("password");
    expect(settings([])).not.toHaveProperty("password");
    expect(() => parseProxyArgs(["--password", "s3cret"])).toThrow(UsageError);
  });

  it("answers --help and --version", () => {
    expect(parseProxyArgs(["--help"])).toEqual({ action: "help" });
    expect(parseProxyArgs(["-h"])).toEqual({ action: "help" });
    expect(parseProxyArgs(["--version"])).toEqual({ action: "version" });
    expect(parseProxyArgs(["-V"])).toEqual({ action: "version" });
  });

  it.each([
    [["--port", "0"], /--port must be a port number/],
    [["--port", "65536"], /--port must be a port number/],
    [["--port", "22x"], /--port must be a port number/],
    [["--key-server-port", "-1"], /--key-server-port/],
    [["--env", "NOEQUALS"], /--env takes KEY=VALUE/],
    [["--env", "1BAD=x"], /--env takes KEY=VALUE/],
    [["--log-level", "loud"], /--log-level must be one of/],
    [["--log-level", "constructor"], /--log-level must be one of/],
    [["--log-level", "__proto__"], /--log-level must be one of/],
    [["--command", "x", "--subsystem", "mcp"], /cannot be used together/],
    [["--host", ""], /--host must not be empty/],
    [["--frobnicate"], /frobnicate/],
    // One positional is the target ([user@]host[:port], issue 19); a second is an error.
    [["stray", "second"], /one target only/],
    [["gpu-box", "--host", "other"], /different hosts/],
  ])("rejects %j", (argv, message) => {
    expect(() => parseProxyArgs(argv)).toThrow(UsageError);
    expect(() => parseProxyArgs(argv)).toThrow(message);
  });
});
