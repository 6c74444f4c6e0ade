/**
 * The channel requests a server sends to a client's session channel (RFC 4254 §6.10): the remote
 * process's exit-status or exit-signal. Anything else is refused.
 */
import type { ChannelRequestHandler } from "./channel.js";
import { safePeerText } from "../wire/peer-text.js";

export const clientSessionRequests: ChannelRequestHandler = (channel, type, r) => {
  if (type === "exit-status") {
    channel.recordExit({ code: r.uint32() });
    return true;
  }
  if (type === "exit-signal") {
    const signal = safePeerText(r.text(64));
    r.boolean(); // core dumped
    const message = safePeerText(r.text(4096));
    channel.recordExit({ signal });
    if (message) channel.logger.debug(`remote process killed by SIG${signal}: ${message}`);
    return true;
  }
  return false;
};
