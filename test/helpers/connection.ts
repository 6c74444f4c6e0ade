// The connection protocol (RFC 4254) with no transport underneath, for tests that play the peer by
// handing it messages directly.
import { Connection } from "../../src/ssh/connection/connection.js";
import { LOCAL_MAX_PACKET, LOCAL_WINDOW } from "../../src/ssh/connection/channel.js";
import { clientSessionRequests } from "../../src/ssh/connection/session-requests-client.js";
import { silentLogger } from "../../src/ssh/logger.js";
import { MSG } from "../../src/ssh/messages.js";
import { SshWriter } from "../../src/ssh/wire/writer.js";

/** A Connection whose messages go nowhere (framed ones are still filled in) and whose failures are left to the test to observe. */
export function detachedConnection(): Connection {
  return new Connection({
    send: async () => {},
    sendFramed: async (length, fill) => fill(new Uint8Array(length), 0),
    fail: () => {},
    logger: silentLogger,
    peer: "server",
    channelRequests: clientSessionRequests,
    channelOpenTimeoutMs: 1000,
    maxChannels: 4,
    keepaliveIntervalMs: 0,
    keepaliveCountMax: 3,
  });
}

/** Open a session on `c` (our channel 0) and confirm it as the peer would, as its channel `remoteId`, granting our full window. */
export async function confirmedSession(c: Connection, remoteId: number) {
  const u32 = (n: number) => new SshWriter().uint32(n).finish();
  const opening = c.openSession();
  c.handle(Uint8Array.from([MSG.CHANNEL_OPEN_CONFIRMATION, ...u32(0), ...u32(remoteId), ...u32(LOCAL_WINDOW), ...u32(LOCAL_MAX_PACKET)]));
  return opening;
}
