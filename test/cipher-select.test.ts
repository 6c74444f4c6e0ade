import { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ChaCha20Poly1305 } from "../src/ssh/cipher/chacha20-poly1305.js";
import { ChaCha20Poly1305Wasm } from "../src/ssh/cipher/chacha20-poly1305-wasm.js";
import { chacha20Poly1305, cipherImplementation, prepareCiphers } from "../src/ssh/cipher/select.js";

// The factory the transport uses: nothing until prepareCiphers() (or the cipher table row's
// loader) resolves, so that a browser imports @noble's ChaCha20 only where WebAssembly is missing;
// then the WebAssembly kernel, or @noble; the same bytes either way.

function sealWith(impl: { create(key: Uint8Array, iv: Uint8Array): { seal(seq: number, buf: Uint8Array): void } }): Uint8Array {
  const key = Uint8Array.from({ length: 64 }, (_, i) => i * 3);
  const buf = Uint8Array.from({ length: 4 + 520 + 16 }, (_, i) => i);
  new DataView(buf.buffer).setUint32(0, 520);
  impl.create(key, new Uint8Array(0)).seal(77, buf);
  return buf;
}

describe("chacha20Poly1305 factory", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("has no implementation before prepareCiphers(), the SIMD kernel after, @noble when asked, and seals identically", async () => {
    expect(chacha20Poly1305.name).toBe("chacha20-poly1305@openssh.com");
    expect(chacha20Poly1305.keyLength).toBe(64);
    expect(cipherImplementation()).toBe("noble");
    expect(() => chacha20Poly1305.create(new Uint8Array(64), new Uint8Array(0))).toThrow(/await prepareCiphers\(\) first/);
    const nobleBytes = sealWith({ create: (key) => new ChaCha20Poly1305(key) });

    expect(await prepareCiphers()).toBe("wasm-simd");
    expect(await prepareCiphers()).toBe("wasm-simd"); // again: cheap, same answer
    const after = chacha20Poly1305.create(new Uint8Array(64), new Uint8Array(0));
    expect(after).toBeInstanceOf(ChaCha20Poly1305Wasm);
    expect((after as ChaCha20Poly1305Wasm).kernelKind).toBe("simd");
    expect(sealWith(chacha20Poly1305)).toEqual(nobleBytes);

    expect(await prepareCiphers({ simd: false })).toBe("wasm-scalar");
    expect((chacha20Poly1305.create(new Uint8Array(64), new Uint8Array(0)) as ChaCha20Poly1305Wasm).kernelKind).toBe("scalar");
    expect(sealWith(chacha20Poly1305)).toEqual(nobleBytes);

    expect(await prepareCiphers({ wasm: false })).toBe("noble");
    expect(chacha20Poly1305.create(new Uint8Array(64), new Uint8Array(0))).toBeInstanceOf(ChaCha20Poly1305);
    expect(await prepareCiphers()).toBe("wasm-simd");
  });

  it("stays on @noble where WebAssembly does not exist, without throwing", async () => {
    vi.resetModules();
    vi.stubGlobal("WebAssembly", undefined);
    const fresh = await import("../src/ssh/cipher/select.js");
    expect(await fresh.prepareCiphers()).toBe("noble");
    expect(fresh.chacha20Poly1305.create(new Uint8Array(64), new Uint8Array(0)).constructor.name).toBe("ChaCha20Poly1305");
  });

  it("stays on @noble where compiling WebAssembly is refused (e.g. a CSP without wasm-unsafe-eval)", async () => {
    vi.resetModules();
    const real = WebAssembly;
    vi.stubGlobal("WebAssembly", {
      ...real,
      validate: real.validate,
      instantiate: () => Promise.reject(new real.CompileError("WebAssembly.instantiate(): refused by CSP")),
    });
    const fresh = await import("../src/ssh/cipher/select.js");
    expect(await fresh.prepareCiphers()).toBe("noble");
    expect(fresh.cipherImplementation()).toBe("noble");
  });
});

describe("which kernel module is loaded", () => {
  const SCALAR_MODULE = "../src/ssh/cipher/wasm/kernel-scalar.generated.js";
  let scalarImports = 0;

  /** select.js with fresh loader state, counting imports of the scalar kernel's module. */
  async function freshSelect(): Promise<typeof import("../src/ssh/cipher/select.js")> {
    vi.resetModules();
    scalarImports = 0;
    vi.doMock(SCALAR_MODULE, async (importOriginal) => {
      scalarImports++;
      return importOriginal();
    });
    return import("../src/ssh/cipher/select.js");
  }

  afterEach(() => {
    vi.doUnmock(SCALAR_MODULE);
    vi.unstubAllGlobals();
  });

  it("does not import the scalar kernel where SIMD works, and imports it when scalar is forced", async () => {
    const fresh = await freshSelect();
    expect(await fresh.prepareCiphers()).toBe("wasm-simd");
    expect(scalarImports).toBe(0);
    expect(await fresh.prepareCiphers({ simd: false })).toBe("wasm-scalar");
    expect(scalarImports).toBe(1);
    expect(sealWith(fresh.chacha20Poly1305)).toEqual(sealWith({ create: (key) => new ChaCha20Poly1305(key) }));
  });

  it("falls back to the scalar kernel where the SIMD module does not validate", async () => {
    const real = WebAssembly;
    vi.stubGlobal("WebAssembly", { ...real, validate: () => false, instantiate: real.instantiate });
    const fresh = await freshSelect();
    expect(await fresh.prepareCiphers()).toBe("wasm-scalar");
    expect(scalarImports).toBe(1);
  });

  it("falls back to the scalar kernel where the SIMD module validates but does not instantiate", async () => {
    const real = WebAssembly;
    let calls = 0;
    vi.stubGlobal("WebAssembly", {
      ...real,
      validate: real.validate,
      // The SIMD module is always tried first.
      instantiate: (bytes: ArrayBuffer) =>
        calls++ === 0 ? Promise.reject(new real.CompileError("no SIMD here")) : real.instantiate(bytes, {}),
    });
    const fresh = await freshSelect();
    expect(await fresh.prepareCiphers()).toBe("wasm-scalar");
    expect(calls).toBe(2);
  });
});

describe("embedded kernel", () => {
  it("is what the committed WAT sources assemble to (scripts/build-wasm.mjs --check)", () => {
    const run = spawnSync(process.execPath, ["scripts/build-wasm.mjs", "--check"], { encoding: "utf8", timeout: 60_000 });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });
});
