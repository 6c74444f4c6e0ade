// Headless Chromium (Debian's) loads the demo page from 127.0.0.1, connects through a WebSocket
// relay (`mcp-ssh relay`, then Debian's websockify) to a real sshd, and runs MCP initialize,
// tools/list and tools/call against the fixture server. The result is read back from the page;
// a screenshot of each run goes to test-output/.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoRoutes, staticHandler, type DemoPrefill } from "../src/relay/demo-files.js";
import { startRelay } from "../src/relay/relay-server.js";
import { launchChromium } from "./helpers/chromium.js";
import { makeClientKey, startSshd, type ClientKey, type TestServer } from "./helpers/servers.js";
import { buildBrowserBundle, type BrowserBuild } from "./runtimes/browser-bundle.js";
import { startWebsockify } from "./runtimes/websockify.js";

const ROOT = join(import.meta.dirname, "..");
const OUTPUT = join(ROOT, "test-output");
const MCP_SERVER = join(ROOT, "fixtures", "mcp", "tools-server.mjs");

let work: string;
let bundleDir: string;
let built: BrowserBuild;
let sshd: TestServer;
let key: ClientKey;
let context: BrowserContext;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "mcp-ssh-browser-"));
  bundleDir = join(work, "browser");
  built = await buildBrowserBundle(bundleDir);
  key = await makeClientKey();
  sshd = await startSshd({ authorizedKeys: [key.publicKeyLine] });
  mkdirSync(OUTPUT, { recursive: true });
  context = await launchChromium(join(work, "profile"));
}, 120_000);

