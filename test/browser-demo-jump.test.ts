// Issue 19, in the browser: the demo page in Debian's Chromium reaches an MCP server through two
// ProxyJump hops. Three private sshd on 127.0.0.1: hop 1 may forward only to hop 2, hop 2 only to
// the last server (PermitOpen), and `mcp-ssh relay` leads only to hop 1. The page's one WebSocket
// carries hop 1's SSH connection; hop 2's runs in a direct-tcpip channel of it, the server's in one
// of hop 2's. The server's log and the socket table show its connection came out of hop 2's sshd.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SSHClient } from "../src/entries/ssh.js";
import { ChannelOpenError } from "../src/ssh/errors.js";
import { demoRoutes, staticHandler } from "../src/relay/demo-files.js";
import { startRelay, type Relay } from "../src/relay/relay-server.js";
import { launchChromium } from "./helpers/chromium.js";
import { processTree } from "./helpers/process-tree.js";
import { forwardOutError } from "./helpers/reach.js";
import { makeClientKey, startSshd, waitForLog, type ClientKey, type TestServer } from "./helpers/servers.js";
import { socketOwner } from "./helpers/socket-owner.js";
import { buildBrowserBundle, type BrowserBuild } from "./runtimes/browser-bundle.js";

const ROOT = join(import.meta.dirname, "..");
const OUTPUT = join(ROOT, "test-output");
/** The MCP server `npm run demo` and `npm run demo:browser` run; its `whereami` reports SSH_CONNECTION. */
const DEMO_SERVER = join(ROOT, "fixtures", "mcp", "demo-server.mjs");
const WRONG_PIN = `SHA256:${"A".repeat(43)}`;

let work: string;
let bundleDir: string;
let built: BrowserBuild;
let key: ClientKey;
let hop1: TestServer;
let hop2: TestServer;
let last: TestServer;
let relay: Relay;
let context: BrowserContext;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "mcp-ssh-browser-jump-"));
  bundleDir = join(work, "browser");
  built = await buildBrowserBundle(bundleDir);
  key = await makeClientKey();
  const authorizedKeys = [key.publicKeyLine];
  // Last to first, so that each hop's PermitOpen can name the next one's port.
  last = await startSshd({ authorizedKeys });
  hop2 = await startSshd({ authorizedKeys, config: [`PermitOpen 127.0.0.1:${last.port}`] });
  hop1 = await startSshd({ authorizedKeys, config: [`PermitOpen 127.0.0.1:${hop2.port}`] });
  // The relay's one fixed target is hop 1: the page cannot ask it for anything else.
  relay = await startRelay({
    listenHost: "127.0.0.1",
    listenPort: 0,
    targetHost: hop1.host,
    targetPort: hop1.port,
    httpHandler: staticHandler(demoRoutes(ROOT, bundleDir, {})),
    allowOwnOrigin: true,
  });
  mkdirSync(OUTPUT, { recursive: true });
  context = await launchChromium(join(work, "profile"));
}, 120_000);

