import { DISCONNECT_REASON } from "../messages.js";
import {
  AuthenticationError,
  ConnectionLostError,
  DisconnectError,
  HostKeyMismatchError,
  HostKeyUnknownError,
  NegotiationError,
  ProtocolError,
} from "../errors.js";
import { SshReader, parseNameList } from "../wire/reader.js";

/** Extensions a server may announce at once; RFC 8308 defines a handful. */
const MAX_EXTENSIONS = 64;

/**
 * EXT_INFO (RFC 8308 §2.3): extension names and values. Only name-list valued extensions we use
 * are decoded ("server-sig-algs", §3.1); the rest are skipped after their bounds are checked.
 */
export function parseExtInfo(payload: Uint8Array): Map<string, string[]> {
  const r = new SshReader(payload, 1);
  const n = r.uint32();
  if (n > MAX_EXTENSIONS) throw new ProtocolError(`EXT_INFO with ${n} extensions`);
  const out = new Map<string, string[]>();
  for (let i = 0; i < n; i++) {
    const name = r.text(256);
    const value = r.text();
    if (name === "server-sig-algs") out.set(name, parseNameList(value));
  }
  return out;
}

/** The DISCONNECT reason to send for a local failure (RFC 4253 §11.1), or null to send none. */
export function disconnectReasonFor(error: Error): number | null {
  if (error instanceof DisconnectError || error instanceof ConnectionLostError) return null;
  if (error instanceof HostKeyMismatchError || error instanceof HostKeyUnknownError) return DISCONNECT_REASON.HOST_KEY_NOT_VERIFIABLE;
  if (error instanceof NegotiationError) return DISCONNECT_REASON.KEY_EXCHANGE_FAILED;
  if (error instanceof AuthenticationError) return DISCONNECT_REASON.NO_MORE_AUTH_METHODS_AVAILABLE;
  if (error instanceof ProtocolError && /authentication failed/.test(error.message)) return DISCONNECT_REASON.MAC_ERROR;
  if (error instanceof ProtocolError) return DISCONNECT_REASON.PROTOCOL_ERROR;
  return DISCONNECT_REASON.BY_APPLICATION;
}
