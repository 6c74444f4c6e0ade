// The authorized_keys file as a store of enrolled keys. Every change is a read-modify-write under
// an in-process queue (so concurrent registrations never lose each other's key) that re-reads the
// file first (so lines an administrator added meanwhile survive), and replaces the file atomically
// (temp file in the same directory, fsync, rename), so sshd never reads a torn file.
import { open, readFile, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fromBase64, randomBytes, toBase64, toHex } from "../ssh/wire/bytes.js";
import type { PublicKey } from "../ssh/keys/public-key.js";

/** Where enrolled keys go. The key server needs nothing else from the file system. */
export interface AuthorizedKeysStore {
  /**
   * Append `line` unless a key with the same blob is already present, or ("full") the store holds
   * `maxKeys` keys already (0 or absent: no cap).
   */
  addKey(key: PublicKey, line: string, maxKeys?: number): Promise<"added" | "duplicate" | "full">;
}

/**
 * Split an authorized_keys line into whitespace-separated fields, where whitespace inside a
 * double-quoted option value does not separate (sshd(8): options may contain quoted spaces).
 */
function fields(line: string): string[] {
  const out: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted && c === "\\" && line[i + 1] === '"') {
      current += '\\"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
      current += c;
    } else if (!quoted && (c === " " || c === "\t")) {
      if (current !== "") out.push(current);
      current = "";
    } else {
      current += c;
    }
  }
  if (current !== "") out.push(current);
  return out;
}

/** "type base64" field pair: the blob's first string must name the same type, as sshd checks. */
function blobOf(type: string | undefined, b64: string | undefined): Uint8Array | undefined {
  if (type === undefined || b64 === undefined) return undefined;
  const blob = fromBase64(b64);
  if (!blob || blob.length < 4) return undefined;
  const len = ((blob[0]! << 24) | (blob[1]! << 16) | (blob[2]! << 8) | blob[3]!) >>> 0;
  if (len !== type.length || 4 + len >= blob.length) return undefined;
  for (let i = 0; i < len; i++) if (blob[4 + i] !== type.charCodeAt(i)) return undefined;
  return blob;
}

/**
 * The key blobs (canonical base64) present in an authorized_keys text, whatever their type or
 * options; comments, blank and unparsable lines are skipped.
 */
export function keysInAuthorizedKeys(text: string): Set<string> {
  const found = new Set<string>();
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const f = fields(line);
    // Either "type base64 ..." or "options type base64 ..." (options hold no unquoted space).
    const blob = blobOf(f[0], f[1]) ?? blobOf(f[1], f[2]);
    if (blob) found.add(toBase64(blob));
  }
  return found;
}

async function readOrEmpty(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw e;
  }
}

/**
 * Replace `path` with `content` so readers see the old or the new file, never a mix: write a
 * temp file (mode 0600, same owner as the file it replaces) in the same directory, fsync it,
 * rename it over, fsync the directory so the rename itself survives a crash.
 */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${toHex(randomBytes(8))}.tmp`);
  let owner: { uid: number; gid: number } | undefined;
  try {
    const st = await stat(path);
    owner = { uid: st.uid, gid: st.gid };
  } catch {
    owner = undefined;
  }
  const fh = await open(tmp, "wx", 0o600);
  try {
    try {
      await fh.writeFile(content, "utf8");
      await fh.chmod(0o600);
      // Run as root for another account, sshd's StrictModes wants that account to keep owning it.
      if (owner && process.getuid?.() === 0) await fh.chown(owner.uid, owner.gid);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
  const dh = await open(dir, "r");
  try {
    await dh.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic.
  } finally {
    await dh.close();
  }
}

/** Runs tasks one after another, in call order; a failed task does not stop the ones after it. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** An AuthorizedKeysStore on a file (created on first use, mode 0600). */
export function authorizedKeysFileStore(path: string): AuthorizedKeysStore {
  const queue = new SerialQueue();
  return {
    addKey(key, line, maxKeys = 0) {
      if (line.includes("\n")) return Promise.reject(new Error("an authorized_keys entry must be one line"));
      return queue.run(async () => {
        const current = await readOrEmpty(path);
        const present = keysInAuthorizedKeys(current);
        if (present.has(toBase64(key.blob))) return "duplicate" as const;
        // Every key in the file counts, the administrator's too: the cap bounds the file sshd reads.
        if (maxKeys > 0 && present.size >= maxKeys) return "full" as const;
        const separator = current === "" || current.endsWith("\n") ? "" : "\n";
        await writeFileAtomic(path, `${current}${separator}${line}\n`);
        return "added" as const;
      });
    },
  };
}