afterAll(async () => {
  await context?.close();
  await relay?.close();
  await Promise.all([hop1?.stop(), hop2?.stop(), last?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

const pageUrl = () => `http://127.0.0.1:${relay.port}/`;
const jumpHosts = () => `${hop1.username}@127.0.0.1:${hop1.port}, 127.0.0.1:${hop2.port}`;

/** Open the page and wait until its script has run; page errors are collected in `problems`. */
async function openPage(page: Page, problems: string[], requested: string[] = []): Promise<void> {
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("request", (request) => requested.push(new URL(request.url()).pathname));
  await page.goto(pageUrl());
  await page.waitForFunction(() => (window as unknown as { mcpSshDemoReady?: boolean }).mcpSshDemoReady === true, null, { timeout: 15_000 });
}

/** Fill the form as a person would: the last server, the hops and a pin per hop; then Connect. */
async function submit(page: Page, hopPins: string): Promise<void> {
  await page.fill("#fingerprint", last.hostKeyFingerprint);
  await page.fill("#username", last.username);
  await page.fill("#private-key", key.privateKey);
  await page.fill("#command", `${process.execPath} ${DEMO_SERVER}`);
  await page.fill("#jump-hosts", jumpHosts());
  await page.fill("#jump-fingerprints", hopPins);
  await page.fill("#target", `127.0.0.1:${last.port}`);
  await page.click("#connect");
  await page.waitForSelector('#status[data-state="connected"], #status[data-state="error"]', { timeout: 60_000 });
}

const shoot = (page: Page, name: string) =>
  page.screenshot({ path: join(OUTPUT, `browser-demo-jump-${name}.png`), fullPage: true, mask: [page.locator("#private-key")] });

describe("the browser demo through two jump hosts", () => {
  it("hop 1 may forward only to hop 2, not straight to the last server", async () => {
    const client = await SSHClient.connect({ host: "127.0.0.1", port: hop1.port, username: hop1.username, privateKey: key.privateKey, hostKeyFingerprints: [hop1.hostKeyFingerprint] });
    const error = await forwardOutError(client, "127.0.0.1", last.port);
    expect(error).toBeInstanceOf(ChannelOpenError);
    expect((error as Error).message).toMatch(/administratively prohibited/);
  });

  it("connects through both hops, runs an MCP call, and the server saw the connection come from hop 2", async () => {
    const page = await context.newPage();
    const problems: string[] = [];
    const requested: string[] = [];
    const lastBefore = last.log().length;
    const hop1Before = hop1.log().length;
    try {
      await openPage(page, problems, requested);
      // The chain's code is a chunk of its own (one per browser entry), fetched only once hops are given.
      const jumpChunk = (path: string) => /\/jump-[\w-]+\.js$/.test(path);
      expect(built.lazyChunks.filter((name) => jumpChunk(`/${name}`)).length).toBeGreaterThan(0);
      expect(requested.filter(jumpChunk)).toEqual([]);

      await submit(page, `${hop1.hostKeyFingerprint}, ${hop2.hostKeyFingerprint}`);
      const status = (await page.textContent("#status")) ?? "";
      if ((await page.getAttribute("#status", "data-state")) !== "connected") {
        throw new Error(`the page did not connect: ${status}\nlog:\n${await page.textContent("#log")}\n${problems.join("\n")}`);
      }
      expect(requested.filter(jumpChunk)).toHaveLength(1);
      expect(status).toContain(`over SSH at 127.0.0.1:${last.port} through jump host 1 127.0.0.1:${hop1.port}, jump host 2 127.0.0.1:${hop2.port}`);
      for (const s of [hop1, hop2, last]) expect(status).toContain(s.hostKeyFingerprint);
      expect(await page.textContent("#server-name")).toContain("mcp-ssh-demo");
      // One WebSocket, to hop 1: the rest of the chain is inside it.
      expect(relay.activeConnections()).toBe(1);

      // A real MCP call: the demo server says where it runs and how SSH reached it.
      await page.selectOption("#tool", "whereami");
      await page.fill("#arguments", "{}");
      await page.click("#call");
      await page.waitForSelector('#result[data-state="ok"], #result[data-state="error"]', { timeout: 30_000 });
      expect(await page.getAttribute("#result", "data-state")).toBe("ok");
      const result = (await page.textContent("#result")) ?? "";
      const connection = /SSH_CONNECTION=127\.0\.0\.1 (\d+) 127\.0\.0\.1 (\d+)\)/.exec(result);
      expect(connection, result).not.toBeNull();
      expect(Number(connection![2])).toBe(last.port);
      const sourcePort = Number(connection![1]);
      await shoot(page, "connected");

      // The last server logged that connection, and its client socket belongs to hop 2's sshd
      // (checked while the session is up): it came out of hop 2's forwarding, not from the relay.
      await waitForLog({ log: () => last.log().slice(lastBefore) }, new RegExp(`Connection from 127\\.0\\.0\\.1 port ${sourcePort} on 127\\.0\\.0\\.1 port ${last.port}`));
      const owner = socketOwner(sourcePort);
      expect(owner).toBeDefined();
      expect(processTree(hop2.pid)).toContain(owner);
      expect(processTree(hop1.pid)).not.toContain(owner);
      await waitForLog(hop2, new RegExp(`server_request_direct_tcpip: .*target 127\\.0\\.0\\.1 port ${last.port}`));
      await waitForLog({ log: () => hop1.log().slice(hop1Before) }, new RegExp(`server_request_direct_tcpip: .*target 127\\.0\\.0\\.1 port ${hop2.port}`));
      await waitForLog({ log: () => last.log().slice(lastBefore) }, new RegExp(`Accepted publickey for ${last.username}`));

      // Disconnect ends the whole chain: hop 1's session ends too.
      await page.click("#disconnect");
      await page.waitForSelector('#status[data-state="idle"]', { timeout: 15_000 });
      await waitForLog({ log: () => hop1.log().slice(hop1Before) }, /Received disconnect from 127\.0\.0\.1/, 10_000);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("a wrong host key pin on hop 2: the page names hop 2, and the last server is never contacted", async () => {
    const page = await context.newPage();
    const problems: string[] = [];
    const lastBefore = last.log().length;
    const hop1Before = hop1.log().length;
    try {
      await openPage(page, problems);
      await submit(page, `${hop1.hostKeyFingerprint}, ${WRONG_PIN}`);
      expect(await page.getAttribute("#status", "data-state")).toBe("error");
      const status = (await page.textContent("#status")) ?? "";
      expect(status).toContain(`HostKeyMismatchError: jump host 2 (127.0.0.1:${hop2.port}) presented host key ${hop2.hostKeyFingerprint}`);
      expect(status).toContain(`not the fingerprint entered for it (${WRONG_PIN})`);
      expect(await page.isVisible("#tools-section")).toBe(false);
      expect(await page.isDisabled("#connect")).toBe(false);
      await shoot(page, "hop2-mismatch");
      // Hop 1 was closed again; the last server saw no connection at all.
      await waitForLog({ log: () => hop1.log().slice(hop1Before) }, /Received disconnect from 127\.0\.0\.1/, 10_000);
      expect(last.log().slice(lastBefore)).not.toMatch(/Connection from/);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("a fingerprint missing for a hop is refused before anything is opened", async () => {
    const page = await context.newPage();
    const problems: string[] = [];
    const hop1Before = hop1.log().length;
    try {
      await openPage(page, problems);
      await submit(page, hop1.hostKeyFingerprint);
      expect(await page.getAttribute("#status", "data-state")).toBe("error");
      expect(await page.textContent("#status")).toContain("2 jump host(s) but 1 fingerprint(s)");
      expect(hop1.log().slice(hop1Before)).not.toMatch(/Connection from/);
    } finally {
      await page.close();
    }
  });
});
