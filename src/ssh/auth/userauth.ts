/**
 * Client user authentication, ssh-userauth (RFC 4252): service request, a `none` probe (the server
 * may accept it outright), then the methods in OpenSSH's order (PreferredAuthentications default):
 * publickey for each identity, keyboard-interactive (RFC 4256), password (RFC 4252 §8).
 */
import { AuthenticationError, ProtocolError } from "../errors.js";
import type { Logger } from "../logger.js";
import { MSG } from "../messages.js";
import type { Inbox } from "../inbox.js";
import type { Signer } from "../keys/signature.js";
import { fingerprintSha256 } from "../keys/fingerprint.js";
import { parseCertificate } from "../keys/certificate.js";
import { CERT_SUFFIX } from "../keys/key-types.js";
import { SshWriter } from "../wire/writer.js";
import { safePeerText } from "../wire/peer-text.js";
import { publicKeyRequest, signatureAlgorithmFor } from "./publickey.js";
import { keyboardInteractive, type KeyboardInteractiveHandler } from "./keyboard-interactive.js";
import { readReply, userauthRequest } from "./userauth-replies.js";

export interface UserauthContext {
  send(payload: Uint8Array): Promise<void>;
  inbox: Inbox;
  sessionId: Uint8Array;
  username: string;
  signers: Signer[];
  /** User-key signature algorithms we may use, in our order (algorithms.publicKey). */
  publicKeyAlgorithms: readonly string[];
  /** The server's server-sig-algs (RFC 8308 §3.1), read when a key's algorithm is chosen. */
  serverSigAlgs: () => readonly string[] | undefined;
  password?: string;
  keyboardInteractive?: KeyboardInteractiveHandler;
  /** Identities dropped before authentication (unreadable, unsupported), with why. */
  skipped?: string[];
  /** Advice for the AuthenticationError (e.g. that the only key was a tool's default key). */
  failureHint?: string;
  logger: Logger;
}

const SERVICE = "ssh-connection";

export async function authenticate(c: UserauthContext): Promise<void> {
  await c.send(new SshWriter(32).byte(MSG.SERVICE_REQUEST).string("ssh-userauth").finish().slice());
  const accept = await c.inbox.next();
  if (accept[0] !== MSG.SERVICE_ACCEPT) throw new ProtocolError(`expected SERVICE_ACCEPT, got message ${accept[0]}`);

  await c.send(userauthRequest(c.username, "none").finish().slice());
  let reply = await readReply(c);
  if (reply.kind === "success") return;
  if (reply.kind !== "failure") throw new ProtocolError("unexpected reply to a none request");
  let methods = reply.methods;
  const tried: string[] = [];
  const skipped = [...(c.skipped ?? [])];

  for (const signer of c.signers) {
    const label = `publickey (${signer.type} ${fingerprintSha256(signer.publicBlob)}${signer.comment ? ` ${safePeerText(signer.comment)}` : ""})`;
    if (!methods.includes("publickey")) {
      skipped.push(`${label}: the server no longer accepts publickey`);
      continue;
    }
    const algorithm = signatureAlgorithmFor(signer, c.publicKeyAlgorithms, c.serverSigAlgs());
    if (typeof algorithm !== "string") {
      skipped.push(`${label}: ${algorithm.reason}`);
      continue;
    }
    await c.send(publicKeyRequest(c.username, SERVICE, algorithm, signer.publicBlob).finish().slice());
    reply = await readReply(c);
    if (reply.kind === "success") return; // Allowed by RFC 4252 §7 for servers that need no signature.
    if (reply.kind === "failure") {
      methods = reply.methods;
      tried.push(`${label}: refused by the server${await certificateNote(signer, c.username)}`);
      c.logger.debug(`server refused key ${label}`);
      continue;
    }
    if (reply.kind !== "60") throw new ProtocolError("unexpected reply to a publickey query");
    // RFC 4252 §7: the signature covers the session id and the request it is then appended to.
    const body = publicKeyRequest(c.username, SERVICE, algorithm, signer.publicBlob, true).finish().slice();
    const signature = await signer.sign(new SshWriter(256 + body.length).string(c.sessionId).raw(body).finish().slice(), algorithm);
    await c.send(new SshWriter(body.length + signature.length + 4).raw(body).string(signature).finish().slice());
    reply = await readReply(c);
    if (reply.kind === "success") {
      c.logger.debug(`authenticated with ${label} (${algorithm})`);
      return;
    }
    if (reply.kind !== "failure") throw new ProtocolError("unexpected reply to a signed publickey request");
    tried.push(`${label}: the server refused its signature (${algorithm})`);
    methods = reply.methods;
  }

  if (methods.includes("keyboard-interactive") && (c.keyboardInteractive || c.password !== undefined)) {
    const r = await keyboardInteractive(c, userauthRequest(c.username, "keyboard-interactive"), () => readReply(c));
    if (r.kind === "success") return;
    tried.push(`keyboard-interactive: ${r.why}`);
    methods = r.methods;
  }

  if (methods.includes("password") && c.password !== undefined) {
    await c.send(userauthRequest(c.username, "password").boolean(false).string(c.password).finish().slice());
    reply = await readReply(c);
    if (reply.kind === "success") {
      c.logger.debug("authenticated with a password");
      return;
    }
    if (reply.kind !== "failure") {
      // 60 here is PASSWD_CHANGEREQ (RFC 4252 §8): we cannot change a password for the user.
      throw new AuthenticationError(c.username, ["password"], [...tried, "password: the server asks for a new password; change it with ssh first"], skipped);
    }
    tried.push("password: refused by the server");
    methods = reply.methods;
  } else if (c.password !== undefined && !methods.includes("keyboard-interactive")) {
    skipped.push("password: the server does not accept password logins");
  }
  throw new AuthenticationError(c.username, methods, tried, skipped, c.failureHint);
}

/**
 * For a refused certificate, what sshd's own checks would fault (its principals, its validity
 * window), so that the refusal says which instead of pointing at authorized_keys. The certificate
 * is offered anyway, as ssh does: the server's clock and its AuthorizedPrincipalsFile decide.
 */
async function certificateNote(signer: Signer, username: string): Promise<string> {
  if (!signer.type.endsWith(CERT_SUFFIX)) return "";
  // Loaded only for a refused certificate (certificate-verify.ts is not part of every connection).
  const { certificateScopeProblem } = await import("../keys/certificate-verify.js");
  try {
    const problem = certificateScopeProblem(parseCertificate(signer.publicBlob), username, BigInt(Math.floor(Date.now() / 1000)));
    return problem === null ? "" : `; ${problem}`;
  } catch {
    return "";
  }
}
