import { embeddedBytes } from "../../wire/embedded-bytes.js";
import { SIMD_KERNEL_BASE64 } from "./kernel-simd.generated.js";

/**
 * Loads the chacha20-poly1305@openssh.com WebAssembly kernel (src/ssh/cipher/wasm/*.wat, embedded
 * by scripts/build-wasm.mjs). The SIMD module is imported with this file; the scalar one, which
 * only runtimes without WebAssembly SIMD need, with `import()` when it is asked for, so a split
 * browser build keeps it in a chunk that most browsers never download.
 *
 * Why asynchronous: the SIMD module is over 4 KB, and Chrome refuses synchronous compilation
 * (`new WebAssembly.Module`) of modules that large on the main thread. So `initWasmCipher()` compiles
 * with `WebAssembly.instantiate` once; the transport awaits it before the first key exchange, and a
 * cipher created before (or where WebAssembly is missing or forbidden, e.g. a CSP without
 * 'wasm-unsafe-eval') falls back to the @noble implementation. Calling it again costs one resolved
 * promise.
 *
 * One instance serves every cipher in the realm: its memory holds one packet at a time, and the
 * key of the cipher that used it last (see WasmKernel.bind).
 */

export type KernelKind = "simd" | "scalar";

interface KernelExports {
  memory: WebAssembly.Memory;
  seal(seq: number, len: number): void;
  open(seq: number, len: number): number;
  length(seq: number, head: number): number;
  /** Test entry: Poly1305 tag of memory [m, m + len) under the key at `key`, written to `out`. */
  poly1305(key: number, m: number, len: number, out: number): void;
}

/** Where packet.wat puts the packet (its memory layout comment lists the rest). */
export const PACKET_OFFSET = 1024;
const PAGE = 65536;

/** One instantiated kernel and the JavaScript views onto its memory. */
export class WasmKernel {
  private heap: Uint8Array;
  private window: Uint8Array;
  /** The cipher whose 64 key bytes are at offset 0, so alternating ciphers reload and others skip it. */
  private owner: object | null = null;

  constructor(
    readonly kind: KernelKind,
    readonly exports: KernelExports,
  ) {
    this.heap = new Uint8Array(exports.memory.buffer);
    this.window = this.heap.subarray(PACKET_OFFSET, PACKET_OFFSET);
  }

  /**
   * Make the kernel ready for a `len`-byte packet of `owner`: memory large enough, its key loaded.
   * Returns the whole memory (valid until the next bind).
   */
  bind(owner: object, key: Uint8Array, len: number): Uint8Array {
    // The packet, then (open) its body's keystream, 16-aligned (packet.wat).
    const need = PACKET_OFFSET + 2 * len + 32;
    if (need > this.heap.length) {
      this.exports.memory.grow(Math.ceil((need - this.heap.length) / PAGE));
      this.heap = new Uint8Array(this.exports.memory.buffer);
      this.window = this.heap.subarray(PACKET_OFFSET, PACKET_OFFSET);
    }
    if (this.owner !== owner) {
      this.heap.set(key, 0);
      this.owner = owner;
    }
    return this.heap;
  }

  /** A view of the first `len` packet bytes; cached, so steady traffic of one size allocates nothing. */
  packet(len: number): Uint8Array {
    if (this.window.length !== len) this.window = this.heap.subarray(PACKET_OFFSET, PACKET_OFFSET + len);
    return this.window;
  }
}

const loads = new Map<KernelKind, Promise<WasmKernel | null>>();
let active: WasmKernel | null = null;

let simd: boolean | undefined;

/** Whether this runtime validates the SIMD module (no compilation, so no size limit applies). */
export function simdSupported(): boolean {
  simd ??= typeof WebAssembly === "object" && WebAssembly.validate(embeddedBytes(SIMD_KERNEL_BASE64));
  return simd;
}

/** Instantiate one kind of kernel (memoized); null where WebAssembly is unavailable or forbidden. */
export function loadKernel(kind: KernelKind): Promise<WasmKernel | null> {
  let p = loads.get(kind);
  if (!p) {
    p = (async () => {
      if (typeof WebAssembly !== "object") return null;
      try {
        const b64 = kind === "simd" ? SIMD_KERNEL_BASE64 : (await import("./kernel-scalar.generated.js")).SCALAR_KERNEL_BASE64;
        const { instance } = await WebAssembly.instantiate(embeddedBytes(b64), {});
        return new WasmKernel(kind, instance.exports as unknown as KernelExports);
      } catch {
        // CompileError (no SIMD), a CSP refusing WebAssembly, or the scalar chunk failing to
        // download: the caller falls back.
        return null;
      }
    })();
    loads.set(kind, p);
  }
  return p;
}

/**
 * Make the kernel the active one for new ciphers: the SIMD module where the runtime validates it,
 * else the scalar one; `{ simd: false }` forces scalar. Resolves to the kind in use, or null when
 * neither loads (then ciphers use @noble).
 */
export async function initWasmCipher(opts: { simd?: boolean } = {}): Promise<KernelKind | null> {
  const wantSimd = opts.simd !== false && simdSupported();
  const kernel = (wantSimd ? await loadKernel("simd") : null) ?? (await loadKernel("scalar"));
  active = kernel;
  return kernel ? kernel.kind : null;
}

/** The kernel new ciphers should use, or null before `initWasmCipher()` resolved (or if it failed). */
export function activeKernel(): WasmKernel | null {
  return active;
}

/** Stop using WebAssembly for new ciphers (e.g. to measure or test the @noble path). */
export function deactivateWasmCipher(): void {
  active = null;
}
