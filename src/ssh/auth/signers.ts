import { KeyFormatError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { ConnectOptions } from "../options.js";
import { expandPath, platform } from "../platform.js";
import { equalBytes, fromUtf8 } from "../wire/bytes.js";
import type { Signer } from "../keys/signature.js";
import { parsePrivateKey } from "../keys/openssh-private-key.js";
import { certifiedSigner } from "../keys/private-key.js";
import { parsePublicKeyLine } from "../keys/public-key.js";

/** The certificate options of DESIGN.md (until ConnectOptions carries them). */
export interface CertificateOptions {
  /** A certificate line ("ssh-ed25519-cert-v01@openssh.com AAAA... comment") for the private key. */
  certificate?: string;
  /** Where to read it; by default `<privateKeyPath>-cert.pub` is used when it exists. */
  certificatePath?: string;
}

function certificateSigner(signer: Signer, line: string, where: string): Signer {
  try {
    const { blob } = parsePublicKeyLine(line.trim().split("\n")[0]!);
    return certifiedSigner(signer, blob);
  } catch (e) {
    throw new KeyFormatError(`certificate ${where}: ${(e as Error).message}`, { cause: e });
  }
}

/** A missing or unreadable key or certificate file is a typed error that names the file, not a bare ENOENT. */
async function readKeyFile(path: string, what = "private key file"): Promise<Uint8Array> {
  try {
    return await platform.readFile!(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === "ENOENT" ? "it does not exist" : code === "EACCES" ? "permission denied" : (e as Error).message;
    throw new KeyFormatError(`cannot read the ${what} ${path}: ${why}`, { cause: e });
  }
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return fromUtf8(await platform.readFile!(path));
  } catch {
    return null;
  }
}

/**
 * `key`'s certificate from `<path>-cert.pub` when that file exists (as ssh finds one beside an
 * IdentityFile), or null. A certificate there that does not parse or is for another key is an error.
 */
export async function certificateBeside(path: string, key: Signer): Promise<Signer | null> {
  const where = `${path}-cert.pub`;
  const text = platform.readFile ? await readOptional(where) : null;
  return text === null ? null : certificateSigner(key, text, where);
}

/**
 * The identities to offer, in OpenSSH's order: explicit keys first (a key's certificate before the
 * plain key, as ssh does), then the caller's signers, then the agent's (ssh_config(5) IdentityFile
 * before agent keys).
 */
export async function loadSigners(options: ConnectOptions & CertificateOptions, logger: Logger, skipped?: string[]): Promise<Signer[]> {
  const signers: Signer[] = [];
  let explicit: Signer | null = null;
  if (options.privateKey !== undefined) {
    explicit = await parsePrivateKey(options.privateKey, options.passphrase);
    signers.push(explicit);
  }
  let certificateText = options.certificate ?? null;
  let certificateWhere = "given as `certificate`";
  if (options.privateKeyPath) {
    if (!platform.readFile) throw new TypeError("privateKeyPath needs a filesystem; pass `privateKey` contents instead");
    const path = expandPath(options.privateKeyPath);
    const key = await parsePrivateKey(await readKeyFile(path), options.passphrase);
    signers.push(key);
    explicit ??= key;
    if (certificateText === null && !options.certificatePath) {
      const beside = await certificateBeside(path, key);
      if (beside) {
        signers.splice(signers.indexOf(key), 0, beside);
        logger.debug(`offering certificate ${path}-cert.pub (${beside.type})`);
      }
    }
  }
  if (options.certificatePath) {
    if (!platform.readFile) throw new TypeError("certificatePath needs a filesystem; pass `certificate` contents instead");
    const path = expandPath(options.certificatePath);
    certificateText = fromUtf8(await readKeyFile(path, "certificate file"));
    certificateWhere = path;
  }
  if (certificateText !== null) {
    if (!explicit) throw new KeyFormatError("a certificate was given without its private key (privateKey or privateKeyPath)");
    const certified = certificateSigner(explicit, certificateText, certificateWhere);
    signers.splice(signers.indexOf(explicit), 0, certified);
    logger.debug(`offering certificate ${certificateWhere} (${certified.type})`);
  }
  signers.push(...(options.signers ?? []));
  if (options.agent) {
    if (!platform.agentSigners) throw new TypeError("this runtime has no ssh-agent access");
    const fromAgent = await platform.agentSigners(options.agent === true ? true : options.agent, skipped);
    logger.debug(`ssh-agent offers ${fromAgent.length} usable key(s)`);
    // A key given explicitly and also held by the agent is offered once.
    for (const s of fromAgent) if (!signers.some((x) => equalBytes(x.publicBlob, s.publicBlob))) signers.push(s);
  }
  return signers;
}
