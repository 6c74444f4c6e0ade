// `mcp-ssh relay` command line: flags, usage errors, a run stopped by a signal, and the demo
// page's static routes (only the listed files, nothing else from disk).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { parseRelayArgs, runRelayCli } from "../src/cli/relay.js";
import { demoRoutes, staticHandler } from "../src/relay/demo-files.js";
import type { Relay } from "../src/relay/relay-server.js";

describe("parseRelayArgs", () => {
  it("reads every flag, repeatable --allow-origin and --flag=value included", () => {
    expect(
      parseRelayArgs([
        "--listen",
        "127.0.0.1:9000",
        "--target=[::1]:2222",
        "--allow-origin",
        "https://a.example",
        "--allow-origin=http://127.0.0.1:9000",
        "--max-connections",
        "4",
        "--demo",
        "--demo-fingerprint",
        `SHA256:${"x".repeat(43)}`,
        "--demo-username=mcp",
      ]),
    ).toEqual({
      listenHost: "127.0.0.1",
      listenPort: 9000,
      targetHost: "::1",
      targetPort: 2222,
      allowOrigins: ["https://a.example", "http://127.0.0.1:9000"],
      maxConnections: 4,
      demo: true,
      demoPrefill: { fingerprint: `SHA256:${"x".repeat(43)}`, username: "mcp" },
    });
  });

  it("defaults to 127.0.0.1:8080, 32 connections, any origin", () => {
    expect(parseRelayArgs(["--target", "example.org:22"])).toMatchObject({
      listenHost: "127.0.0.1",
      listenPort: 8080,
      targetHost: "example.org",
      targetPort: 22,
      allowOrigins: [],
      maxConnections: 32,
      demo: false,
      demoPrefill: {},
    });
  });

  it.each([
    [[], /--target HOST:PORT is required/],
    [["--target", "example.org"], /--target wants HOST:PORT/],
    [["--target", "h:0"], /--target wants HOST:PORT/],
    [["--target", "h:70000"], /--target wants HOST:PORT/],
    [["--target", "h:22", "--listen"], /--listen needs a value/],
    [["--target", "h:22", "--max-connections", "0"], /positive integer/],
    [["--target", "h:22", "--max-connections", "two"], /positive integer/],
    [["--target", "h:22", "--allow-origin", "https://a.example/path"], /no path/],
    [["--target", "h:22", "--open-proxy"], /unknown argument "--open-proxy"/],
    [["--target", "h:22", "--demo", "--demo-fingerprint", "SHA256:short"], /--demo-fingerprint wants a fingerprint/],
    [["--target", "h:22", "--demo", "--demo-username", "a b"], /--demo-username wants a user name/],
    [["--target", "h:22", "--demo-username", "mcp"], /need --demo/],
  ])("rejects %j", (argv, message) => {
    expect(() => parseRelayArgs(argv as string[])).toThrow(message);
  });
});

describe("runRelayCli", () => {
  it("exits 2 with the usage on bad arguments, 0 on --help", async () => {
    const lines: string[] = [];
    expect(await runRelayCli(["--target", "nowhere"], { stderr: (l) => lines.push(l) })).toBe(2);
    expect(lines.join("\n")).toContain("usage: mcp-ssh relay");
    expect(await runRelayCli(["--help"], { stderr: (l) => lines.push(l) })).toBe(0);
  });

  it("relays until stopped, then closes and exits 0", async () => {
    const target = createServer();
    await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
    const targetPort = (target.address() as AddressInfo).port;
    const lines: string[] = [];
    const stop = new AbortController();
    let relay: Relay | undefined;
    const exit = runRelayCli(["--listen", "127.0.0.1:0", "--target", `127.0.0.1:${targetPort}`, "--allow-origin", "http://ok.example"], {
      signal: stop.signal,
      stderr: (l) => lines.push(l),
      onListening: (r) => (relay = r),
    });
    while (relay === undefined) await new Promise((r) => setTimeout(r, 10));
    expect(lines.join("\n")).toContain(`listening on ws://127.0.0.1:${relay.port}/ -> 127.0.0.1:${targetPort}`);
    expect(relay.allowedOrigins).toEqual(["http://ok.example"]);
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(relay!.url, ["binary"], { origin: "http://other.example" });
      ws.on("error", () => {});
      ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    });
    expect(refused).toBe(403);
    stop.abort();
    expect(await exit).toBe(0);
    expect(lines.at(-1)).toBe("relay: stopped");
    await new Promise<void>((resolve) => target.close(() => resolve()));
  });

  it("exits 1 and says why when it cannot listen", async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const port = (busy.address() as AddressInfo).port;
    const lines: string[] = [];
    expect(await runRelayCli(["--listen", `127.0.0.1:${port}`, "--target", "127.0.0.1:22"], { stderr: (l) => lines.push(l) })).toBe(1);
    expect(lines.join("\n")).toMatch(/cannot start: .*EADDRINUSE/);
    await new Promise<void>((resolve) => busy.close(() => resolve()));
  });
});

