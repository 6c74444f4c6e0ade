/**
 * sntrup761 where its WebAssembly kernel cannot load: no WebAssembly at all, or compilation
 * refused (a CSP without 'wasm-unsafe-eval', or a runtime without WebAssembly SIMD, which rejects
 * the module the same way). initSntrup761Kernel() resolves false without throwing and the
 * JavaScript path gives the same keys as the kernel for the same randomness.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import * as withKernel from "../src/ssh/crypto/sntrup761.js";

type Sntrup = typeof import("../src/ssh/crypto/sntrup761.js");

/** A deterministic random source (the same bytes for both paths). */
function seeded(seed: number): (n: number) => Uint8Array {
  let s = seed;
  return (n) =>
    Uint8Array.from({ length: n }, () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s >>> 24;
    });
}

/** sntrup761.ts with fresh module state; its loader (the same fresh instance) must have no kernel. */
async function freshModule(): Promise<Sntrup> {
  vi.resetModules();
  const fresh = await import("../src/ssh/crypto/sntrup761.js");
  const loader = await import("../src/ssh/crypto/sntrup761-wasm/loader.js");
  expect(await fresh.initSntrup761Kernel()).toBe(false);
  expect(loader.sntrup761Kernel()).toBeNull();
  return fresh;
}

/** After a failed load (and with WebAssembly back), the module stays on its JavaScript path. */
async function expectJavaScriptPath(fresh: Sntrup): Promise<void> {
  expect(await fresh.initSntrup761Kernel()).toBe(false);
  expect(await withKernel.initSntrup761Kernel()).toBe(true);
  const js = fresh.sntrup761KeyPair(seeded(5));
  const wasm = withKernel.sntrup761KeyPair(seeded(5));
  expect(js.publicKey).toEqual(wasm.publicKey);
  expect(js.secretKey).toEqual(wasm.secretKey);
  const { ciphertext, sharedSecret } = fresh.sntrup761Encapsulate(js.publicKey);
  expect(fresh.sntrup761Decapsulate(ciphertext, js.secretKey)).toEqual(sharedSecret);
  expect(withKernel.sntrup761Decapsulate(ciphertext, wasm.secretKey)).toEqual(sharedSecret);
}

describe("sntrup761 without its WebAssembly kernel", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("runs the JavaScript where WebAssembly does not exist", async () => {
    vi.stubGlobal("WebAssembly", undefined);
    const fresh = await freshModule();
    vi.unstubAllGlobals();
    await expectJavaScriptPath(fresh);
  });

  it("runs the JavaScript where compiling WebAssembly is refused (CSP, or no SIMD)", async () => {
    const real = WebAssembly;
    vi.stubGlobal("WebAssembly", {
      ...real,
      instantiate: () => Promise.reject(new real.CompileError("WebAssembly.instantiate(): refused by CSP")),
    });
    const fresh = await freshModule();
    vi.unstubAllGlobals();
    await expectJavaScriptPath(fresh);
  });
});
