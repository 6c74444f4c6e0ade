import { existsSync, readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * URL path -> file on disk (or a body held in memory) and its content type. Only these are
 * served: no directory walking.
 */
export type DemoRoutes = Record<string, { file: string; type: string } | { body: string; type: string }>;

/**
 * What the page may prefill: the values of the server that the demo itself started
 * (`npm run demo:browser` passes them to `relay --demo`). The page comes from the relay anyway, so
 * a relay that lied here could as well serve a page that skips the host key check: this adds no
 * trust in the relay. Only the operator's values are served; nothing is probed from the target.
 */
export interface DemoPrefill {
  fingerprint?: string;
  username?: string;
}

/** The page reads its prefill from this tag (web/index.html has it empty, as websockify serves it). */
const PREFILL_TAG = /<meta name="mcp-ssh-demo-prefill" content="[^"]*">/;

const htmlEscape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** index.html with `prefill` in its prefill tag. */
export function prefilledPage(html: string, prefill: DemoPrefill): string {
  if (!PREFILL_TAG.test(html)) throw new Error("web/index.html has no <meta name=\"mcp-ssh-demo-prefill\"> tag");
  return html.replace(PREFILL_TAG, `<meta name="mcp-ssh-demo-prefill" content="${htmlEscape(JSON.stringify(prefill))}">`);
}

/** The package root: the nearest directory above this module whose package.json is ours (mcp-over-ssh). */
export function findPackageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "mcp-over-ssh") return dir;
      } catch {
        // not a readable manifest; keep looking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the mcp-over-ssh package root above ${from}`);
    dir = parent;
  }
}

/**
 * The demo page (web/) and the browser build (dist/browser/), as served by `relay --demo`. The
 * build is split: mcp-ssh.js imports shared chunks, and code used only sometimes is in chunks it
 * loads with `import()`. So every .js file of that one flat directory gets a route, listed once here;
 * nothing below it and nothing added later is served.
 */
export function demoRoutes(
  root: string = findPackageRoot(),
  bundleDir = join(root, "dist", "browser"),
  prefill: DemoPrefill = {},
): DemoRoutes {
  const routes: DemoRoutes = {
    "/": { file: join(root, "web", "index.html"), type: "text/html; charset=utf-8" },
    "/demo.js": { file: join(root, "web", "demo.js"), type: "text/javascript; charset=utf-8" },
    "/demo.css": { file: join(root, "web", "demo.css"), type: "text/css; charset=utf-8" },
  };
  for (const route of Object.values(routes)) {
    if ("file" in route && !existsSync(route.file)) throw new Error(`demo file ${route.file} is missing`);
  }
  if (prefill.fingerprint !== undefined || prefill.username !== undefined) {
    const page = routes["/"] as { file: string; type: string };
    routes["/"] = { body: prefilledPage(readFileSync(page.file, "utf8"), prefill), type: page.type };
  }
  const entry = join(bundleDir, "mcp-ssh.js");
  if (!existsSync(entry)) throw new Error(`demo file ${entry} is missing; build it with \`npm run build\``);
  for (const file of readdirSync(bundleDir, { withFileTypes: true })) {
    const name = file.name;
    if (!file.isFile() || !name.endsWith(".js")) continue;
    const path = `/${name}`;
    // A build file shadowing a page file would serve the wrong script; refuse rather than guess.
    if (routes[path] !== undefined) throw new Error(`${join(bundleDir, name)} has the same URL as a demo page file`);
    routes[path] = { file: join(bundleDir, name), type: "text/javascript; charset=utf-8" };
  }
  return routes;
}

/** Serve GET/HEAD for exactly the given routes; everything else is 404. */
export function staticHandler(routes: DemoRoutes): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = new URL(req.url ?? "/", "http://relay").pathname;
    const route = routes[path === "/index.html" ? "/" : path];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (route === undefined) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
      return;
    }
    ("body" in route ? Promise.resolve(Buffer.from(route.body)) : readFile(route.file)).then(
      (body) => {
        res.writeHead(200, {
          "content-type": route.type,
          "content-length": body.byteLength,
          "cache-control": "no-store",
          "x-content-type-options": "nosniff",
          // The page talks only to itself and to WebSockets the user names. 'wasm-unsafe-eval'
          // lets it compile the cipher's WebAssembly kernel (no JavaScript eval); without it the
          // page ran on the slower @noble cipher, after also fetching the scalar kernel in vain.
          "content-security-policy":
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' ws: wss:; img-src 'self' data:",
        });
        res.end(req.method === "HEAD" ? undefined : body);
      },
      (error: Error) => {
        res.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end(`cannot read ${path}: ${error.message}\n`);
      },
    );
  };
}
