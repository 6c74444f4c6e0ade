// Issue 19: sshFetch's HTTP/1.1 codec against a raw TCP server behind sshd that answers each path
// with fixed bytes: the framings RFC 9112 allows, and answers that break it or our limits.
import { createServer, type Server, type Socket } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SSHClient } from "../src/entries/ssh.js";
import { HttpParseError, SshFetchError, sshFetch } from "../src/mcp/index.js";
import { makeClientKey, startSshd, type TestServer } from "./helpers/servers.js";
import { connectTo } from "./helpers/connect.js";
import { signalTree } from "./helpers/process-tree.js";

const enc = (s: string) => Buffer.from(s, "latin1");

/** What the raw server sends for a path; "head" sends back the request head it received. */
const ANSWERS: Record<string, Buffer | "head" | "never" | { hang: Buffer }> = {
  "/hang": { hang: enc("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nstart\n\r\n") },
  "/lf-only": enc("HTTP/1.1 200 OK\nContent-Length: 5\nX-A: b\n\nhello"),
  "/continue": enc("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"),
  "/no-content": enc("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"),
  "/head": enc("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"),
  "/chunked-ext": enc("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n"),
  "/until-close": enc("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it, until the end"),
  "/same-lengths": enc("HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc"),
  "/differing-lengths": enc("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"),
  "/truncated": enc("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b"),
  "/truncated-chunk": enc("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\nonly"),
  "/bad-chunk": enc("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
  "/gzip-te": enc("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
  "/not-http": enc("SSH-2.0-OpenSSH_9.2\r\n"),
  "/folded": enc("HTTP/1.1 200 OK\r\nX-A: one\r\n two\r\nContent-Length: 0\r\n\r\n"),
  "/space-before-colon": enc("HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n"),
  "/huge-head": Buffer.concat([enc("HTTP/1.1 200 OK\r\n"), enc(`X-Big: ${"a".repeat(70 * 1024)}\r\n`), enc("Content-Length: 0\r\n\r\n")]),
  "/gzip": Buffer.concat([enc("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: "), enc(String(gzipSync("squeezed text").length)), enc("\r\n\r\n"), gzipSync("squeezed text")]),
  "/redirect": enc("HTTP/1.1 307 Temporary Redirect\r\nLocation: /lf-only\r\nContent-Length: 0\r\n\r\n"),
  "/echo-head": "head",
  "/never": "never",
};

function startRawServer(): Promise<{ port: number; server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let head = "";
    const onData = (chunk: Buffer) => {
      head += chunk.toString("latin1");
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.off("data", onData);
      const path = head.split(" ")[1] ?? "";
      (socket as Socket & { path?: string }).path = path;
      const answer = ANSWERS[path.split("?")[0]!];
      if (answer === "never") return;
      if (typeof answer === "object" && "hang" in answer) {
        socket.write(answer.hang);
        return;
      }
      if (answer === "head") {
        const text = head.slice(0, end + 4);
        socket.end(`HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(text, "latin1")}\r\n\r\n${text}`);
        return;
      }
      socket.end(answer ?? enc("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"));
    };
    socket.on("data", onData);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ port: (server.address() as { port: number }).port, server, sockets })));
}