describe("demo static routes", () => {
  it("serves exactly the listed files and 404s everything else", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mcp-ssh-demo-routes-"));
    writeFileSync(join(dir, "page.html"), "<p>hi</p>");
    writeFileSync(join(dir, "secret.txt"), "do not serve");
    const server = createServer(staticHandler({ "/": { file: join(dir, "page.html"), type: "text/html; charset=utf-8" } }));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const page = await fetch(`${base}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
      expect(await page.text()).toBe("<p>hi</p>");
      for (const path of ["/secret.txt", "/../secret.txt", "/%2e%2e/secret.txt", "/page.html"]) {
        const res = await fetch(`${base}${path}`);
        expect(res.status, path).toBe(404);
        expect(await res.text()).not.toContain("do not serve");
      }
      expect((await fetch(`${base}/`, { method: "POST" })).status).toBe(405);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("routes the page's files and every .js file of the split browser build, nothing else", () => {
    const root = mkdtempSync(join(tmpdir(), "mcp-ssh-demo-root-"));
    try {
      mkdirSync(join(root, "web"));
      for (const name of ["index.html", "demo.js", "demo.css", "notes.txt"]) writeFileSync(join(root, "web", name), "");
      const build = join(root, "build");
      mkdirSync(join(build, "sub"), { recursive: true });
      mkdirSync(join(build, "dir.js"));
      for (const name of ["mcp-ssh.js", "mcp-ssh-core.js", "chunk-AB12.js", "client-CD34.js", "mcp-ssh.d.ts", "sub/x.js", "dir.js/y.js"]) {
        writeFileSync(join(build, name), "");
      }
      const routes = demoRoutes(root, build);
      expect(Object.keys(routes).sort()).toEqual(
        ["/", "/chunk-AB12.js", "/client-CD34.js", "/demo.css", "/demo.js", "/mcp-ssh-core.js", "/mcp-ssh.js"].sort(),
      );
      // The page as a file unless the operator gave values to prefill; then with them in its tag.
      expect(routes["/"]).toEqual({ file: join(root, "web", "index.html"), type: "text/html; charset=utf-8" });
      writeFileSync(join(root, "web", "index.html"), '<head><meta name="mcp-ssh-demo-prefill" content="{}"></head>');
      expect(demoRoutes(root, build, { username: "mcp", fingerprint: "SHA256:<x>" })["/"]).toEqual({
        body: '<head><meta name="mcp-ssh-demo-prefill" content="{&quot;username&quot;:&quot;mcp&quot;,&quot;fingerprint&quot;:&quot;SHA256:&lt;x&gt;&quot;}"></head>',
        type: "text/html; charset=utf-8",
      });
      expect(routes["/client-CD34.js"]).toEqual({ file: join(build, "client-CD34.js"), type: "text/javascript; charset=utf-8" });
      // A build file that would shadow the page's own script is refused, not served instead.
      writeFileSync(join(build, "demo.js"), "");
      expect(() => demoRoutes(root, build)).toThrow(/same URL as a demo page file/);
      rmSync(join(build, "demo.js"));
      rmSync(join(build, "mcp-ssh.js"));
      expect(() => demoRoutes(root, build)).toThrow(/mcp-ssh\.js is missing; build it/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
