import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { ChaCha20Poly1305 } from "../src/ssh/cipher/chacha20-poly1305.js";

// "One ESM import works everywhere": the same source (embedded kernel, async instantiation) run
// by Deno, Bun and Chromium (main thread, where synchronous compilation of modules over 4 KB is
// refused) must seal exactly what @noble seals here in Node.

const root = resolve(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "mcp-ssh-cipher-runtimes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SIZES = [20, 100, 1044, 32788, 262164];
const SEQ = 0xfffffff3;

/** FNV-1a, just to keep the runtimes' answers short. */
function fnv(buf: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of buf) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h;
}

const input = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 13 + 5) & 255);
const key = Uint8Array.from({ length: 64 }, (_, i) => (i * 7 + 1) & 255);

function expected(): Record<string, number[]> {
  const hashes = SIZES.map((n) => {
    const buf = input(n);
    new ChaCha20Poly1305(key).seal(SEQ, buf);
    return fnv(buf);
  });
  return { simd: hashes, scalar: hashes };
}

/** Runs in the other runtime: seal with each kernel, hash, and check that open restores the input. */
const script = `
import { ChaCha20Poly1305Wasm } from ${JSON.stringify(join(root, "src/ssh/cipher/chacha20-poly1305-wasm.ts"))};
import { loadKernel } from ${JSON.stringify(join(root, "src/ssh/cipher/wasm/loader.ts"))};
${fnv.toString()}
const input = ${input.toString()};
const key = Uint8Array.from({ length: 64 }, (_, i) => (i * 7 + 1) & 255);
export async function run() {
  const out = {};
  for (const kind of ["simd", "scalar"]) {
    const kernel = await loadKernel(kind);
    if (!kernel) throw new Error(kind + " kernel did not load");
    out[kind] = ${JSON.stringify(SIZES)}.map((n) => {
      const buf = input(n);
      new ChaCha20Poly1305Wasm(key, kernel).seal(${SEQ}, buf);
      const h = fnv(buf);
      new ChaCha20Poly1305Wasm(key, kernel).open(${SEQ}, buf);
      const back = input(n);
      for (let i = 0; i < n - 16; i++) if (buf[i] !== back[i]) throw new Error(kind + ": open did not restore byte " + i);
      return h;
    });
  }
  return out;
}
`;

function runtimeBinary(name: string): string {
  const bin = join(root, "node_modules/.bin", name);
  if (!existsSync(bin)) throw new Error(`${name} is missing: run \`npm install\` (it is a devDependency)`);
  return bin;
}

describe("the wasm cipher in other runtimes", () => {
  it("Deno seals like @noble in Node", () => {
    const file = join(dir, "deno.ts");
    writeFileSync(file, `${script}\nconsole.log(JSON.stringify(await run()));\n`);
    // --sloppy-imports: the sources import "./x.js" for x.ts, as TypeScript's NodeNext wants
    const out = execFileSync(runtimeBinary("deno"), ["run", "--quiet", "--sloppy-imports", "--allow-read", file], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(JSON.parse(out.trim().split("\n").at(-1)!)).toEqual(expected());
  });

  it("Bun seals like @noble in Node", () => {
    const file = join(dir, "bun.ts");
    writeFileSync(file, `${script}\nconsole.log(JSON.stringify(await run()));\n`);
    const out = execFileSync(runtimeBinary("bun"), [file], { encoding: "utf8", timeout: 60_000 });
    expect(JSON.parse(out.trim().split("\n").at(-1)!)).toEqual(expected());
  });

  it("Chromium seals like @noble in Node, loading the kernel on the main thread", async () => {
    const chromiumPath = "/usr/bin/chromium";
    if (!existsSync(chromiumPath)) throw new Error("Chromium is missing: apt-get install chromium");
    const bundle = await build({
      stdin: { contents: `${script}\nglobalThis.cipherResult = run().catch((e) => ({ error: String(e) }));\n`, resolveDir: root, loader: "ts" },
      bundle: true,
      format: "esm",
      platform: "browser",
      write: false,
      logLevel: "error",
    });
    const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
    try {
      const page = await browser.newPage();
      await page.setContent("<!doctype html><title>cipher</title>");
      await page.addScriptTag({ type: "module", content: bundle.outputFiles[0]!.text });
      await page.waitForFunction(() => "cipherResult" in globalThis, null, { timeout: 30_000 });
      const result = await page.evaluate(() => (globalThis as unknown as { cipherResult: Promise<unknown> }).cipherResult);
      expect(result).toEqual(expected());
    } finally {
      await browser.close();
    }
  });
});
