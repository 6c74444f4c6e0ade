// The packet decoder joins reads that are adjacent views of one buffer (what the Node TCP adapter
// produces) and opens packets that straddle them in place; anything else is still assembled.
import { describe, expect, it } from "vitest";
import { PacketDecoder } from "../src/ssh/packet/packet-decoder.js";
import { PacketEncoder } from "../src/ssh/packet/packet-encoder.js";
import { ChaCha20Poly1305 } from "../src/ssh/cipher/chacha20-poly1305.js";

const key = new Uint8Array(64).map((_, i) => i * 7 + 1);

function payloadsOf(count: number, size: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => new Uint8Array(size).map((_, j) => (i * 31 + j) & 0xff));
}

/** The packets of `list` back to back, sealed as a server would send them. */
function sealedStream(list: Uint8Array[]): Uint8Array {
  const enc = new PacketEncoder();
  enc.cipher = new ChaCha20Poly1305(key);
  const packets = list.map((p) => enc.encodePayload(p));
  const out = new Uint8Array(packets.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of packets) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function decodeAll(chunks: Uint8Array[]): Uint8Array[] {
  const d = new PacketDecoder();
  d.cipher = new ChaCha20Poly1305(key);
  const out: Uint8Array[] = [];
  for (const c of chunks) {
    d.push(c);
    for (let p = d.next(); p; p = d.next()) out.push(p);
  }
  expect(d.bufferedBytes).toBe(0);
  return out;
}

/** Cut `buf` into views of itself at the given sizes, repeated. */
function views(buf: Uint8Array, sizes: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0, i = 0; o < buf.length; i++) {
    const n = Math.min(sizes[i % sizes.length]!, buf.length - o);
    out.push(buf.subarray(o, o + n));
    o += n;
  }
  return out;
}

describe("PacketDecoder with adjacent views", () => {
  const list = payloadsOf(12, 32 * 1024 + 9);

  it("opens packets split across adjacent views of one buffer in place", () => {
    const stream = sealedStream(list);
    for (const sizes of [[65536], [1, 3, 70000], [40000, 5, 24000], [17]]) {
      const got = decodeAll(views(stream.slice(), sizes));
      expect(got).toEqual(list);
      // A view of the buffer the reads landed in: no packet was copied together.
      const buffers = new Set(got.map((p) => p.buffer));
      expect(buffers.size).toBe(1);
    }
  });

  it("assembles packets split across separate buffers", () => {
    const stream = sealedStream(list);
    const chunks = views(stream, [50000]).map((c) => c.slice());
    const got = decodeAll(chunks);
    expect(got).toEqual(list);
  });

  it("does not join views of one buffer that leave a gap between them", () => {
    const stream = sealedStream(list);
    const cut = 50_001;
    // The same bytes with two bytes of junk in the middle of a packet, read around the junk.
    const withGap = new Uint8Array(stream.length + 2);
    withGap.set(stream.subarray(0, cut), 0);
    withGap.set([0xde, 0xad], cut);
    withGap.set(stream.subarray(cut), cut + 2);
    const got = decodeAll([withGap.subarray(0, cut), withGap.subarray(cut + 2)]);
    expect(got).toEqual(list);
  });

  it("does not join a view with one of another buffer that happens to share offsets", () => {
    const stream = sealedStream(list);
    const a = stream.slice();
    const b = stream.slice();
    const cut = 40_000;
    const got = decodeAll([a.subarray(0, cut), b.subarray(cut)]);
    expect(got).toEqual(list);
  });
});
