import { DISCONNECT_REASON, MSG } from "../messages.js";
import {
  AuthenticationError,
  ConnectionLostError,
  DisconnectError,
  HostKeyMismatchError,
  HostKeyRefusedError,
  HostKeyUnknownError,
  NegotiationError,
  ProtocolError,
  TimeoutError,
} from "../errors.js";
import { MAC_FAILURE } from "../cipher/cipher.js";
import { SshReader, parseNameList } from "../wire/reader.js";
import { SshWriter } from "../wire/writer.js";
import { safePeerText } from "../wire/peer-text.js";

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
  if (error instanceof HostKeyMismatchError || error instanceof HostKeyUnknownError || error instanceof HostKeyRefusedError) {
    return DISCONNECT_REASON.HOST_KEY_NOT_VERIFIABLE;
  }
  if (error instanceof NegotiationError) return DISCONNECT_REASON.KEY_EXCHANGE_FAILED;
  if (error instanceof AuthenticationError) return DISCONNECT_REASON.NO_MORE_AUTH_METHODS_AVAILABLE;
  if (error instanceof ProtocolError && error.message === MAC_FAILURE) return DISCONNECT_REASON.MAC_ERROR;
  if (error instanceof ProtocolError) return DISCONNECT_REASON.PROTOCOL_ERROR;
  return DISCONNECT_REASON.BY_APPLICATION;
}

/**
 * The DISCONNECT description to send for a local failure. Only errors about the wire itself (a
 * protocol violation, no common algorithm, a host key too small) are described to the peer in full: the others carry
 * what is ours alone. An AuthenticationError lists every identity tried and skipped with its
 * fingerprint and comment (often user@host), including keys never offered to this server; host key
 * and key file errors name local files. Those get a fixed text by kind.
 */
export function disconnectDescription(error: Error): string {
  // HostKeyRefusedError describes only the server's own key (its size, what else it offers): the
  // server's admin is the one who can act on it.
  if (error instanceof ProtocolError || error instanceof NegotiationError || error instanceof HostKeyRefusedError) return error.message;
  if (error instanceof AuthenticationError) return "authentication failed";
  if (error instanceof HostKeyMismatchError || error instanceof HostKeyUnknownError) return "host key not accepted";
  if (error instanceof TimeoutError) return "timed out";
  return "connection abandoned by the client";
}

/** DISCONNECT (RFC 4253 §11.1): reason code, description (its first line, at most 200 chars), language. */
export function encodeDisconnect(reason: number, description: string): Uint8Array {
  return new SshWriter(128).byte(MSG.DISCONNECT).uint32(reason).string(description.split("\n")[0]!.slice(0, 200)).string("").finish();
}

/** The peer's DISCONNECT as the error the connection ends with. */
export function parseDisconnect(payload: Uint8Array): DisconnectError {
  const r = new SshReader(payload, 1);
  const code = r.uint32();
  return new DisconnectError(code, safePeerText(r.text(4096)));
}

/** The text of a DEBUG message (RFC 4253 §11.3: always_display, message, language). */
export function debugMessageText(payload: Uint8Array): string {
  const r = new SshReader(payload, 1);
  r.boolean();
  return safePeerText(r.text(4096));
}
