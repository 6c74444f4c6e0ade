// Which identities the proxy logs in with, per form of the target (DESIGN.md, "CLI additions"):
// - the reference's `--host` form: the m2m key ~/.ssh/m2m_mcp_server_ssh_client, created when
//   missing. Never the user's own ~/.ssh/id_* or agent keys: --use-key-server enrolls every
//   identity it uses, and a user's personal keys are not a key server's business.
// - the OpenSSH `[user@]host` form: what ssh offers, the agent and the ~/.ssh/id_* files that exist.
// `--client-key` means exactly these files in both. A path the user typed that does not exist is
// a mistake to report, not a key to invent: only the m2m default is ever created.
import { existsSync, statSync } from "node:fs";
import { stat } from "node:fs/promises";
import { homedir, hostname, userInfo } from "node:os";
import { join } from "node:path";
import { KeyFormatError } from "../ssh/errors.js";
import { silentLogger, type Logger } from "../ssh/logger.js";
import { checkKeyFilePermissions, ensureKeyFile } from "../platform/node/key-files.js";
import { expandHome } from "../platform/node/home.js";

/** The two ways to name the target: `--host H` (the reference's) or `[user@]host` (OpenSSH's). */
export type TargetForm = "reference" | "openssh";

/** The reference client's key file name in ~/.ssh. */
export const M2M_KEY_NAME = "m2m_mcp_server_ssh_client";

/** OpenSSH's default IdentityFile list, in its order (`ssh -G host | grep identityfile`). */
export const OPENSSH_IDENTITY_FILES = ["id_rsa", "id_ecdsa", "id_ecdsa_sk", "id_ed25519", "id_ed25519_sk", "id_xmss", "id_dsa"] as const;

export interface DefaultIdentities {
  /** The ssh-agent socket to ask for keys ($SSH_AUTH_SOCK), if any. */
  agent?: string;
  /** Key files to offer, absolute paths, in order. */
  keyFiles: string[];
  /** keyFiles is the m2m default key, which is created when missing. */
  m2mDefault: boolean;
}

/** The parts of the environment the defaults depend on (a throwaway HOME in tests). */
export interface IdentityEnvironment {
  HOME?: string;
  SSH_AUTH_SOCK?: string;
}

function homeOf(env: IdentityEnvironment): string {
  return env.HOME || homedir();
}

/**
 * The identities offered when no --client-key is given. "openssh": the agent (when
 * SSH_AUTH_SOCK names a socket that exists), then each ~/.ssh/id_* file that exists, in ssh's
 * order. "reference": only the m2m key (it may not exist yet; resolveClientKeys creates it).
 */
export function defaultIdentities(form: TargetForm, env: IdentityEnvironment = process.env): DefaultIdentities {
  const ssh = join(homeOf(env), ".ssh");
  if (form === "reference") return { keyFiles: [join(ssh, M2M_KEY_NAME)], m2mDefault: true };
  const keyFiles = OPENSSH_IDENTITY_FILES.map((name) => join(ssh, name)).filter((path) => {
    try {
      return statSync(path).isFile();
    } catch {
      return false;
    }
  });
  const socket = env.SSH_AUTH_SOCK;
  return { ...(socket && existsSync(socket) ? { agent: socket } : {}), keyFiles, m2mDefault: false };
}


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

/** What resolveClientKeys decided, for the log and for the explanation of a refused login. */
export interface ResolvedClientKeys {
  paths: string[];
  /** The paths are the m2m default key (no --client-key given). */
  m2mDefault: boolean;
  /** The m2m default key was created by this run. */
  created: boolean;
  /** SHA256 fingerprint of a key created by this run. */
  fingerprint?: string;
}

/**
 * The client key files to offer (the reference form). With no --client-key, the m2m default key,
 * generated (ed25519, mode 0600, encrypted with the passphrase if one was given) when it does not
 * exist, which is said at info level.
 */
export async function resolveClientKeys(
  explicit: string[],
  passphrase: string | undefined,
  logger: Logger,
  env: IdentityEnvironment = process.env,
): Promise<ResolvedClientKeys> {
  if (explicit.length === 0) {
    const [path] = defaultIdentities("reference", env).keyFiles as [string];
    // Permission warnings pass; the creation is announced below, in our words.
    const quiet: Logger = { ...logger, info: silentLogger.info, debug: silentLogger.debug };
    const made = await ensureKeyFile(path, { passphrase, comment: defaultKeyComment(), logger: quiet });
    if (made.created) {
      logger.info(
        `no --client-key given: created the default client key ${path} (ed25519, ${made.fingerprint}), the m2m key of ` +
          `the reference client; the server must accept ${made.publicKeyPath} (add it to its authorized_keys, or use ` +
          `--use-key-server). To log in with your own key instead: --client-key ~/.ssh/id_ed25519`,
      );
    } else {
      logger.debug(`no --client-key given: using the default client key ${path}`);
    }
    return { paths: [path], m2mDefault: true, created: made.created, fingerprint: made.fingerprint };
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
  return { paths, m2mDefault: false, created: false };
}
