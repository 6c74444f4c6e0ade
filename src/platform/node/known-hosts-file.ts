import { mkdir, open, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { KnownHostsText } from "../../ssh/keys/host-key-policy.js";
import { expandHome } from "./home.js";

/**
 * known_hosts files on a Node filesystem (also Deno and Bun through node:fs).
 *
 * Appending uses O_APPEND with the whole line in one write, not write-temp-and-rename: several
 * programs (ssh itself, other mcp-ssh processes) may add hosts to the same file at the same time.
 * With O_APPEND every write lands at the then-current end of the file, so no writer can lose
 * another's line; a rename would replace the file with our snapshot and silently drop a line
 * appended between our read and our rename. A single write of one short line is not interleaved
 * with other writers' lines, and a reader sees either the file without the line or with it.
 */

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

/**
 * Append `line` to the known_hosts file at `path` unless an identical line is already there.
 * A missing file is created with mode 0600 (and missing directories with 0700).
 */
export async function appendKnownHostsLine(path: string, line: string): Promise<void> {
  const entry = line.trim();
  if (entry === "" || /[\r\n]/.test(entry)) throw new TypeError("a known_hosts entry is exactly one non-empty line");
  const file = expandHome(path);
  const existing = await readIfExists(file);
  if (existing !== null && existing.split("\n").some((l) => l.trim() === entry)) return;
  if (existing === null) await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  // Keep lines apart if the file's last line has no newline (hand-edited files often lack one).
  const separator = existing && !existing.endsWith("\n") ? "\n" : "";
  const handle = await open(file, "a", 0o600);
  try {
    await handle.write(`${separator}${entry}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Read known_hosts files for verifyHostKeyWithPolicy; missing files count as empty (as for ssh). */
export async function readKnownHostsFiles(paths: string[]): Promise<KnownHostsText[]> {
  const out: KnownHostsText[] = [];
  for (const path of paths) {
    const text = await readIfExists(expandHome(path));
    if (text !== null) out.push({ text, source: path });
  }
  return out;
}
