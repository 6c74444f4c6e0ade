/**
 * What differs between the client and the server in the transport (RFC 4253), as data: the rest of
 * the transport, the version exchange and the key exchange are one code path for both roles.
 */
export interface TransportRole {
  readonly name: "client" | "server";
  /** The other side, for messages: "server" when we are the client. */
  readonly peer: "server" | "client";
  /** Appended to the kex list of our first KEXINIT only (RFC 8308 §2.1; OpenSSH PROTOCOL "kex-strict"). */
  readonly firstKexMarkers: readonly string[];
  /** The peer's strict-kex marker (CVE-2023-48795 countermeasure). */
  readonly peerStrictMarker: string;
  /** The peer's ext-info marker: it wants our EXT_INFO after the first NEWKEYS (RFC 8308 §2.1). */
  readonly peerExtInfoMarker: string;
  /** Key-derivation letters (RFC 4253 §7.2) of what we send and what we receive: IV, key, MAC key. */
  readonly outLetters: KeyLetters;
  readonly inLetters: KeyLetters;
}

export interface KeyLetters {
  iv: "A" | "B";
  key: "C" | "D";
  mac: "E" | "F";
}

const C2S: KeyLetters = { iv: "A", key: "C", mac: "E" };
const S2C: KeyLetters = { iv: "B", key: "D", mac: "F" };

export const CLIENT_ROLE: TransportRole = {
  name: "client",
  peer: "server",
  firstKexMarkers: ["ext-info-c", "kex-strict-c-v00@openssh.com"],
  peerStrictMarker: "kex-strict-s-v00@openssh.com",
  peerExtInfoMarker: "ext-info-s",
  outLetters: C2S,
  inLetters: S2C,
};

export const SERVER_ROLE: TransportRole = {
  name: "server",
  peer: "client",
  firstKexMarkers: ["ext-info-s", "kex-strict-s-v00@openssh.com"],
  peerStrictMarker: "kex-strict-c-v00@openssh.com",
  peerExtInfoMarker: "ext-info-c",
  outLetters: S2C,
  inLetters: C2S,
};
