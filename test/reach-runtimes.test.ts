// Issue 19 on Bun and Deno: ProxyJump and sshFetch (with the MCP SDK's Streamable HTTP client)
// run unchanged, through each runtime's own TCP adapter (test/runtimes/reach-check.ts).
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeClientKey, startSshd, type ClientKey, type TestServer } from "./helpers/servers.js";
import { parseResult, runScript, type ForeignRuntime } from "./runtimes/run-runtime.js";

const SCRIPT = "test/runtimes/reach-check.ts";

let sshd: TestServer;
let key: ClientKey;
let fixture: ChildProcess;
let httpPort: number;

beforeAll(async () => {
  key = await makeClientKey();
  sshd = await startSshd({ authorizedKeys: [key.publicKeyLine] });
  fixture = spawn(process.execPath, [join(import.meta.dirname, "..", "fixtures", "mcp", "http-server.mjs")], { stdio: ["ignore", "pipe", "inherit"] });
  httpPort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the HTTP fixture did not start within 20 s")), 20_000);
    createInterface({ input: fixture.stdout! }).once("line", (line) => {
      clearTimeout(timer);
      const m = /^listening (\d+)$/.exec(line);
      if (m) resolve(Number(m[1]));
      else reject(new Error(`unexpected fixture output: ${line}`));
    });
  });
});

afterAll(async () => {
  fixture?.kill("SIGTERM");
  await sshd?.stop();
});

describe.each<ForeignRuntime>(["bun", "deno"])("on %s", (runtime) => {
  it("connects through a jump host and makes MCP calls over sshFetch", { timeout: 180_000 }, async () => {
    const config = {
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      privateKeyPath: key.path,
      hostKeyFingerprint: sshd.hostKeyFingerprint,
      httpUrl: `http://127.0.0.1:${httpPort}/mcp`,
    };
    const run = await runScript(runtime, SCRIPT, [JSON.stringify(config)], 150_000);
    const result = parseResult<{ runtime: string; hops: number; echo: string; bigLength: number }>(run, `${runtime} ${SCRIPT}`);
    expect(result).toEqual({ runtime, hops: 1, echo: `hello from ${runtime}`, bigLength: 1024 * 1024 });
  });
});
