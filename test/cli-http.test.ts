// Issue 19, `mcp-ssh --http-url URL [--sse]`: the SDK's Client on stdio, through the CLI and one SSH
// connection (direct-tcpip channels), to the SDK's Streamable HTTP and HTTP+SSE servers
// (fixtures/mcp/http-server.mjs) listening on 127.0.0.1 behind a real sshd: initialize, tools,
// progress notifications, a server-to-client sampling request, a 5 MiB result, and the DELETE that
// ends the session when the host closes.
import type { ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_ANSWERS, processGone, textOf } from "../fixtures/mcp/fixture-client.js";
import { buildCli, mcpViaCli, spawnCli } from "./cli-helpers.js";
import { startHttpFixture } from "./helpers/http-fixture.js";
import { makeClientKey, startSshd, waitForLog, type TestServer } from "./helpers/servers.js";

const MiB = 1024 * 1024;

let server: TestServer;
let fixture: { port: number; child: ChildProcess };
let home: string;
let removeCli: (() => void) | undefined;

const env = () => ({ PATH: process.env.PATH ?? "", HOME: home });
const viaCli = (args: string[]) => mcpViaCli(args, env());

beforeAll(async () => {
  const built = buildCli();
  home = mkdtempSync(join(tmpdir(), "mcp-ssh-http-home-"));
  mkdirSync(join(home, ".ssh"), { mode: 0o700 });
  const key = await makeClientKey({ dir: join(home, ".ssh") });
  [server, fixture] = await Promise.all([startSshd({ authorizedKeys: [key.publicKeyLine] }), startHttpFixture()]);
  writeFileSync(join(home, ".ssh", "known_hosts"), `${server.knownHostsLine}\n`);
  removeCli = await built;
});

afterAll(async () => {
  await server?.stop();
  fixture?.child.kill("SIGTERM");
  if (home) rmSync(home, { recursive: true, force: true });
  removeCli?.();
});

const target = () => `${server.username}@127.0.0.1:${server.port}`;

type Seen = Array<{ method: string; path: string; session: string | null }>;

/** What the fixture saw, asked through a fresh bridge (the fixture's `requests` tool). */
async function seenByFixture(path: string, sse = false): Promise<Seen> {
  const { client } = await viaCli(["--http-url", `http://127.0.0.1:${fixture.port}${path}`, ...(sse ? ["--sse"] : []), target()]);
  try {
    return JSON.parse(textOf(await client.callTool({ name: "requests", arguments: {} }))) as Seen;
  } finally {
    await client.close();
  }
}

async function exercise(args: string[], opts: { progress: boolean }) {
  const recording = await viaCli(args);
  const { client, requests } = recording;
  const pid = recording.transport.pid!;
  try {
    expect(client.getServerVersion()).toEqual({ name: "mcp-ssh-http-fixture", version: "1.0.0" });
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(expect.arrayContaining(["echo", "repeat", "progress", "sample", "requests"]));
    expect(textOf(await client.callTool({ name: "echo", arguments: { text: "héllo wörld \u2028" } }))).toBe("héllo wörld \u2028");
    if (opts.progress) {
      const progress: number[] = [];
      const done = await client.callTool({ name: "progress", arguments: { steps: 5, delayMs: 20 } }, undefined, {
        onprogress: (p) => progress.push(p.progress),
      });
      expect(textOf(done)).toBe("done after 5 steps");
      expect(progress).toEqual([1, 2, 3, 4, 5]);
    }
    // The server asks the host (sampling/createMessage) in the middle of a call and waits for the answer.
    expect(textOf(await client.callTool({ name: "sample", arguments: { prompt: "6*7?" } }))).toBe(`client said: ${CLIENT_ANSWERS.sampled}`);
    expect(requests).toContain("sampling/createMessage");
    const unit = "0123456789abcdef";
    const big = textOf(await client.callTool({ name: "repeat", arguments: { unit, count: (5 * MiB) / unit.length } }));
    expect(big.length).toBe(5 * MiB);
    expect(createHash("sha256").update(big).digest("hex")).toBe(createHash("sha256").update(unit.repeat((5 * MiB) / unit.length)).digest("hex"));
    expect(recording.stderr()).toMatch(/bridging MCP between stdio and http:\/\/127\.0\.0\.1/);
    return { recording, pid, seen: JSON.parse(textOf(await client.callTool({ name: "requests", arguments: {} }))) as Seen };
  } finally {
    await client.close();
    expect(await processGone(pid, 10_000)).toBe(true);
  }
}

describe("mcp-ssh --http-url", () => {
  it("Streamable HTTP: initialize, tools, progress, sampling, 5 MiB; the session ends with DELETE", async () => {
    const before = server.log().length;
    const { seen } = await exercise(["--http-url", `http://127.0.0.1:${fixture.port}/mcp`, target()], { progress: true });
    const mine = seen.filter((r) => r.path === "/mcp" && r.session !== null);
    const session = mine[0]!.session!;
    expect(mine.filter((r) => r.method === "POST" && r.session === session).length).toBeGreaterThan(4);
    // The standalone GET event stream was opened after notifications/initialized.
    expect(mine.some((r) => r.method === "GET" && r.session === session)).toBe(true);
    // The requests went through sshd's direct-tcpip forwarding.
    await waitForLog({ log: () => server.log().slice(before) }, new RegExp(`server_request_direct_tcpip: .*target 127\\.0\\.0\\.1 port ${fixture.port}`));
    const after = await seenByFixture("/mcp");
    expect(after.some((r) => r.method === "DELETE" && r.path === "/mcp" && r.session === session)).toBe(true);
  });

  it("--sse (legacy HTTP+SSE): initialize, tools, sampling, 5 MiB", async () => {
    const { seen } = await exercise(["--http-url", `http://127.0.0.1:${fixture.port}/sse`, "--sse", target()], { progress: true });
    expect(seen.some((r) => r.method === "GET" && r.path === "/sse")).toBe(true);
    expect(seen.some((r) => r.method === "POST" && r.path === "/messages")).toBe(true);
  });

  it("a host that writes initialize and closes stdin at once still gets the answer, then exits 0", async () => {
    const run = spawnCli(["--http-url", `http://127.0.0.1:${fixture.port}/mcp`, target()], env());
    run.child.stdin.end('{"jsonrpc":"2.0","id":"eof","method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}\n');
    expect((await run.exited(30_000)).code).toBe(0);
    const answer = JSON.parse(run.stdout().split("\n")[0]!) as { id: string; result: { serverInfo: { name: string } } };
    expect(answer.id).toBe("eof");
    expect(answer.result.serverInfo.name).toBe("mcp-ssh-http-fixture");
  });

  it("a URL nobody listens on: the host's request gets an error answer, not silence", async () => {
    const run = spawnCli(["--http-url", "http://127.0.0.1:1/mcp", target()], env());
    run.child.stdin.write('{"jsonrpc":"2.0","id":7,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}\n');
    const answer = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer; stderr:\n${run.stderr()}`)), 30_000);
      run.child.stdout.on("data", () => {
        if (run.stdout().includes("\n")) {
          clearTimeout(timer);
          resolve(run.stdout().split("\n")[0]!);
        }
      });
    });
    const message = JSON.parse(answer) as { id: number; error: { code: number; message: string } };
    expect(message.id).toBe(7);
    expect(message.error.message).toMatch(/127\.0\.0\.1:1\/mcp/);
    run.child.stdin.end();
    expect((await run.exited(20_000)).code).toBe(0);
  });
});
