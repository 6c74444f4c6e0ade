/** Client userauth messages shared by the methods (RFC 4252 §5): the request head and the replies. */
import { ProtocolError } from "../errors.js";
import type { Logger } from "../logger.js";
import { MSG } from "../messages.js";
import type { Inbox } from "../inbox.js";
import { SshReader } from "../wire/reader.js";
import { SshWriter } from "../wire/writer.js";
import { safePeerText } from "../wire/peer-text.js";

const SERVICE = "ssh-connection";

export type Reply =
  | { kind: "success" }
  | { kind: "failure"; methods: string[]; partial: boolean }
  /** Message 60: PK_OK to a publickey query, INFO_REQUEST in keyboard-interactive, PASSWD_CHANGEREQ to a password. */
  | { kind: "60"; payload: Uint8Array };

export function userauthRequest(username: string, method: string): SshWriter {
  return new SshWriter(256).byte(MSG.USERAUTH_REQUEST).string(username).string(SERVICE).string(method);
}

export async function readReply(c: { inbox: Inbox; logger: Logger }): Promise<Reply> {
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
        return { kind: "60", payload: m };
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