describe("sshFetch's HTTP/1.1 codec", () => {
  let sshd: TestServer;
  let client: SSHClient;
  let raw: Awaited<ReturnType<typeof startRawServer>>;
  let base: string;
  beforeAll(async () => {
    const key = await makeClientKey();
    [sshd, raw] = await Promise.all([startSshd({ authorizedKeys: [key.publicKeyLine] }), startRawServer()]);
    client = await connectTo(sshd, key);
    base = `http://127.0.0.1:${raw.port}`;
  });
  afterAll(async () => {
    await client?.close();
    await sshd?.stop();
    for (const s of raw?.sockets ?? []) s.destroy();
    raw?.server.close();
  });

  const failure = async (path: string, init?: RequestInit, options?: Parameters<typeof sshFetch>[1]) => {
    try {
      const r = await sshFetch(client, options)(`${base}${path}`, init);
      await r.text();
      return new Error("no error");
    } catch (e) {
      return e as Error;
    }
  };

  it("accepted framings: bare LF, interim 1xx, 204, HEAD, chunk extensions and trailers, end of connection, repeated equal lengths, gzip", async () => {
    const f = sshFetch(client);
    const lf = await f(`${base}/lf-only`);
    expect([lf.status, lf.headers.get("x-a"), await lf.text()]).toEqual([200, "b", "hello"]);
    const created = await f(`${base}/continue`);
    expect([created.status, await created.text()]).toEqual([201, "ok"]);
    const none = await f(`${base}/no-content`);
    expect([none.status, none.body]).toEqual([204, null]);
    const head = await f(`${base}/head`, { method: "HEAD" });
    expect([head.status, head.headers.get("content-length"), head.body]).toEqual([200, "10", null]);
    expect(await (await f(`${base}/chunked-ext`)).text()).toBe("hello world");
    expect(await (await f(`${base}/until-close`)).text()).toBe("all of it, until the end");
    expect(await (await f(`${base}/same-lengths`)).text()).toBe("abc");
    expect(await (await f(`${base}/gzip`)).text()).toBe("squeezed text");
    const redirect = await f(`${base}/redirect`);
    expect([redirect.status, redirect.headers.get("location")]).toEqual([307, "/lf-only"]);
    expect((await failure("/redirect", { redirect: "error" })).message).toMatch(/redirected \(307\)/);
  });

  it("what the request looks like on the wire", async () => {
    const got = await (await sshFetch(client)(`${base}/echo-head?q=1`, { method: "POST", headers: { "X-Custom": "v", Connection: "keep-alive" } })).text();
    const lines = got.split("\r\n");
    expect(lines[0]).toBe("POST /echo-head?q=1 HTTP/1.1");
    expect(lines).toContain(`Host: 127.0.0.1:${raw.port}`);
    expect(lines).toContain("x-custom: v");
    expect(lines).toContain("Connection: close");
    expect(lines).not.toContain("connection: keep-alive");
    expect(lines).toContain("Content-Length: 0");
    expect(lines).toContain("Accept-Encoding: identity");
  });

  it("refused answers are HttpParseErrors (a TypeError, as fetch's network errors) that say what was wrong", async () => {
    const cases: Array<[string, RegExp]> = [
      ["/differing-lengths", /invalid Content-Length/],
      ["/truncated", /ended in the middle of the response body/],
      ["/truncated-chunk", /ended in the middle of the response body/],
      ["/bad-chunk", /malformed chunk size/],
      ["/gzip-te", /only chunked is supported/],
      ["/not-http", /did not answer with HTTP\/1\.x/],
      ["/folded", /folded header/],
      ["/space-before-colon", /malformed header line/],
      ["/huge-head", /response head is longer than 65536 bytes/],
    ];
    for (const [path, message] of cases) {
      const e = await failure(path);
      expect(e, path).toBeInstanceOf(HttpParseError);
      expect(e, path).toBeInstanceOf(TypeError);
      expect(e.message, path).toMatch(message);
      expect(e.message, path).toContain(`${base}${path}`);
    }
    // The limit is the caller's to raise.
    const big = await sshFetch(client, { maxHeaderBytes: 128 * 1024 })(`${base}/huge-head`);
    expect(big.headers.get("x-big")).toHaveLength(70 * 1024);
  });

  it("a server that never answers: the headers timeout ends the wait and the channel", async () => {
    const e = await failure("/never", undefined, { headersTimeoutMs: 500 });
    expect(e).toBeInstanceOf(SshFetchError);
    expect(e.message).toMatch(/no response head within 500 ms/);
    // The server's side of that connection is closed too (sshd closed it when our channel closed).
    const deadline = Date.now() + 10_000;
    while (raw.sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect([...raw.sockets].map((s) => (s as Socket & { path?: string }).path)).toEqual([]);
  });

  it("the SSH connection lost in the middle of a body: the read rejects with an SshFetchError caused by it", async () => {
    const key = await makeClientKey();
    const own = await startSshd({ authorizedKeys: [key.publicKeyLine] });
    try {
      const c = await connectTo(own, key);
      const r = await sshFetch(c)(`${base}/hang`);
      const reader = r.body!.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toBe("start\n");
      const pending = reader.read();
      // sshd and its per-connection processes die: the TCP connection goes with them.
      signalTree(own.pid, "SIGKILL");
      const e = await pending.then(() => new Error("read succeeded"), (x: unknown) => x as Error);
      expect(e).toBeInstanceOf(SshFetchError);
      expect(e.message).toMatch(/response body was cut off/);
      expect(e.message).toContain(`${base}/hang`);
      await c.close();
    } finally {
      await own.stop();
    }
  });
});
