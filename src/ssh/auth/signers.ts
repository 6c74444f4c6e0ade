import type { Logger } from "../logger.js";
import type { ConnectOptions } from "../options.js";
import { expandPath, platform } from "../platform.js";
import { equalBytes } from "../wire/bytes.js";
import type { Signer } from "../keys/signature.js";
import { parsePrivateKey } from "../keys/openssh-private-key.js";

/**
 * The identities to offer, in OpenSSH's order: explicit keys first, then the caller's signers,
 * then the agent's (ssh_config(5) IdentityFile before agent keys).
 */
export async function loadSigners(options: ConnectOptions, logger: Logger): Promise<Signer[]> {
  const signers: Signer[] = [];
  if (options.privateKey !== undefined) signers.push(await parsePrivateKey(options.privateKey, options.passphrase));
  if (options.privateKeyPath) {
    if (!platform.readFile) throw new TypeError("privateKeyPath needs a filesystem; pass `privateKey` contents instead");
    const path = expandPath(options.privateKeyPath);
    signers.push(await parsePrivateKey(await platform.readFile(path), options.passphrase));
  }
  signers.push(...(options.signers ?? []));
  if (options.agent) {
    if (!platform.agentSigners) throw new TypeError("this runtime has no ssh-agent access");
    const fromAgent = await platform.agentSigners(options.agent === true ? true : options.agent);
    logger.debug(`ssh-agent offers ${fromAgent.length} usable key(s)`);
    // A key given explicitly and also held by the agent is offered once.
    for (const s of fromAgent) if (!signers.some((x) => equalBytes(x.publicBlob, s.publicBlob))) signers.push(s);
  }
  return signers;
}
