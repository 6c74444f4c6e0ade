import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** URL path -> file on disk and its content type. Only these are served: no directory walking. */
export type DemoRoutes = Record<string, { file: string; type: string }>;

/** The package root: the nearest directory above this module whose package.json is mcp-ssh's. */
export function findPackageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "mcp-ssh") return dir;
      } catch {
        // not a readable manifest; keep looking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the mcp-ssh package root above ${from}`);
    dir = parent;
  }
}

/** The demo page (web/) and the browser bundle (dist/browser/), as served by `relay --demo`. */
export function demoRoutes(root: string = findPackageRoot(), bundleFile = join(root, "dist", "browser", "mcp-ssh.js")): DemoRoutes {
  const routes: DemoRoutes = {
    "/": { file: join(root, "web", "index.html"), type: "text/html; charset=utf-8" },
    "/demo.js": { file: join(root, "web", "demo.js"), type: "text/javascript; charset=utf-8" },
    "/demo.css": { file: join(root, "web", "demo.css"), type: "text/css; charset=utf-8" },
    "/mcp-ssh.js": { file: bundleFile, type: "text/javascript; charset=utf-8" },
  };
  for (const [path, { file }] of Object.entries(routes)) {
    if (!existsSync(file)) {
      const hint = path === "/mcp-ssh.js" ? "; build it with `npm run build`" : "";
      throw new Error(`demo file ${file} is missing${hint}`);
    }
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
          // The page talks only to itself and to WebSockets the user names.
          "content-security-policy": "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:",
        });
        res.end(req.method === "HEAD" ? undefined : body);
      },
      (error: Error) => {
        res.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end(`cannot read ${path}: ${error.message}\n`);
      },
    );
  };
}