afterAll(async () => {
  await context?.close();
  await sshd?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** `mcp-ssh relay` to sshd, serving the demo page itself (prefilled as `relay --demo-*` would). */
function startDemoRelay(prefill: DemoPrefill = {}) {
  return startRelay({
    listenHost: "127.0.0.1",
    listenPort: 0,
    targetHost: sshd.host,
    targetPort: sshd.port,
    httpHandler: staticHandler(demoRoutes(ROOT, bundleDir, prefill)),
    allowOwnOrigin: true,
  });
}

/** Fill the form as a person would (pinning `fingerprint`, logging in with our key) and press Connect. */
async function submitForm(page: Page, fingerprint: string | undefined): Promise<void> {
  if (fingerprint !== undefined) {
    await page.fill("#fingerprint", fingerprint);
    await page.fill("#username", sshd.username);
  }
  await page.fill("#private-key", key.privateKey);
  await page.fill("#command", `${process.execPath} ${MCP_SERVER}`);
  await page.click("#connect");
}

/** Fill the form as a person would, connect, and wait until the page says connected (or why not). */
async function connectFromPage(page: Page, pageUrl: string, relayUrl: string, fingerprint: string | undefined = sshd.hostKeyFingerprint): Promise<void> {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  await page.goto(pageUrl);
  await page.waitForFunction(() => (window as unknown as { mcpSshDemoReady?: boolean }).mcpSshDemoReady === true, null, {
    timeout: 15_000,
  });
  expect(await page.inputValue("#relay-url")).toBe(relayUrl);
  await submitForm(page, fingerprint);
  await page.waitForSelector('#status[data-state="connected"], #status[data-state="error"]', { timeout: 45_000 });
  const state = await page.getAttribute("#status", "data-state");
  if (state !== "connected") {
    throw new Error(
      `the page did not connect: ${await page.textContent("#status")}\nlog:\n${await page.textContent("#log")}\n${problems.join("\n")}`,
    );
  }
}

async function callEcho(page: Page, text: string): Promise<string> {
  await page.selectOption("#tool", "echo");
  await page.fill("#arguments", JSON.stringify({ text }));
  await page.click("#call");
  await page.waitForSelector('#result[data-state="ok"], #result[data-state="error"]', { timeout: 30_000 });
  expect(await page.getAttribute("#result", "data-state")).toBe("ok");
  return (await page.textContent("#result")) ?? "";
}

describe("the browser demo", () => {
  it("runs MCP over SSH through mcp-ssh relay (demo page served by the relay)", async () => {
    const relay = await startDemoRelay();
    const page = await context.newPage();
    const requested: string[] = [];
    page.on("request", (request) => requested.push(new URL(request.url()).pathname));
    try {
      const pageUrl = `http://127.0.0.1:${relay.port}/`;
      await connectFromPage(page, pageUrl, relay.url);
      // Chromium has WebAssembly SIMD, and the relay's CSP lets the page compile WebAssembly: the
      // SIMD kernel loads, so the scalar one's chunk is never fetched.
      expect(requested).toContain("/mcp-ssh.js");
      expect(requested.filter((path) => path.includes("kernel-scalar"))).toEqual([]);
      expect(await page.textContent("#server-name")).toContain("mcp-ssh-fixture");
      const tools = await page.$$eval("#tools li code", (nodes) => nodes.map((n) => n.textContent));
      expect(tools).toEqual(expect.arrayContaining(["echo", "add"]));
      expect(await callEcho(page, "hello through mcp-ssh relay")).toBe("hello through mcp-ssh relay");
      await page.screenshot({ path: join(OUTPUT, "browser-demo-mcp-ssh-relay.png"), fullPage: true, mask: [page.locator("#private-key")] });
      await page.click("#disconnect");
      await page.waitForSelector('#status[data-state="idle"]', { timeout: 15_000 });
    } finally {
      await page.close();
      await relay.close();
    }
    // The SSH login the relay carried is the page's own: sshd saw our key.
    expect(sshd.log()).toContain(`Accepted publickey for ${sshd.username}`);
  });

  it("runs MCP over SSH through websockify (demo page served by websockify --web)", async () => {
    const web = join(work, "web");
    mkdirSync(web, { recursive: true });
    for (const name of ["index.html", "demo.js", "demo.css"]) copyFileSync(join(ROOT, "web", name), join(web, name));
    for (const name of built.files) copyFileSync(join(bundleDir, name), join(web, name));
    const websockify = await startWebsockify(sshd.port, { webDir: web });
    const page = await context.newPage();
    try {
      await connectFromPage(page, `http://127.0.0.1:${websockify.port}/`, websockify.url);
      const tools = await page.$$eval("#tools li code", (nodes) => nodes.map((n) => n.textContent));
      expect(tools).toEqual(expect.arrayContaining(["echo", "add"]));
      expect(await callEcho(page, "hello through websockify")).toBe("hello through websockify");
      await page.screenshot({ path: join(OUTPUT, "browser-demo-websockify.png"), fullPage: true, mask: [page.locator("#private-key")] });
    } finally {
      await page.close();
      await websockify.stop();
    }
  });

  it("serves every lazily imported chunk of the split build, and the page can import each", async () => {
    // A chunk the relay forgot would only show when a browser needs it (e.g. no SIMD, or no
    // Ed25519 in WebCrypto), which this Chromium never does; so import each one from the page.
    expect(built.lazyChunks.length).toBeGreaterThan(0);
    const relay = await startDemoRelay();
    const page = await context.newPage();
    try {
      await page.goto(`http://127.0.0.1:${relay.port}/`);
      await page.waitForFunction(() => (window as unknown as { mcpSshDemoReady?: boolean }).mcpSshDemoReady === true);
      // A string, not a function: vitest would rewrite a function's import() into its own loader.
      const results = await page.evaluate(`Promise.all(${JSON.stringify(built.lazyChunks)}.map((name) =>
        import("./" + name).then(
          (m) => name + ": " + (Object.keys(m).length > 0 ? "ok" : "no exports"),
          (e) => name + ": " + e.message)))`);
      expect(results).toEqual(built.lazyChunks.map((name) => `${name}: ok`));
    } finally {
      await page.close();
      await relay.close();
    }
  });

  it("refuses a server whose host key is not the pinned one, and says so on the page", async () => {
    const relay = await startDemoRelay();
    const page = await context.newPage();
    try {
      await page.goto(`http://127.0.0.1:${relay.port}/`);
      await page.waitForFunction(() => (window as unknown as { mcpSshDemoReady?: boolean }).mcpSshDemoReady === true);
      await submitForm(page, `SHA256:${"A".repeat(43)}`);
      await page.waitForSelector('#status[data-state="error"], #status[data-state="connected"]', { timeout: 45_000 });
      expect(await page.getAttribute("#status", "data-state")).toBe("error");
      expect(await page.textContent("#status")).toContain("HostKeyMismatchError");
    } finally {
      await page.close();
      await relay.close();
    }
  });
  /** What the page shows: the state a person sees, checked after each step. */
  async function pageState(page: Page) {
    return {
      status: await page.getAttribute("#status", "data-state"),
      statusText: (await page.textContent("#status")) ?? "",
      toolsVisible: await page.isVisible("#tools-section"),
      tools: await page.$$eval("#tools li code", (nodes) => nodes.map((n) => n.textContent)),
      options: await page.$$eval("#tool option", (nodes) => nodes.length),
      callDisabled: await page.isDisabled("#call"),
      connectDisabled: await page.isDisabled("#connect"),
      disconnectDisabled: await page.isDisabled("#disconnect"),
      result: (await page.textContent("#result")) ?? "",
    };
  }

  const shoot = (page: Page, name: string) =>
    page.screenshot({ path: join(OUTPUT, `browser-demo-${name}.png`), fullPage: true, mask: [page.locator("#private-key")] });

  it("served by the demo: prefilled, then connect, call, disconnect and a host key mismatch each leave a clear state", async () => {
    const relay = await startDemoRelay({ fingerprint: sshd.hostKeyFingerprint, username: sshd.username });
    const page = await context.newPage();
    const requested: string[] = [];
    const missing: string[] = [];
    page.on("request", (request) => requested.push(new URL(request.url()).pathname));
    page.on("response", (response) => response.status() >= 400 && missing.push(`${response.status()} ${response.url()}`));
    try {
      await page.goto(`http://127.0.0.1:${relay.port}/`);
      await page.waitForFunction(() => (window as unknown as { mcpSshDemoReady?: boolean }).mcpSshDemoReady === true);
      // Prefilled with the demo server's values; before connecting there is nothing to call.
      expect(await page.inputValue("#fingerprint")).toBe(sshd.hostKeyFingerprint);
      expect(await page.inputValue("#username")).toBe(sshd.username);
      expect(await pageState(page)).toMatchObject({ status: "idle", toolsVisible: false, callDisabled: true });

      // Connect with only the key (and the command) typed in.
      await connectFromPage(page, `http://127.0.0.1:${relay.port}/`, relay.url, undefined);
      const connected = await pageState(page);
      expect(connected).toMatchObject({ status: "connected", toolsVisible: true, callDisabled: false, disconnectDisabled: false, connectDisabled: true });
      expect(connected.tools).toEqual(expect.arrayContaining(["echo", "add"]));
      expect(connected.statusText).toContain(sshd.hostKeyFingerprint);
      await shoot(page, "1-connected");

      expect(await callEcho(page, "a call from the page")).toBe("a call from the page");
      expect(await pageState(page)).toMatchObject({ status: "connected", result: "a call from the page", callDisabled: false });
      await shoot(page, "2-tool-call");

      await page.click("#disconnect");
      await page.waitForSelector('#status[data-state="idle"]', { timeout: 15_000 });
      expect(await pageState(page)).toEqual({
        status: "idle",
        statusText: "Disconnected.",
        toolsVisible: false,
        tools: [],
        options: 0,
        callDisabled: true,
        connectDisabled: false,
        disconnectDisabled: true,
        result: "",
      });
      await shoot(page, "3-disconnected");

      // A wrong fingerprint: refused before login, explained in the page's terms, and a clean state.
      const wrong = `SHA256:${"A".repeat(43)}`;
      await page.fill("#fingerprint", wrong);
      await page.click("#connect");
      await page.waitForSelector('#status[data-state="error"], #status[data-state="connected"]', { timeout: 45_000 });
      const mismatch = await pageState(page);
      expect(mismatch).toMatchObject({ status: "error", toolsVisible: false, tools: [], options: 0, callDisabled: true, connectDisabled: false });
      expect(mismatch.statusText).toContain("HostKeyMismatchError");
      expect(mismatch.statusText).toContain(`presented host key ${sshd.hostKeyFingerprint}`);
      expect(mismatch.statusText).toContain(`not the fingerprint entered above (${wrong})`);
      // Nothing about a known_hosts entry, and not the relay's address as if it were the SSH server.
      expect(mismatch.statusText).not.toMatch(/update the entry|known_hosts/);
      expect(mismatch.statusText).not.toContain(String(relay.port));
      await shoot(page, "4-host-key-mismatch");

      // The icon is inline: the page asked for no favicon, and nothing it asked for was missing.
      expect(requested.filter((p) => p.includes("favicon"))).toEqual([]);
      expect(missing).toEqual([]);
    } finally {
      await page.close();
      await relay.close();
    }
  });
});
