/** Size of the buffers socket reads land in. */
export const READ_SLAB = 256 * 1024;
/** A read never gets less room than this (Node's and Deno's own reads are 64 KiB). */
export const MIN_READ = 64 * 1024;

/**
 * Where a TCP adapter's reads land: consecutive slices of one slab, so a packet that straddles two
 * reads is still contiguous memory and the packet decoder joins the two views instead of copying
 * the packet (it copies only at a slab's end). A fresh buffer per read would make every such
 * packet a copy. A slice is never handed out twice: what was read stays the reader's until its
 * views are dropped.
 */
export class SlabReads {
  private slab: Uint8Array;
  private used = 0;

  /**
   * `allocate`: where slabs come from. A runtime that can hand out memory without zeroing it may
   * (Node: Buffer.allocUnsafeSlow): only bytes a read wrote are ever handed out, and zeroing 256 KiB
   * per slab was ~3% of a download's CPU.
   */
  constructor(private readonly allocate: (n: number) => Uint8Array = (n) => new Uint8Array(n)) {
    this.slab = allocate(READ_SLAB);
  }

  /** Room for the next read: at least MIN_READ bytes. */
  next(): Uint8Array {
    if (this.slab.length - this.used < MIN_READ) {
      this.slab = this.allocate(READ_SLAB);
      this.used = 0;
    }
    return this.slab.subarray(this.used);
  }

  /** `n` bytes were read into `room` (the last room handed out, or the start of it): a view of them. */
  filled(room: Uint8Array, n: number): Uint8Array {
    if (room.buffer === this.slab.buffer) this.used = room.byteOffset + n;
    return room.subarray(0, n);
  }
}
