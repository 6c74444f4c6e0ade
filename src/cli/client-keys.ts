// Which key files the proxy logs in with. Only the reference's default key is created when missing:
// a path the user typed that does not exist is a mistake to report, not a key to invent.
import { stat } from "node:fs/promises";
import { hostname, userInfo } from "node:os";
import { KeyFormatError } from "../ssh/errors.js";
import type { Logger } from "../ssh/logger.js";
import { checkKeyFilePermissions, ensureKeyFile } from "../ssh/keys/node/key-files.js";
import { expandHome } from "../ssh/keys/node/home.js";
import { DEFAULT_CLIENT_KEY } from "./args.js";


/** "user@host", as ssh-keygen comments its keys. */
export function defaultKeyComment(): string {
  let user = "mcp-ssh";
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): keep the generic name.
  }
  return `${user}@${hostname()}`;
}

/**
 * Absolute paths of the client keys to offer. With no --client-key, the default key, generated
 * (ed25519, mode 0600, encrypted with the passphrase if one was given) when it does not exist.
 */
export async function resolveClientKeys(explicit: string[], passphrase: string | undefined, logger: Logger): Promise<string[]> {
  if (explicit.length === 0) {
    const path = expandHome(DEFAULT_CLIENT_KEY);
    await ensureKeyFile(path, { passphrase, comment: defaultKeyComment(), logger });
    return [path];
  }
  const paths: string[] = [];
  for (const given of explicit) {
    const path = expandHome(given);
    try {
      const info = await stat(path);
      if (!info.isFile()) throw new KeyFormatError(`client key ${path} is not a file`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") {
        throw new KeyFormatError(`client key ${path} does not exist; create one with: mcp-ssh keygen --file ${path}`);
      }
      throw e;
    }
    await checkKeyFilePermissions(path, logger);
    paths.push(path);
  }
  return paths;
}
