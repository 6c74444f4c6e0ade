import { ProtocolError } from "../errors.js";
import { MAC_FAILURE, type PacketCipher } from "./cipher.js";
import { PACKET_OFFSET, type WasmKernel } from "./wasm/loader.js";

/** length(4) + tag(16): the smallest buffer that is a packet at all. */
const MIN_PACKET = 20;

/**
 * chacha20-poly1305@openssh.com on the WebAssembly kernel (src/ssh/cipher/wasm/packet.wat): one
 * call per packet does length, body and tag. The packet is copied into the kernel's memory and
 * back, into the caller's buffer, so the in-place contract of PacketCipher holds; nothing is
 * allocated per packet once sizes repeat. @noble's ChaCha20Poly1305 is the reference it is
 * tested against.
 */
export class ChaCha20Poly1305Wasm implements PacketCipher {
  readonly name = "chacha20-poly1305@openssh.com";
  readonly blockSize = 8;
  readonly lengthInAlignment = false;
  readonly tagLength = 16;
  readonly headLength = 4;
  private readonly key: Uint8Array;

  constructor(
    key: Uint8Array,
    private readonly kernel: WasmKernel,
  ) {
    if (key.length !== 64) throw new Error("chacha20-poly1305@openssh.com needs 64 bytes of key");
    // Own copy: the caller may wipe or reuse its key buffer.
    this.key = key.slice();
  }

  /** Which kernel this cipher runs on ("simd" or "scalar"). */
  get kernelKind(): string {
    return this.kernel.kind;
  }

  seal(seq: number, buf: Uint8Array): void {
    const len = buf.length;
    if (len < MIN_PACKET) throw new ProtocolError(`cannot seal a ${len}-byte buffer: a packet needs at least ${MIN_PACKET}`);
    const k = this.kernel;
    k.bind(this, this.key, len).set(buf, PACKET_OFFSET);
    k.exports.seal(seq | 0, len);
    buf.set(k.packet(len));
  }

  decryptLength(seq: number, head: Uint8Array): number {
    if (head.length < 4) throw new ProtocolError("packet length needs 4 bytes");
    this.kernel.bind(this, this.key, 0);
    const word = head[0]! | (head[1]! << 8) | (head[2]! << 16) | (head[3]! << 24);
    return this.kernel.exports.length(seq | 0, word) >>> 0;
  }

  /** On a bad tag, throws and leaves `buf` exactly as it was: nothing decrypted is visible. */
  open(seq: number, buf: Uint8Array): Uint8Array {
    const len = buf.length;
    if (len < MIN_PACKET) throw new ProtocolError(`packet of ${len} bytes is shorter than length and tag`);
    const k = this.kernel;
    k.bind(this, this.key, len).set(buf, PACKET_OFFSET);
    if (k.exports.open(seq | 0, len) !== 1) throw new ProtocolError(MAC_FAILURE);
    // The tag comes back unchanged; copying it too keeps one cached view for seal and open alike.
    buf.set(k.packet(len));
    return buf.subarray(4, len - 16);
  }
}
