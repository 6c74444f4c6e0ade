import { existsSync, readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** URL path -> file on disk and its content type. Only these are served: no directory walking. */
export type DemoRoutes = Record<string, { file: string; type: string }>;

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
export function demoRoutes(root: string = findPackageRoot(), bundleDir = join(root, "dist", "browser")): DemoRoutes {
  const routes: DemoRoutes = {
    "/": { file: join(root, "web", "index.html"), type: "text/html; charset=utf-8" },
    "/demo.js": { file: join(root, "web", "demo.js"), type: "text/javascript; charset=utf-8" },
    "/demo.css": { file: join(root, "web", "demo.css"), type: "text/css; charset=utf-8" },
  };
  for (const { file } of Object.values(routes)) {
    if (!existsSync(file)) throw new Error(`demo file ${file} is missing`);
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
    readFile(route.file).then(
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
