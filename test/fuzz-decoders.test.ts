// Issue 8: property tests (fast-check) of the wire decoder, the packet layer and the parsers of
// what a peer or a file hands us, on random and mutated input: only typed errors (SSHError
// subclasses), never a TypeError/RangeError, never a call that does not end.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SSHError } from "../src/ssh/errors.js";
import { SshReader } from "../src/ssh/wire/reader.js";
import { SshWriter } from "../src/ssh/wire/writer.js";
import { fromBase64, toBase64 } from "../src/ssh/wire/bytes.js";
import { PacketDecoder } from "../src/ssh/packet/packet-decoder.js";
import { PacketEncoder } from "../src/ssh/packet/packet-encoder.js";
import type { PacketCipher } from "../src/ssh/cipher/cipher.js";
import { ChaCha20Poly1305 } from "../src/ssh/cipher/chacha20-poly1305.js";
import { ChaCha20Poly1305Wasm } from "../src/ssh/cipher/chacha20-poly1305-wasm.js";
import { loadKernel, simdSupported } from "../src/ssh/cipher/wasm/loader.js";
import { decodeKexInit, encodeKexInit, type KexInit } from "../src/ssh/kex/kexinit.js";
import { VersionParser } from "../src/ssh/transport/version.js";
import { decodePublicBlob, parsePublicKeyLine } from "../src/ssh/keys/public-key.js";
import { parsePrivateKey } from "../src/ssh/keys/openssh-private-key.js";
import { generateEd25519Key } from "../src/ssh/keys/generate-key.js";
import { chunk, chunkSizes, edgeUint32, firstDifference, mutate, mutation, typedOnly, typedOnlyAsync } from "./helpers/fuzz.js";

const RUNS = 1000;

describe("SshReader", () => {
  const ops = ["byte", "boolean", "uint32", "uint64", "string", "text", "nameList", "mpint", "bytes", "rest", "end"] as const;
  // Inputs that are mostly length prefixes: the interesting case for a decoder of length-prefixed data.
  const lengthy = fc
    .array(fc.oneof(fc.tuple(edgeUint32, fc.uint8Array({ maxLength: 24 })), fc.tuple(fc.nat(40), fc.uint8Array({ maxLength: 40 }))))
    .map((parts) => {
      const w = new SshWriter();
      for (const [len, body] of parts) w.uint32(len).raw(body);
      return w.finish().slice();
    });

  it("any sequence of reads on any input: typed errors only, never past the end", () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), lengthy), fc.array(fc.constantFrom(...ops), { maxLength: 16 }), fc.nat(300), (buf, seq, n) => {
        const r = new SshReader(buf);
        for (const op of seq) {
          const result = typedOnly(`SshReader.${op}`, () => (op === "bytes" ? r.bytes(n) : op === "end" ? r.end("fuzz") : r[op]()));
          expect(r.offset).toBeLessThanOrEqual(buf.length);
          if (result instanceof SSHError) break;
          if (result instanceof Uint8Array) expect(result.length).toBeLessThanOrEqual(buf.length);
        }
      }),
      { numRuns: RUNS * 3 },
    );
  });
});

/** Feed chunks to a decoder and collect payloads until it needs more bytes or throws. */
function decodeChunks(d: PacketDecoder, chunks: Uint8Array[]): { payloads: Uint8Array[]; error: SSHError | null } {
  const payloads: Uint8Array[] = [];
  let total = 0;
  for (const c of chunks) {
    d.push(c);
    total += c.length;
    for (;;) {
      const p = typedOnly("PacketDecoder.next", () => d.next());
      if (p instanceof SSHError) return { payloads, error: p };
      if (p === null) break;
      payloads.push(p.slice());
      // Every payload costs at least 9 bytes of stream: more payloads than bytes means a loop.
      expect(payloads.length).toBeLessThanOrEqual(total);
    }
  }
  return { payloads, error: null };
}

const payloads = fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { minLength: 1, maxLength: 6 });

function encodeStream(list: Uint8Array[], key?: Uint8Array, seq = 0): { stream: Uint8Array; ends: number[] } {
  const enc = new PacketEncoder();
  if (key) enc.cipher = new ChaCha20Poly1305(key);
  enc.seq = seq;
  const packets = list.map((p) => enc.encodePayload(p));
  const stream = new Uint8Array(packets.reduce((n, p) => n + p.length, 0));
  const ends: number[] = [];
  let o = 0;
  for (const p of packets) {
    stream.set(p, o);
    o += p.length;
    ends.push(o);
  }
  return { stream, ends };
}

