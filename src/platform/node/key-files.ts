import { randomBytes } from "node:crypto";
import { mkdir, open, rename, stat, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { SSHError } from "../../ssh/errors.js";
import { silentLogger, type Logger } from "../../ssh/logger.js";
import { generateKey, type GeneratedKeyType } from "../../ssh/keys/generate-key.js";

/**
 * Key files on a Node filesystem (also Deno and Bun through node:fs): what `ssh-keygen -t TYPE`
 * writes, with its permissions. The private key is created with mode 0600 from the first byte, so
 * there is no moment at which another user could read it.
 */

export class KeyFileExistsError extends SSHError {
  override name: string = "KeyFileExistsError";
  constructor(readonly path: string) {
    super(`${path} already exists; choose another --file, or remove it first if you really mean to replace that key`);
  }
}

export interface KeyFileOptions {
  /** Key type (default ed25519) and, for ecdsa (256/384/521) and rsa (default 3072), the size. */
  type?: GeneratedKeyType;
  bits?: number;
  comment?: string;
  /** Encrypt the private key (bcrypt_pbkdf + aes256-ctr); absent or empty = unencrypted. */
  passphrase?: string;
  /** bcrypt_pbkdf rounds (ssh-keygen -a); default 16. */
  rounds?: number;
}

export interface WrittenKeyPair {
  path: string;
  publicKeyPath: string;
  publicKeyLine: string;
  fingerprint: string;
}

/** Write `data` into a new file with exactly `mode`, flushed to disk; fails with EEXIST if it exists. */
async function writeNew(path: string, data: string, mode: number): Promise<void> {
  // O_CREAT|O_EXCL with the mode: the file never exists with wider permissions (umask only narrows).
  const file = await open(path, "wx", mode);
  try {
    await file.chmod(mode); // make the mode exact whatever the umask
    await file.writeFile(data, "utf8");
    await file.sync();
  } catch (e) {
    await file.close().catch(() => {});
    await unlink(path).catch(() => {});
    throw e;
  }
  await file.close();
}

/** Write then rename over `path`: readers see the old file or the new one, never a partial one. */
async function replaceFile(path: string, data: string, mode: number): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  await writeNew(temp, data, mode);
  try {
    await rename(temp, path);
  } catch (e) {
    await unlink(temp).catch(() => {});
    throw e;
  }
}

/**
 * Generate a key (ed25519 unless `type` says otherwise) and write it as `path` (openssh-key-v1, mode 0600) and `path.pub`
 * (mode 0644), creating missing parent directories with mode 0700. Refuses to replace an existing
 * private key (KeyFileExistsError) unless `overwrite` is set. This is `mcp-ssh keygen`.
 */
export async function writeKeyPair(path: string, options: KeyFileOptions & { overwrite?: boolean } = {}): Promise<WrittenKeyPair> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const generated = await generateKey(options.type ?? "ed25519", options.bits, options);
  if (options.overwrite) {
    await replaceFile(path, generated.privateKey, 0o600);
  } else {
    try {
      await writeNew(path, generated.privateKey, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") throw new KeyFileExistsError(path);
      throw e;
    }
  }
  const publicKeyPath = `${path}.pub`;
  await replaceFile(publicKeyPath, `${generated.publicKeyLine}\n`, 0o644);
  return { path, publicKeyPath, publicKeyLine: generated.publicKeyLine, fingerprint: generated.fingerprint };
}

/**
 * Warn (through `logger`) when a private key file can be read or written by group or others, as
 * OpenSSH's "UNPROTECTED PRIVATE KEY FILE" check does. Returns the file's permission bits.
 */
export async function checkKeyFilePermissions(path: string, logger: Logger = silentLogger): Promise<number> {
  const mode = (await stat(path)).mode & 0o777;
  if (mode & 0o077) {
    logger.warn(
      `private key ${path} is accessible by group or others (mode 0${mode.toString(8)}); ` +
        `anyone who can read it can log in as you. Fix it with: chmod 600 ${path}`,
    );
  }
  return mode;
}

/**
 * The reference client's ensure_key_exists: use the key at `path` if there is one (warning when its
 * permissions are too open), else create an ed25519 key pair there. Returns whether it created one.
 */
export async function ensureKeyFile(
  path: string,
  options: KeyFileOptions & { logger?: Logger } = {},
): Promise<{ created: boolean; path: string; publicKeyPath: string; fingerprint?: string }> {
  const logger = options.logger ?? silentLogger;
  const publicKeyPath = `${path}.pub`;
  try {
    await checkKeyFilePermissions(path, logger);
    return { created: false, path, publicKeyPath };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  try {
    const written = await writeKeyPair(path, options);
    logger.info(`created a new ed25519 key ${path} (${written.fingerprint}); its public key is in ${publicKeyPath}`);
    return { created: true, path, publicKeyPath, fingerprint: written.fingerprint };
  } catch (e) {
    // Another process created it between our stat and our exclusive create: use theirs.
    if (e instanceof KeyFileExistsError) return { created: false, path, publicKeyPath };
    throw e;
  }
}

