// Building blocks for the property tests of our parsers: byte mutations of valid inputs, random
// chunking of a byte stream, and the check that a parser fails only with our typed errors and
// within a bounded time.
import fc from "fast-check";
import { SSHError } from "../../src/ssh/errors.js";

/** Longest a single parser call may take on the small inputs these tests generate. */
export const CASE_TIME_LIMIT_MS = 1000;

/** Something other than an SSHError escaped a parser: the property fails with it as the cause. */
export class UntypedError extends Error {}

/**
 * Run `fn`. Returns its result, or the SSHError it threw; any other exception (TypeError,
 * RangeError, ...) fails the property, and so does a call that runs longer than the limit (a loop
 * that never ends makes the test time out instead, which fails it too).
 */
export function typedOnly<T>(what: string, fn: () => T): T | SSHError {
  const started = performance.now();
  try {
    return fn();
  } catch (e) {
    if (e instanceof SSHError) return e;
    throw new UntypedError(`${what} threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, { cause: e });
  } finally {
    const ms = performance.now() - started;
    if (ms > CASE_TIME_LIMIT_MS) throw new UntypedError(`${what} took ${ms.toFixed(0)} ms`);
  }
}

/** Like typedOnly for async work, with a deadline instead of a measurement. */
export async function typedOnlyAsync<T>(what: string, fn: () => Promise<T>): Promise<T | SSHError> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UntypedError(`${what} did not settle within ${CASE_TIME_LIMIT_MS} ms`)), CASE_TIME_LIMIT_MS);
  });
  try {
    return await Promise.race([fn(), deadline]);
  } catch (e) {
    if (e instanceof SSHError) return e;
    if (e instanceof UntypedError) throw e;
    throw new UntypedError(`${what} rejected with ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, { cause: e });
  } finally {
    clearTimeout(timer);
  }
}

/** Interesting uint32 values for length fields: zero, small, around our limits, the top of the range. */
export const edgeUint32 = fc.constantFrom(0, 1, 4, 5, 255, 256, 4096, 65535, 65536, 65537, 262144, 262145, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff);

export type Mutation =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "set"; at: number; value: number }
  | { kind: "uint32"; at: number; value: number }
  | { kind: "truncate"; at: number }
  | { kind: "insert"; at: number; bytes: Uint8Array }
  | { kind: "delete"; at: number; count: number };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: fc.nat(255) }),
  fc.record({ kind: fc.constant("uint32" as const), at: fc.nat(), value: fc.oneof(edgeUint32, fc.nat(0xffffffff)) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
);

/** Apply mutations in order (positions taken modulo the current length). */
export function mutate(input: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let b = Uint8Array.from(input);
  for (const m of mutations) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    switch (m.kind) {
      case "flip":
        b[at]! ^= 1 << m.bit;
        break;
      case "set":
        b[at] = m.value;
        break;
      case "uint32":
        for (let i = 0; i < 4 && at + i < b.length; i++) b[at + i] = (m.value >>> (24 - 8 * i)) & 0xff;
        break;
      case "truncate":
        b = b.slice(0, at);
        break;
      case "insert":
        b = Uint8Array.from([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]);
        break;
      case "delete":
        b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + m.count)]);
        break;
    }
  }
  return b;
}

/** Chunk sizes to cut a stream into (cycled). */
export const chunkSizes = fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 12 });

export function chunk(data: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0, i = 0; o < data.length; i++) {
    const n = sizes[i % sizes.length]!;
    out.push(data.slice(o, o + n));
    o += n;
  }
  return out;
}

/** Index of the first byte where a and b differ (or the shorter length); -1 if equal. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}
