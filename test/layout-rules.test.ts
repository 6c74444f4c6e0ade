// Issue 15: facts about the source layout that the README's Layout section states, checked:
// no import circle anywhere in src/; the role-neutral layers never import a role's composition
// root or its options; runtime-specific code (node: imports, Buffer, process) stays in the
// platform and io adapters, the CLI, the key server and the relay.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const SRC = join(ROOT, "src");

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : /\.(ts|mts)$/.test(n) && !n.endsWith(".d.ts") && !n.endsWith(".d.mts") ? [p] : [];
  });
}

const files = walk(SRC);
const rel = (p: string) => relative(ROOT, p);

/** Relative imports of a file (static, dynamic and re-exports), resolved to .ts paths under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  const re = /(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\s+from\s+)?["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/g;
  for (const m of text.matchAll(re)) {
    // Type-only imports cannot form a runtime circle, but they still couple layers: keep them.
    const spec = (m[1] ?? m[2])!;
    const target = resolve(dirname(file), spec).replace(/\.js$/, ".ts").replace(/\.mjs$/, ".mts");
    out.push(target);
  }
  return out;
}

const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => files.includes(t))]));

describe("source layout", () => {
  it("has no import circle in src/ (Tarjan's strongly connected components)", () => {
    let index = 0;
    const idx = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const on = new Set<string>();
    const circles: string[][] = [];
    const visit = (v: string) => {
      idx.set(v, index);
      low.set(v, index++);
      stack.push(v);
      on.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!idx.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
      if (low.get(v) === idx.get(v)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          on.delete(w);
          scc.push(rel(w));
        } while (w !== v);
        if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) circles.push(scc);
      }
    };
    for (const f of files) if (!idx.has(f)) visit(f);
    expect(circles).toEqual([]);
  });

  it("no file of the role-neutral layers imports a composition root or the client's options", () => {
    const neutral = /^src\/ssh\/(wire|packet|cipher|mac|kex|keys|crypto|curves|transport|session|connection|algorithms|config)\//;
    const forbidden = ["src/ssh/client.ts", "src/ssh/server.ts", "src/ssh/options.ts"];
    const offenders = files
      .filter((f) => neutral.test(rel(f)))
      .flatMap((f) => (graph.get(f) ?? []).filter((t) => forbidden.includes(rel(t))).map((t) => `${rel(f)} -> ${rel(t)}`));
    expect(offenders).toEqual([]);
  });

  it("node: imports, Buffer and process appear only in the platform and io adapters, the CLI, the key server and the relay", () => {
    const allowed = /^src\/(platform|cli|keyserver|relay)\/|^src\/ssh\/io\/|^src\/entries\/|^src\/[^/]*entry\.ts$|^src\/index\.ts$/;
    const offenders: string[] = [];
    for (const f of files) {
      if (allowed.test(rel(f))) continue;
      const code = readFileSync(f, "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/(^|[^:])\/\/.*$/gm, "$1");
      if (/from\s+["']node:|import\(\s*["']node:/.test(code)) offenders.push(`${rel(f)}: node: import`);
      if (/\bBuffer\b/.test(code)) offenders.push(`${rel(f)}: Buffer`);
      if (/\bprocess\./.test(code)) offenders.push(`${rel(f)}: process`);
    }
    expect(offenders).toEqual([]);
  });

  it("the CLI's start-up graph loads no MCP SDK module: the stdio proxy must not pay its 200-400 ms", () => {
    // Static value imports only: `import type` is erased, and import() loads on demand (the HTTP
    // bridge, `serve`). An import whose every name is `type X` is erased too.
    const valueImports = (file: string): string[] => {
      const code = readFileSync(file, "utf8");
      const out: string[] = [];
      for (const m of code.matchAll(/^\s*(?:import|export)\s+(?!type\s)([^;]*?)\s*from\s+["']([^"']+)["']|^\s*import\s+["']([^"']+)["']/gm)) {
        const names = m[1];
        if (names && /^\{[^}]*\}$/.test(names.trim()) && names.slice(1, -1).split(",").every((n) => !n.trim() || /^type\s/.test(n.trim()))) continue;
        out.push((m[2] ?? m[3])!);
      }
      return out;
    };
    const seen = new Set<string>();
    const sdk: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of valueImports(file)) {
        if (spec.startsWith("@modelcontextprotocol/sdk")) sdk.push(`${rel(file)} -> ${spec}`);
        if (spec.startsWith(".")) visit(resolve(dirname(file), spec).replace(/\.js$/, ".ts"));
      }
    };
    visit(join(SRC, "cli", "main.ts"));
    expect(seen.size).toBeGreaterThan(20); // the walk followed the graph
    expect(sdk).toEqual([]);
  });
});
