// Follows the server-to-client byte stream of an SSH connection through its cleartext part: the
// identification line, then unencrypted binary packets (RFC 4253 §4.2, §6) up to and including the
// server's NEWKEYS, after which everything is encrypted. Lets a proxy act "right after the kex".
const NEWKEYS = 21;

export class CleartextWatcher {
  /** Stream offset just past the server's NEWKEYS packet, once seen; -1 before. */
  newKeysEnd = -1;
  private buf = Buffer.alloc(0);
  /** Stream offset of buf[0]. */
  private base = 0;
  private versionSeen = false;

  /** Feed the next server-to-client chunk (in order). */
  feed(chunk: Buffer): void {
    if (this.newKeysEnd >= 0) return;
    this.buf = Buffer.concat([this.buf, chunk]);
    if (!this.versionSeen) {
      // Lines before the "SSH-" line are allowed; the identification ends with LF.
      for (;;) {
        const nl = this.buf.indexOf(0x0a);
        if (nl < 0) return;
        const line = this.buf.subarray(0, nl).toString("latin1");
        this.consume(nl + 1);
        if (line.startsWith("SSH-")) break;
      }
      this.versionSeen = true;
    }
    while (this.buf.length >= 6) {
      const total = 4 + this.buf.readUInt32BE(0);
      if (this.buf.length < total) return;
      const type = this.buf[5];
      this.consume(total);
      if (type === NEWKEYS) {
        this.newKeysEnd = this.base;
        return;
      }
    }
  }

  private consume(n: number): void {
    this.buf = this.buf.subarray(n);
    this.base += n;
  }
}