describe("PacketDecoder, null cipher (before the first NEWKEYS)", () => {
  it("random bytes in random chunks: typed errors only", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), chunkSizes, (bytes, sizes) => {
        decodeChunks(new PacketDecoder(), chunk(bytes, sizes));
      }),
      { numRuns: RUNS },
    );
  });

  it("valid packet streams in random chunks decode to the payloads sent", () => {
    fc.assert(
      fc.property(payloads, chunkSizes, (list, sizes) => {
        const { payloads: got, error } = decodeChunks(new PacketDecoder(), chunk(encodeStream(list).stream, sizes));
        expect(error).toBeNull();
        expect(got).toEqual(list);
      }),
      { numRuns: RUNS },
    );
  });

  it("mutated packet streams: typed errors only, and packets before the first change intact", () => {
    fc.assert(
      fc.property(payloads, fc.array(mutation, { minLength: 1, maxLength: 4 }), chunkSizes, (list, muts, sizes) => {
        const { stream, ends } = encodeStream(list);
        const bad = mutate(stream, muts);
        const { payloads: got } = decodeChunks(new PacketDecoder(), chunk(bad, sizes));
        const diff = firstDifference(stream, bad);
        const intact = diff < 0 ? list.length : ends.filter((e) => e <= diff).length;
        expect(got.slice(0, intact)).toEqual(list.slice(0, Math.min(intact, got.length)));
      }),
      { numRuns: RUNS },
    );
  });
});

// Streams are sealed by @noble (the reference) and opened by each implementation we ship.
const openers: [string, (key: Uint8Array) => PacketCipher][] = [["@noble", (k) => new ChaCha20Poly1305(k)]];
for (const kind of ["scalar", "simd"] as const) {
  if (kind === "simd" && !simdSupported()) continue;
  const kernel = await loadKernel(kind);
  if (!kernel) throw new Error(`the ${kind} WebAssembly kernel did not load in Node`);
  openers.push([`WebAssembly ${kind}`, (k) => new ChaCha20Poly1305Wasm(k, kernel)]);
}

describe.each(openers)("PacketDecoder, chacha20-poly1305@openssh.com opened by %s", (_name, opener) => {
  const key = fc.uint8Array({ minLength: 64, maxLength: 64 });
  const seq = fc.oneof(fc.constant(0), fc.nat(0xffffffff), fc.constant(0xffffffff));

  function decoderFor(k: Uint8Array, s: number): PacketDecoder {
    const d = new PacketDecoder();
    d.cipher = opener(k);
    d.seq = s;
    return d;
  }

  it("valid streams in random chunks, any starting sequence number: the payloads sent", () => {
    fc.assert(
      fc.property(key, seq, payloads, chunkSizes, (k, s, list, sizes) => {
        const { payloads: got, error } = decodeChunks(decoderFor(k, s), chunk(encodeStream(list, k, s).stream, sizes));
        expect(error).toBeNull();
        expect(got).toEqual(list);
      }),
      { numRuns: RUNS / 2 },
    );
  });

  it("mutated streams: exactly the packets before the first changed byte come out, then an error or a wait", () => {
    fc.assert(
      fc.property(key, seq, payloads, fc.array(mutation, { minLength: 1, maxLength: 4 }), chunkSizes, (k, s, list, muts, sizes) => {
        const { stream, ends } = encodeStream(list, k, s);
        const bad = mutate(stream, muts);
        const diff = firstDifference(stream, bad);
        fc.pre(diff >= 0);
        const { payloads: got } = decodeChunks(decoderFor(k, s), chunk(bad, sizes));
        const intact = ends.filter((e) => e <= diff).length;
        // The tag covers every byte of a packet: nothing from a changed packet (or after it) is accepted.
        expect(got).toEqual(list.slice(0, intact));
      }),
      { numRuns: RUNS / 2 },
    );
  });
});

const name = fc.stringMatching(/^[\x21-\x2b\x2d-\x7e]{1,24}$/);
const nameList = fc.array(name, { maxLength: 6 });
const kexInit: fc.Arbitrary<KexInit> = fc.record({
  cookie: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  kex: nameList,
  hostKey: nameList,
  cipherC2S: nameList,
  cipherS2C: nameList,
  macC2S: nameList,
  macS2C: nameList,
  compC2S: nameList,
  compS2C: nameList,
  langC2S: nameList,
  langS2C: nameList,
  firstKexFollows: fc.boolean(),
});

describe("decodeKexInit", () => {
  it("encode/decode round trip", () => {
    fc.assert(
      fc.property(kexInit, (k) => {
        expect(decodeKexInit(encodeKexInit(k))).toEqual(k);
      }),
      { numRuns: RUNS },
    );
  });

  it("random and mutated KEXINIT payloads: typed errors only", () => {
    const random = fc.uint8Array({ maxLength: 400 }).map((b) => Uint8Array.from([20, ...b]));
    const mutated = fc.tuple(kexInit, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([k, m]) => mutate(encodeKexInit(k), m));
    fc.assert(
      fc.property(fc.oneof(random, mutated), (payload) => {
        typedOnly("decodeKexInit", () => decodeKexInit(payload));
      }),
      { numRuns: RUNS * 2 },
    );
  });
});

