// The `mcp-ssh` command's entry: --help, --version, usage errors, and the subcommand dispatch.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../fixtures/mcp/fixture-client.js";
import { buildCli, spawnCli } from "./cli-helpers.js";

let removeCli: (() => void) | undefined;
beforeAll(async () => {
  removeCli = await buildCli();
});
afterAll(() => removeCli?.());

describe("mcp-ssh entry", () => {
  it("--version prints package.json's version on stdout", async () => {
    const run = spawnCli(["--version"]);
    expect((await run.exited(10_000)).code).toBe(0);
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
    expect(run.stdout()).toBe(`mcp-ssh ${version}\n`);
  });

  it("--help lists every flag DESIGN.md names", async () => {
    const run = spawnCli(["--help"]);
    expect((await run.exited(10_000)).code).toBe(0);
    for (const flag of [
      "--host", "--port", "--username", "--client-key", "--known-hosts", "--disable-host-key-checking",
      "--use-key-server", "--key-server-port", "--passphrase", "--log-level", "--env", "--command",
      "--subsystem", "--key-server-url", "--key-server-token", "--key-server-ca", "--allow-http-key-server",
      "--init-timeout", "--agent", "keygen", "keyserver", "relay", "MCP_SSH_PASSPHRASE", "MCP_SSH_KEY_SERVER_TOKEN",
    ]) {
      expect(run.stdout(), flag).toContain(flag);
    }
  });

  it("a usage error exits 2 with one line on stderr and nothing on stdout", async () => {
    const run = spawnCli(["--port", "eighty"]);
    expect((await run.exited(10_000)).code).toBe(2);
    expect(run.stdout()).toBe("");
    expect(run.stderr().trim().split("\n")).toEqual([expect.stringContaining("--port must be a port number")]);
  });

  it("dispatches keyserver and relay to their own commands", async () => {
    const keyserver = spawnCli(["keyserver", "--help"]);
    expect((await keyserver.exited(10_000)).code).toBe(0);
    expect(keyserver.stdout() + keyserver.stderr()).toContain("usage: mcp-ssh keyserver");
    const relay = spawnCli(["relay", "--help"]);
    expect((await relay.exited(10_000)).code).toBe(0);
    expect(relay.stdout() + relay.stderr()).toMatch(/mcp-ssh relay/);
    const relayBad = spawnCli(["relay", "--bogus"]);
    expect((await relayBad.exited(10_000)).code).toBe(2);
  });
});
