// What a newcomer and a package user get: `prepare` builds only the JavaScript and skips a fresh
// dist/, declarations are emitted once (for `npm pack`), and the packed package, run the README's
// way (`npx -y mcp-over-ssh ...`, here the tarball), runs our `mcp-ssh` command; its types resolve.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../fixtures/mcp/fixture-client.js";

const BUILD = join(REPO_ROOT, "scripts", "build.mjs");
let work: string;

function run(command: string, args: string[], cwd: string, timeout = 240_000): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, timeout, env: { ...process.env, npm_config_loglevel: "warn" } }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "mcp-over-ssh-pack-"));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("package.json", () => {
  it("is published as mcp-over-ssh with the mcp-ssh command, and its scripts do no work twice", () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
    expect(pkg.name).toBe("mcp-over-ssh");
    expect(pkg.bin).toEqual({ "mcp-ssh": "./dist/cli.js" });
    expect(pkg.scripts.prepare).toBe("node scripts/build.mjs --if-stale");
    expect(pkg.scripts.prepack).toBe("node scripts/build.mjs --types --if-stale");
    expect(pkg.scripts["demo:browser"]).toMatch(/^node scripts\/build\.mjs --if-stale && /);
    // The install scripts npm 11 asks about are decided, so it prints no advisory.
    expect(Object.keys(pkg.allowScripts).sort()).toEqual(expect.arrayContaining(["bun", "deno", "esbuild", "ssh2", "cpu-features"]));
    // The README's commands name this package, never the npm name `mcp-ssh` (somebody else's).
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    expect(readme).not.toMatch(/npx (-y )?mcp-ssh\b|"-y", "mcp-ssh"|from "mcp-ssh[/"]/);
    expect(readme).toContain('"args": ["-y", "mcp-over-ssh"');
  });
});

describe("scripts/build.mjs", () => {
  it("builds JavaScript and declarations, skips what is fresh, rebuilds what a source change made stale", async () => {
    const full = await run(process.execPath, [BUILD, "--types"], REPO_ROOT);
    expect(full.code, full.out).toBe(0);
    expect(full.out).toMatch(/build: JavaScript \(tsup\) in [\d.]+ s/);
    expect(full.out).toMatch(/build: declarations \(tsc --emitDeclarationOnly\) in [\d.]+ s/);
    for (const file of ["cli.js", "index.js", "index.d.ts", "mcp.d.ts", "ssh.d.ts", "keyserver.d.ts", "browser/mcp-ssh.js", "browser/mcp-ssh.d.ts", "browser/mcp-ssh-core.d.ts"]) {
      expect(existsSync(join(REPO_ROOT, "dist", file)), file).toBe(true);
    }
    // One declaration pass: the entry stubs re-export dist/types (no per-bundle .d.ts copies).
    expect(readFileSync(join(REPO_ROOT, "dist", "index.d.ts"), "utf8")).toBe('export * from "./types/entries/index.js";\n');

    const again = await run(process.execPath, [BUILD, "--types", "--if-stale"], REPO_ROOT);
    expect(again.code, again.out).toBe(0);
    expect(again.out).toContain("JavaScript is newer than the sources; not rebuilt");
    expect(again.out).toContain("declarations are newer than the sources; not rebuilt");

    // A source file edited after the build: both parts are stale again.
    const source = join(REPO_ROOT, "src", "entries", "index.ts");
    const now = new Date(Date.now() + 2000);
    utimesSync(source, now, now);
    const stale = await run(process.execPath, [BUILD, "--if-stale"], REPO_ROOT);
    expect(stale.code, stale.out).toBe(0);
    expect(stale.out).toMatch(/build: JavaScript \(tsup\) in/);
    expect(statSync(join(REPO_ROOT, "dist", ".built-js")).mtimeMs).toBeGreaterThan(statSync(source).mtimeMs);
  });
});

describe("the packed package", () => {
  it("npx -y <package> runs mcp-ssh, and a TypeScript user's imports resolve to its declarations", async () => {
    const packed = await run("npm", ["pack", "--pack-destination", work], REPO_ROOT);
    expect(packed.code, packed.out).toBe(0);
    const tarball = readdirSync(work).find((f) => /^mcp-over-ssh-.*\.tgz$/.test(f));
    expect(tarball, packed.out).toBeDefined();

    // The package's single bin is named mcp-ssh, not like the package: npx still runs it.
    const help = await run("npx", ["-y", "--prefer-offline", `./${tarball}`, "--help"], work);
    expect(help.code, help.out).toBe(0);
    expect(help.out).toMatch(/^usage: mcp-ssh \[options\]/);

    const consumer = join(work, "consumer");
    mkdirSync(consumer);
    writeFileSync(join(consumer, "package.json"), '{"name":"consumer","version":"1.0.0","type":"module","private":true}\n');
    const installed = await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", join(work, tarball!)], consumer);
    expect(installed.code, installed.out).toBe(0);
    writeFileSync(
      join(consumer, "check.ts"),
      [
        'import { SSHClient, HostKeyMismatchError } from "mcp-over-ssh";',
        'import { SSHClientTransport } from "mcp-over-ssh/mcp";',
        'import { enrollWithKeyServer } from "mcp-over-ssh/keyserver";',
        'import type { ByteStream } from "mcp-over-ssh/ssh";',
        "// @ts-expect-error not exported: the declarations are real, not `any`",
        'import { NoSuchThing } from "mcp-over-ssh";',
        "export const used: unknown[] = [SSHClient.connect, SSHClientTransport, HostKeyMismatchError, enrollWithKeyServer, NoSuchThing];",
        "export type S = ByteStream;",
        "",
      ].join("\n"),
    );
    const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
    const typeRoots = join(REPO_ROOT, "node_modules", "@types");
    const checked = await run(
      process.execPath,
      [tsc, "--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--skipLibCheck", "--types", "node", "--typeRoots", typeRoots, "check.ts"],
      consumer,
    );
    expect(checked.code, checked.out).toBe(0);
  });
});