describe("VersionParser", () => {
  const line = fc.oneof(
    fc.string({ unit: "binary-ascii", maxLength: 300 }),
    fc.string({ unit: "binary-ascii", maxLength: 40 }).map((s) => `SSH-${s}`),
    fc.string({ unit: "binary-ascii", maxLength: 40 }).map((s) => `SSH-2.0-${s}`),
    fc.string({ unit: "grapheme", maxLength: 40 }).map((s) => `SSH-2.0-${s}`),
    fc.string({ unit: "grapheme", maxLength: 80 }),
  );
  const banner = fc.tuple(fc.array(line, { maxLength: 8 }), fc.constantFrom("\r\n", "\n")).map(([lines, eol]) => lines.map((l) => l + eol).join(""));

  it("random lines in random chunks: a valid SSH-2.0 identification or a typed error", () => {
    fc.assert(
      fc.property(fc.oneof(banner, fc.string({ unit: "binary", maxLength: 300 })), fc.uint8Array({ maxLength: 64 }), chunkSizes, (text, tail, sizes) => {
        const p = new VersionParser();
        const bytes = Uint8Array.from([...new TextEncoder().encode(text), ...tail]);
        for (const c of chunk(bytes, sizes)) {
          const v = typedOnly("VersionParser.push", () => p.push(c));
          if (v instanceof SSHError) return;
          if (v) {
            expect(v.version).toMatch(/^SSH-(2\.0|1\.99)-[^\x00-\x1f\x7f]*$/);
            expect(new TextEncoder().encode(v.version).length).toBeLessThanOrEqual(253);
            return;
          }
        }
      }),
      { numRuns: RUNS * 2 },
    );
  });
});

const fuzzKeys = await Promise.all(Array.from({ length: 4 }, () => generateEd25519Key({ comment: "fuzz" })));

describe("public keys and base64", () => {
  const keys = fuzzKeys;
  const blobs = keys.map((k) => fromBase64(k.publicKeyLine.split(" ")[1]!)!);

  it("decodePublicBlob on random and mutated blobs: typed errors only", () => {
    const mutated = fc.tuple(fc.constantFrom(...blobs), fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([b, m]) => mutate(b, m));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 120 }), mutated), (blob) => {
        typedOnly("decodePublicBlob", () => decodePublicBlob(blob));
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it("parsePublicKeyLine on random and mutated lines: typed errors only; valid lines round-trip", () => {
    const mutatedLine = fc
      .tuple(fc.constantFrom(...keys.map((k) => k.publicKeyLine)), fc.array(mutation, { minLength: 1, maxLength: 3 }))
      .map(([l, m]) => new TextDecoder().decode(mutate(new TextEncoder().encode(l), m)));
    const mutatedBlob = fc
      .tuple(fc.constantFrom(...blobs), fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.string({ maxLength: 20 }))
      .map(([b, m, comment]) => `ssh-ed25519 ${toBase64(mutate(b, m))} ${comment}`);
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 200 }), mutatedLine, mutatedBlob, fc.constantFrom(...keys.map((k) => k.publicKeyLine))), (line) => {
        const k = typedOnly("parsePublicKeyLine", () => parsePublicKeyLine(line));
        if (!(k instanceof SSHError)) expect(`${k.type} ${toBase64(k.blob)}`).toBe(line.trim().split(/[ \t]+/).slice(0, 2).join(" "));
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it("fromBase64 never throws; what it accepts re-encodes to the same digits", () => {
    const b64ish = fc.string({ unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n".split("")), maxLength: 80 });
    const valid = fc.uint8Array({ maxLength: 60 }).map((b) => toBase64(b));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 80 }), b64ish, valid), (text) => {
        const out = typedOnly("fromBase64", () => fromBase64(text));
        if (out instanceof Uint8Array) expect(toBase64(out, false)).toBe(text.replace(/=+$/, ""));
        else expect(out).toBeNull();
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it("parsePrivateKey on random and mutated key files: typed errors only", async () => {
    const files = [(await generateEd25519Key()).privateKey, (await generateEd25519Key({ comment: "x".repeat(40) })).privateKey];
    // Mutate the binary inside the armor as well as the text around it.
    const mutatedBinary = fc.tuple(fc.constantFrom(...files), fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([f, m]) => {
      const body = f.split("\n").filter((l) => l && !l.startsWith("-----")).join("");
      const bytes = mutate(fromBase64(body)!, m);
      return `-----BEGIN OPENSSH PRIVATE KEY-----\n${toBase64(bytes).replace(/.{70}/g, "$&\n")}\n-----END OPENSSH PRIVATE KEY-----\n`;
    });
    const mutatedText = fc
      .tuple(fc.constantFrom(...files), fc.array(mutation, { minLength: 1, maxLength: 3 }))
      .map(([f, m]) => new TextDecoder().decode(mutate(new TextEncoder().encode(f), m)));
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutatedBinary, mutatedText, fc.string({ unit: "binary", maxLength: 200 }), fc.uint8Array({ maxLength: 200 })), async (file) => {
        await typedOnlyAsync("parsePrivateKey", () => parsePrivateKey(file));
      }),
      { numRuns: RUNS },
    );
  });
});
