import { ProtocolError } from "../errors.js";
import { fromUtf8 } from "../wire/bytes.js";

/** RFC 4253 §4.2: the identification line is at most 255 bytes including CR LF. */
const MAX_LINE = 255;
/** Lines a server may send before its identification (OpenSSH's client allows 1024). */
const MAX_PRE_LINES = 1024;

export const CLIENT_VERSION_PREFIX = "SSH-2.0-mcp_ssh_";

/**
 * Incremental parser for the server's identification string. Lines before the one starting with
 * "SSH-" are skipped (RFC 4253 §4.2); only protocol 2.0 (or 1.99, which means 2.0 too) is accepted.
 */
export class VersionParser {
  private buf = new Uint8Array(0);
  private lines = 0;

  /** Feed bytes; returns the version line and the bytes after it once complete, else null. */
  push(chunk: Uint8Array): { version: string; rest: Uint8Array } | null {
    const merged = new Uint8Array(this.buf.length + chunk.length);
    merged.set(this.buf);
    merged.set(chunk, this.buf.length);
    this.buf = merged;
    for (;;) {
      const nl = this.buf.indexOf(0x0a);
      if (nl < 0) {
        if (this.buf.length > MAX_LINE) throw new ProtocolError(`server identification line longer than ${MAX_LINE} bytes`);
        return null;
      }
      if (nl + 1 > MAX_LINE) throw new ProtocolError(`server identification line longer than ${MAX_LINE} bytes`);
      let line = fromUtf8(this.buf.subarray(0, nl));
      if (line.endsWith("\r")) line = line.slice(0, -1);
      const rest = this.buf.subarray(nl + 1);
      this.buf = rest;
      if (line.startsWith("SSH-")) {
        if (!line.startsWith("SSH-2.0-") && !line.startsWith("SSH-1.99-")) {
          throw new ProtocolError(`server speaks an unsupported protocol version: ${JSON.stringify(line.slice(0, 40))}`);
        }
        if (/[\x00-\x1f\x7f]/.test(line)) throw new ProtocolError("server identification line contains control characters");
        return { version: line, rest: rest.slice() };
      }
      if (++this.lines > MAX_PRE_LINES) throw new ProtocolError("server sent too many lines before its identification");
    }
  }
}
