import { AuthenticationError, ProtocolError } from "../errors.js";
import type { Logger } from "../logger.js";
import { MSG } from "../messages.js";
import type { Inbox } from "../inbox.js";
import type { Signer } from "../keys/signature.js";
import { fingerprintSha256 } from "../keys/fingerprint.js";
import { SshReader } from "../wire/reader.js";
import { SshWriter } from "../wire/writer.js";
import { safePeerText } from "../wire/peer-text.js";

export interface UserauthContext {
  send(payload: Uint8Array): Promise<void>;
  inbox: Inbox;
  sessionId: Uint8Array;
  username: string;
  signers: Signer[];
  logger: Logger;
}

type Reply = { kind: "success" } | { kind: "failure"; methods: string[]; partial: boolean } | { kind: "pk-ok" };

const SERVICE = "ssh-connection";

/**
 * ssh-userauth (RFC 4252): service request, a `none` probe (the server may accept it outright),
 * then `publickey` for each signer: a query first (no private-key work for keys the server
 * would refuse), then the signed request after PK_OK (RFC 4252 §7).
 */
export async function authenticate(c: UserauthContext): Promise<void> {
  await c.send(new SshWriter(32).byte(MSG.SERVICE_REQUEST).string("ssh-userauth").finish().slice());
  const accept = await c.inbox.next();
  if (accept[0] !== MSG.SERVICE_ACCEPT) throw new ProtocolError(`expected SERVICE_ACCEPT, got message ${accept[0]}`);

  await c.send(request(c.username, "none").finish().slice());
  let reply = await readReply(c);
  if (reply.kind === "success") return;
  if (reply.kind !== "failure") throw new ProtocolError("unexpected PK_OK to a none request");
  let methods = reply.methods;
  const tried: string[] = [];

  for (const signer of c.signers) {
    if (!methods.includes("publickey")) break;
    const label = `publickey (${signer.type} ${fingerprintSha256(signer.publicBlob)})`;
    tried.push(label);
    await c.send(request(c.username, "publickey").boolean(false).string(signer.type).string(signer.publicBlob).finish().slice());
    reply = await readReply(c);
    if (reply.kind === "success") return; // Allowed by RFC 4252 §7 for servers that need no signature.
    if (reply.kind === "failure") {
      methods = reply.methods;
      c.logger.debug(`server refused key ${label}`);
      continue;
    }
    // RFC 4252 §7: the signature covers the session id and the request it is then appended to.
    const body = request(c.username, "publickey").boolean(true).string(signer.type).string(signer.publicBlob).finish().slice();
    const signature = await signer.sign(new SshWriter(256).string(c.sessionId).raw(body).finish().slice());
    await c.send(new SshWriter(body.length + signature.length + 4).raw(body).string(signature).finish().slice());
    reply = await readReply(c);
    if (reply.kind === "success") {
      c.logger.debug(`authenticated with ${label}`);
      return;
    }
    if (reply.kind === "pk-ok") throw new ProtocolError("unexpected PK_OK to a signed request");
    methods = reply.methods;
  }
  throw new AuthenticationError(c.username, methods, tried);
}

function request(username: string, method: string): SshWriter {
  return new SshWriter(256).byte(MSG.USERAUTH_REQUEST).string(username).string(SERVICE).string(method);
}

async function readReply(c: UserauthContext): Promise<Reply> {
  for (;;) {
    const m = await c.inbox.next();
    const r = new SshReader(m, 1);
    switch (m[0]) {
      case MSG.USERAUTH_SUCCESS:
        return { kind: "success" };
      case MSG.USERAUTH_FAILURE: {
        const methods = r.nameList();
        return { kind: "failure", methods, partial: r.boolean() };
      }
      case MSG.USERAUTH_PK_OK:
        return { kind: "pk-ok" };
      case MSG.USERAUTH_BANNER: {
        // RFC 4252 §5.4: shown to the user; strip control characters so a banner cannot drive a terminal.
        const text = safePeerText(r.text(64 * 1024), { keepNewlines: true, replacement: "" });
        c.logger.info(`server banner:\n${text}`);
        continue;
      }
      default:
        throw new ProtocolError(`unexpected message ${m[0]} during authentication`);
    }
  }
}
