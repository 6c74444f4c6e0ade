// Issue 19: sshFetch, HTTP/1.1 over direct-tcpip channels, driven by the MCP SDK's own HTTP client
// transports against an SDK HTTP server (fixtures/mcp/http-server.mjs) listening on 127.0.0.1
// behind a real sshd.
import type { ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import type { SSHClient } from "../src/entries/ssh.js";
import { ChannelOpenError } from "../src/ssh/errors.js";
import { sshFetch, SshFetchError } from "../src/mcp/index.js";
import { recordingClient, textOf, CLIENT_ANSWERS } from "../fixtures/mcp/fixture-client.js";
import { startHttpFixture } from "./helpers/http-fixture.js";
import { makeClientKey, startSshd, type TestServer } from "./helpers/servers.js";
import { connectTo } from "./helpers/connect.js";
import { startEchoServer } from "./helpers/reach.js";

const MiB = 1024 * 1024;


describe("sshFetch through sshd", () => {
  let server: TestServer;
  let client: SSHClient;
  let fixture: { port: number; child: ChildProcess };
  let base: string;
  beforeAll(async () => {
    const key = await makeClientKey();
    [server, fixture] = await Promise.all([startSshd({ authorizedKeys: [key.publicKeyLine] }), startHttpFixture()]);
    client = await connectTo(server, key);
    base = `http://127.0.0.1:${fixture.port}`;
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    fixture?.child.kill("SIGTERM");
  });

  it("plain HTTP: chunked responses, Content-Length and chunked request bodies, status codes", async () => {
    const f = sshFetch(client);
    const chunked = await f(`${base}/chunked?n=200`);
    expect(chunked.status).toBe(200);
    expect(chunked.headers.get("transfer-encoding")).toBe("chunked");
    expect(await chunked.text()).toBe(Array.from({ length: 200 }, (_, i) => `part ${i}\n`).join(""));

    const small = await f(`${base}/upload`, { method: "POST", body: "hello" });
    expect(await small.json()).toEqual({
      bytes: 5,
      sha256: createHash("sha256").update("hello").digest("hex"),
      transferEncoding: null,
      contentType: "text/plain;charset=UTF-8",
    });

    // 5 MiB from a ReadableStream: sent chunked, as it is produced.
    const data = randomBytes(5 * MiB);
    let offset = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (offset >= data.length) return c.close();
        c.enqueue(new Uint8Array(data.subarray(offset, offset + 100_000)));
        offset += 100_000;
      },
    });
    const big = await f(`${base}/upload`, { method: "POST", body, headers: { "content-type": "application/octet-stream" }, duplex: "half" } as RequestInit);
    expect(await big.json()).toEqual({
      bytes: data.length,
      sha256: createHash("sha256").update(data).digest("hex"),
      transferEncoding: "chunked",
      contentType: "application/octet-stream",
    });

    const missing = await f(`${base}/nothing-here`);
    expect(missing.status).toBe(404);
    expect(missing.url).toBe(`${base}/nothing-here`);
    expect(await missing.text()).toBe("not found");
  });

  it("a port nobody listens on: SshFetchError caused by the ChannelOpenError; https is refused", async () => {
    const closed = await startEchoServer();
    await closed.close();
    const error = await sshFetch(client)(`http://127.0.0.1:${closed.port}/`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SshFetchError);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).cause).toBeInstanceOf(ChannelOpenError);
    expect((error as Error).message).toMatch(/connect failed/);
    const https = await sshFetch(client)(`https://127.0.0.1:${fixture.port}/`).catch((e: unknown) => e);
    expect((https as Error).message).toMatch(/only http: URLs/);
  });

  it("AbortSignal: before the answer, and in the middle of an event stream", async () => {
    const f = sshFetch(client);
    const early = new AbortController();
    early.abort();
    await expect(f(`${base}/chunked`, { signal: early.signal })).rejects.toMatchObject({ name: "AbortError" });

    // The legacy SSE endpoint never ends on its own: the body is an open event stream.
    const late = new AbortController();
    const sse = await f(`${base}/sse`, { signal: late.signal, headers: { accept: "text/event-stream" } });
    expect(sse.headers.get("content-type")).toMatch(/text\/event-stream/);
    const reader = sse.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toMatch(/event: endpoint/);
    const pending = reader.read();
    late.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });

  it("the SDK's StreamableHTTPClientTransport: initialize, tools, progress, sampling, a 5 MiB result", async () => {
    const { client: mcp, requests } = recordingClient();
    const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { fetch: sshFetch(client) });
    await mcp.connect(transport);
    try {
      expect(mcp.getServerVersion()).toEqual({ name: "mcp-ssh-http-fixture", version: "1.0.0" });
      expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
      const names = (await mcp.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(["echo", "repeat", "progress", "sample"]));
      expect(textOf(await mcp.callTool({ name: "echo", arguments: { text: "héllo wörld" } }))).toBe("héllo wörld");

      const progress: number[] = [];
      const done = await mcp.callTool({ name: "progress", arguments: { steps: 5, delayMs: 20 } }, undefined, {
        onprogress: (p) => progress.push(p.progress),
      });
      expect(textOf(done)).toBe("done after 5 steps");
      expect(progress).toEqual([1, 2, 3, 4, 5]);

      // The server asks the client on the POST's open event stream and waits for the answer: this
      // only completes if the stream's events reach the client as they are sent.
      expect(textOf(await mcp.callTool({ name: "sample", arguments: { prompt: "what is 6*7?" } }))).toBe(`client said: ${CLIENT_ANSWERS.sampled}`);
      expect(requests).toContain("sampling/createMessage");

      const big = textOf(await mcp.callTool({ name: "repeat", arguments: { unit: "0123456789abcdef", count: (5 * MiB) / 16 } }));
      expect(big.length).toBe(5 * MiB);
      expect(createHash("sha256").update(big).digest("hex")).toBe(createHash("sha256").update("0123456789abcdef".repeat((5 * MiB) / 16)).digest("hex"));

      const seen = JSON.parse(textOf(await mcp.callTool({ name: "requests", arguments: {} }))) as Array<{ method: string; path: string; session: string | null; connection: string | null }>;
      const mcpRequests = seen.filter((r) => r.path === "/mcp");
      expect(mcpRequests.every((r) => r.connection === "close")).toBe(true);
      expect(mcpRequests.filter((r) => r.method === "POST" && r.session === transport.sessionId).length).toBeGreaterThan(5);
      // The standalone GET event stream for server notifications was opened too.
      expect(mcpRequests.some((r) => r.method === "GET" && r.session === transport.sessionId)).toBe(true);
      await transport.terminateSession();
    } finally {
      await mcp.close();
    }
  });

  it("a POST event stream cut mid-call: the SDK resumes it with Last-Event-ID through a new channel", async () => {
    // The tool call's POST goes through its own sshFetch, which keeps the channel for the test to cut.
    let callStream: { close(): Promise<void> } | undefined;
    const capturing = sshFetch({
      forwardOut: async (host: string, port: number) => (callStream = await client.forwardOut(host, port)),
    });
    const f = sshFetch(client);
    const tagging = ((url: string | URL | Request, init?: RequestInit) => {
      const isCall = init?.method === "POST" && typeof init.body === "string" && init.body.includes('"name":"progress"');
      return (isCall ? capturing : f)(url, init);
    }) as typeof fetch;
    const { client: mcp } = recordingClient();
    const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
      fetch: tagging,
      reconnectionOptions: { initialReconnectionDelay: 50, maxReconnectionDelay: 500, reconnectionDelayGrowFactor: 1.5, maxRetries: 5 },
    });
    const errors: string[] = [];
    await mcp.connect(transport);
    transport.onerror = (e) => errors.push(e.message);
    try {
      const progress: number[] = [];
      const result = await mcp.callTool({ name: "progress", arguments: { steps: 8, delayMs: 150 } }, undefined, {
        onprogress: (p) => {
          progress.push(p.progress);
          if (p.progress === 2) void callStream!.close();
        },
      });
      expect(textOf(result)).toBe("done after 8 steps");
      expect(progress[0]).toBe(1);
      expect(progress.at(-1)).toBe(8);
      expect(errors.some((m) => /SSE stream disconnected/.test(m))).toBe(true);
      const seen = JSON.parse(textOf(await mcp.callTool({ name: "requests", arguments: {} }))) as Array<{ method: string; path: string; lastEventId: string | null }>;
      expect(seen.some((r) => r.method === "GET" && r.path === "/mcp" && r.lastEventId !== null)).toBe(true);
    } finally {
      await mcp.close();
    }
  });

  it("the SDK's SSEClientTransport (legacy HTTP+SSE): initialize, tools, sampling, a 5 MiB result", async () => {
    const { client: mcp } = recordingClient();
    const transport = new SSEClientTransport(new URL(`${base}/sse`), { fetch: sshFetch(client) });
    await mcp.connect(transport);
    try {
      expect(mcp.getServerVersion()).toEqual({ name: "mcp-ssh-http-fixture", version: "1.0.0" });
      expect(textOf(await mcp.callTool({ name: "echo", arguments: { text: "over sse" } }))).toBe("over sse");
      expect(textOf(await mcp.callTool({ name: "sample", arguments: { prompt: "?" } }))).toBe(`client said: ${CLIENT_ANSWERS.sampled}`);
      const big = textOf(await mcp.callTool({ name: "repeat", arguments: { unit: "x", count: 5 * MiB } }));
      expect(big.length).toBe(5 * MiB);
    } finally {
      await mcp.close();
    }
  });

  it("every channel sshFetch opened was closed again (sshd freed each direct-tcpip channel)", async () => {
    const count = (re: RegExp) => server.log().split("\n").filter((l) => re.test(l)).length;
    const opened = count(/server_request_direct_tcpip: originator/);
    expect(opened).toBeGreaterThan(10);
    const deadline = Date.now() + 15_000;
    while (count(/channel \d+: free: direct-tcpip/) < opened && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(count(/channel \d+: free: direct-tcpip/)).toBe(opened);
  });
});
