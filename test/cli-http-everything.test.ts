// Issue 19, `mcp-ssh --http-url URL [--sse]` against the MCP reference server
// (@modelcontextprotocol/server-everything, its streamableHttp and sse transports) listening on
// 127.0.0.1 behind a real sshd, driven by two real clients on the host side:
//  (a) the SDK's Client on stdio: initialize, tools/list, echo, get-sum, progress notifications,
//      sampling, elicitation and roots requests from the server answered by the Client, a result
//      over 5 MiB (the gzip tool's inline blob, and resources/read of it; sha256 checked), and a
//      call's POST event stream cut mid-call between sshd and the server (stream-cutter.ts) and
//      resumed by the bridge with Last-Event-ID;
//  (b) MCP Inspector's CLI mode (the launcher's --cli) with our command as its stdio server:
//      tools/list and tools/call, its JSON output checked.
// The SDK Client tests also check the server's tool names, so a Client that did not declare
// sampling and elicitation (the last three of the list) would fail them.
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { CallToolResult, JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_ANSWERS, processGone, REPO_ROOT } from "../fixtures/mcp/fixture-client.js";
import type { SSHClient } from "../src/entries/ssh.js";
import { sshFetch } from "../src/mcp/index.js";
import { buildCli, CLI, mcpViaCli } from "./cli-helpers.js";
import { connectTo } from "./helpers/connect.js";
import { startEverything, type Everything } from "./helpers/everything.js";
import { makeClientKey, startSshd, waitForLog, type ClientKey, type TestServer } from "./helpers/servers.js";
import { startStreamCutter, type StreamCutter } from "./helpers/stream-cutter.js";

const MiB = 1024 * 1024;
const INSPECTOR = join(REPO_ROOT, "node_modules", "@modelcontextprotocol", "inspector", "clients", "launcher", "build", "index.js");
const LONG_RUNNING = "trigger-long-running-operation";

/** Incompressible bytes the gzip tool fetches: gzipped and base64-encoded, a result over 5 MiB. */
const FILE = randomBytes(4 * MiB);
const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");

/** Serve FILE on 127.0.0.1 (server-everything's gzip tool fetches a URL itself). */
async function serveFile(): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": FILE.length });
    res.end(FILE);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/file.bin`, server };
}

/** Until `check()` holds (bounded by `ms`). */
async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** All text items of a tool result, in order. */
function textsOf(result: unknown): string[] {
  return (result as CallToolResult).content.flatMap((c) => (c.type === "text" ? [c.text] : []));
}

describe("mcp-ssh --http-url to server-everything", () => {
  let server: TestServer;
  let http: Everything;
  let sse: Everything;
  let cutter: StreamCutter;
  let file: { url: string; server: Server };
  let key: ClientKey;
  let home: string;
  let removeCli: (() => void) | undefined;

  beforeAll(async () => {
    const built = buildCli();
    home = mkdtempSync(join(tmpdir(), "mcp-ssh-everything-home-"));
    mkdirSync(join(home, ".ssh"), { mode: 0o700 });
    key = await makeClientKey({ dir: join(home, ".ssh") });
    [server, http, sse] = await Promise.all([startSshd({ authorizedKeys: [key.publicKeyLine] }), startEverything("streamableHttp"), startEverything("sse")]);
    file = await serveFile();
    cutter = await startStreamCutter(http.port, `"name":"${LONG_RUNNING}"`, `"progress":2,`);
    writeFileSync(join(home, ".ssh", "known_hosts"), `${server.knownHostsLine}\n`);
    removeCli = await built;
  });

  afterAll(async () => {
    await cutter?.stop();
    file?.server.close();
    http?.stop();
    sse?.stop();
    await server?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
    removeCli?.();
  });

  const target = () => `${server.username}@127.0.0.1:${server.port}`;
  const bridge = (url: string, sseMode = false) => ["--http-url", url, ...(sseMode ? ["--sse"] : []), target()];

  async function viaCli(args: string[]) {
    const recording = await mcpViaCli(args, { PATH: process.env.PATH ?? "", HOME: home });
    const { transport } = recording;
    // Progress notifications as they arrive on stdout, before the SDK's Protocol sees them: it
    // hands notifications to handlers a microtask later but retires a request's progress handler
    // at once when the response comes, so a last progress notification that arrives in the same
    // read as the response never reaches onprogress (modelcontextprotocol/typescript-sdk#2580).
    const progress: number[] = [];
    const deliver = transport.onmessage!;
    transport.onmessage = (...args: Parameters<typeof deliver>) => {
      const message: JSONRPCMessage = args[0];
      if ("method" in message && message.method === "notifications/progress") progress.push((message.params as { progress: number }).progress);
      deliver(...args);
    };
    return { ...recording, progress };
  }

  async function exercise(args: string[]) {
    const { client, requests, transport, progress: arrived } = await viaCli(args);
    const pid = transport.pid!;
    try {
      expect(client.getServerVersion()?.name).toBe("mcp-servers/everything");
      const names = (await client.listTools()).tools.map((t) => t.name);
      // The last three are only offered to a client that declared sampling and elicitation.
      expect(names).toEqual(expect.arrayContaining(["echo", "get-sum", LONG_RUNNING, "trigger-sampling-request", "trigger-elicitation-request"]));

      expect(textsOf(await client.callTool({ name: "echo", arguments: { message: "héllo wörld \u2028" } }))).toEqual(["Echo: héllo wörld \u2028"]);
      expect(textsOf(await client.callTool({ name: "get-sum", arguments: { a: 19, b: 23 } }))).toEqual(["The sum of 19 and 23 is 42."]);

      const seen: Array<[number, number | undefined]> = [];
      const done = await client.callTool({ name: LONG_RUNNING, arguments: { duration: 0.5, steps: 5 } }, undefined, {
        onprogress: (p) => seen.push([p.progress, p.total]),
      });
      expect(textsOf(done)).toEqual(["Long running operation completed. Duration: 0.5 seconds, Steps: 5."]);
      expect(arrived).toEqual([1, 2, 3, 4, 5]);
      // What onprogress saw: in order, of 5, all but possibly the last (see viaCli).
      expect(seen.length).toBeGreaterThan(0);
      expect(seen).toEqual([1, 2, 3, 4, 5].slice(0, seen.length).map((i) => [i, 5]));

      // The server asks the host (sampling/createMessage, elicitation/create) in the middle of a
      // call; what our handlers answered comes back inside the tool's result.
      const sampled = textsOf(await client.callTool({ name: "trigger-sampling-request", arguments: { prompt: "6*7?" } })).join("\n");
      expect(sampled).toMatch(/^LLM sampling result:/);
      expect(sampled).toContain(`"text": "${CLIENT_ANSWERS.sampled}"`);
      expect(sampled).toContain(`"model": "test-model"`);
      const elicited = textsOf(await client.callTool({ name: "trigger-elicitation-request", arguments: {} })).join("\n");
      expect(elicited).toContain(`- Name: ${CLIENT_ANSWERS.elicited.name}`);
      expect(requests).toEqual(expect.arrayContaining(["sampling/createMessage", "elicitation/create"]));

      // Over 5 MiB back: the gzip tool fetches FILE (4 MiB of random bytes) from our HTTP server
      // and answers with the gzip file, base64, inline.
      const gz = (await client.callTool({ name: "gzip-file-as-resource", arguments: { name: "file.bin.gz", data: file.url, outputType: "resource" } })) as CallToolResult;
      const resource = gz.content[0];
      if (resource?.type !== "resource" || !("blob" in resource.resource)) throw new Error(`not an inline blob: ${JSON.stringify(gz).slice(0, 300)}`);
      expect(resource.resource.mimeType).toBe("application/gzip");
      expect(resource.resource.blob.length).toBeGreaterThan(5 * MiB);
      expect(sha256(gunzipSync(Buffer.from(resource.resource.blob, "base64")))).toBe(sha256(FILE));
      // The same file as a session resource, read with resources/read.
      const read = await client.readResource({ uri: resource.resource.uri });
      const again = read.contents[0];
      expect(again && "blob" in again && sha256(again.blob)).toBe(sha256(resource.resource.blob));
      // The server asked for the host's roots (roots/list) on its own after initialize.
      await until(() => requests.includes("roots/list"), 10_000, "the server's roots/list request");
    } finally {
      await client.close();
      expect(await processGone(pid, 10_000)).toBe(true);
    }
  }

  it("SDK Client, Streamable HTTP: initialize, tools, progress, sampling, elicitation, 5 MiB", async () => {
    const before = server.log().length;
    await exercise(bridge(`http://127.0.0.1:${http.port}/mcp`));
    await waitForLog({ log: () => server.log().slice(before) }, new RegExp(`server_request_direct_tcpip: .*target 127\\.0\\.0\\.1 port ${http.port}`));
  });

  it("SDK Client, --sse (legacy HTTP+SSE): initialize, tools, progress, sampling, elicitation, 5 MiB", async () => {
    await exercise(bridge(`http://127.0.0.1:${sse.port}/sse`, true));
    expect(sse.output()).toMatch(/Client Connected: /);
  });

  it("Streamable HTTP: the call's event stream cut mid-call is resumed with Last-Event-ID; every progress step and the result arrive", async () => {
    const { client, transport, requests, progress, stderr } = await viaCli(bridge(`http://127.0.0.1:${cutter.port}/mcp`));
    const pid = transport.pid!;
    try {
      // server-everything's event store replays the events of every stream after the given one:
      // let its own request after initialize (roots/list) be over first, so only the call's are.
      await until(() => requests.includes("roots/list"), 10_000, "the server's roots/list request");
      const done = await client.callTool({ name: LONG_RUNNING, arguments: { duration: 1.2, steps: 6 } }, undefined, { onprogress: () => {} });
      expect(cutter.cut()).toBe(true);
      expect(textsOf(done)).toEqual(["Long running operation completed. Duration: 1.2 seconds, Steps: 6."]);
      // 1 and 2 before the cut, 3 to 6 replayed from the server's event store, none twice.
      expect(progress).toEqual([1, 2, 3, 4, 5, 6]);
      expect(cutter.resumes()).toBe(1);
      expect(http.output()).toMatch(/Client reconnecting with Last-Event-ID: [0-9a-f-]{36}/);
      expect(stderr()).toMatch(/SSE stream disconnected/);
    } finally {
      await client.close();
      expect(await processGone(pid, 10_000)).toBe(true);
    }
  });

  it("a request over the server's 4 MiB body limit: sshFetch returns its 413 (not the failed write), and the host gets an error saying so", async () => {
    // The SDK's HTTP server answers 413 as soon as the body passes 4 MiB and closes the
    // connection without reading the rest: the answer must not be lost to the failed send.
    const message = "x".repeat(5 * MiB);
    const ssh: SSHClient = await connectTo(server, key);
    try {
      const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { message } } });
      // Which comes first, the answer or the failed write, is up to timing: a few tries.
      for (let attempt = 0; attempt < 6; attempt++) {
        const answer = await sshFetch(ssh)(`http://127.0.0.1:${http.port}/mcp`, {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
          body,
        });
        expect(answer.status).toBe(413);
        expect(((await answer.json()) as { error: { message: string } }).error.message).toMatch(/Payload Too Large/);
      }
      // Unlike a refused write, a failing body of the caller's own ends the request at once (the
      // server would wait for the rest): not a wait for an answer that cannot come.
      let sent = false;
      const failing = new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent) return c.error(new Error("the body source broke"));
          sent = true;
          c.enqueue(new TextEncoder().encode('{"jsonrpc":"2.0",'));
        },
      });
      const broken = await sshFetch(ssh, { headersTimeoutMs: 20_000 })(`http://127.0.0.1:${http.port}/mcp`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: failing,
        duplex: "half",
      } as RequestInit).then(
        () => new Error("the request succeeded"),
        (e: unknown) => e as Error,
      );
      expect(broken.message).toMatch(/sending the request failed: the body source broke/);
    } finally {
      await ssh.close();
    }
    const { client, transport } = await viaCli(bridge(`http://127.0.0.1:${http.port}/mcp`));
    const pid = transport.pid!;
    try {
      const error = await client.callTool({ name: "echo", arguments: { message } }).then(
        () => new Error("the call succeeded"),
        (e: unknown) => e as Error,
      );
      expect(error.message).toMatch(/Error POSTing to endpoint: .*Payload Too Large: Request body must not exceed 4194304 bytes/);
      // The session is still usable.
      expect(textsOf(await client.callTool({ name: "echo", arguments: { message: "still here" } }))).toEqual(["Echo: still here"]);
    } finally {
      await client.close();
      expect(await processGone(pid, 10_000)).toBe(true);
    }
  });

  /** MCP Inspector's CLI mode with `mcp-ssh --http-url ...` as its stdio server; its JSON output. */
  async function inspector(method: string[], args: string[]): Promise<unknown> {
    if (!existsSync(INSPECTOR)) throw new Error(`${INSPECTOR} is missing: install the devDependency @modelcontextprotocol/inspector (npm install)`);
    // A throwaway HOME: mcp-ssh finds its key and known_hosts there, and the Inspector keeps
    // its catalog (~/.mcp-inspector) there if it writes one.
    const child = spawn(process.execPath, [INSPECTOR, "--cli", ...method, "--", process.execPath, CLI, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: home },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`the Inspector did not finish within 50 s; stderr:\n${err}`));
      }, 50_000);
      child.once("close", (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    if (code !== 0) throw new Error(`the Inspector exited ${code}; stdout:\n${out}\nstderr:\n${err}`);
    return JSON.parse(out) as unknown;
  }

  const httpUrl = () => bridge(`http://127.0.0.1:${http.port}/mcp`);
  const sseUrl = () => bridge(`http://127.0.0.1:${sse.port}/sse`, true);
  const INSPECTOR_LIST = ["--method", "tools/list"];
  const expectEverythingTools = (listed: unknown) =>
    expect((listed as { tools: Array<{ name: string }> }).tools.map((t) => t.name)).toEqual(expect.arrayContaining(["echo", "get-sum", LONG_RUNNING, "get-tiny-image"]));

  // One Inspector run per test: each starts the Inspector, mcp-ssh and an SSH connection.
  it("MCP Inspector --cli, Streamable HTTP: tools/list", async () => {
    expectEverythingTools(await inspector(INSPECTOR_LIST, httpUrl()));
  });

  it("MCP Inspector --cli, Streamable HTTP: tools/call get-sum", async () => {
    const sum = await inspector(["--method", "tools/call", "--tool-name", "get-sum", "--tool-arg", "a=2", "b=40"], httpUrl());
    expect(sum).toEqual({ content: [{ type: "text", text: "The sum of 2 and 40 is 42." }] });
  });

  it("MCP Inspector --cli, Streamable HTTP: tools/call echo", async () => {
    const echo = await inspector(["--method", "tools/call", "--tool-name", "echo", "--tool-arg", "message=through the inspector"], httpUrl());
    expect(echo).toEqual({ content: [{ type: "text", text: "Echo: through the inspector" }] });
  });

  it("MCP Inspector --cli, --sse: tools/list", async () => {
    expectEverythingTools(await inspector(INSPECTOR_LIST, sseUrl()));
  });

  it("MCP Inspector --cli, --sse: tools/call get-sum", async () => {
    const sum = await inspector(["--method", "tools/call", "--tool-name", "get-sum", "--tool-arg", "a=-5", "b=0.5"], sseUrl());
    expect(sum).toEqual({ content: [{ type: "text", text: "The sum of -5 and 0.5 is -4.5." }] });
  });
});
