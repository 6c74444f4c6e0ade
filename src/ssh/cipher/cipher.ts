/**
 * What the packet layer needs from a cipher. Operations work in place on one buffer laid out as
 * `packet_length(4) || padding_length(1) || payload || padding || tag(tagLength)` so the hot path
 * allocates nothing; implementations (noble, WebAssembly) plug in behind it.
 */
export interface PacketCipher {
  readonly name: string;
  /** Alignment of the padded packet (RFC 4253 §6: at least 8). */
  readonly blockSize: number;
  /** Whether the 4-byte length field counts toward the alignment (false for AEAD / length-encrypted-apart modes). */
  readonly lengthInAlignment: boolean;
  readonly tagLength: number;
  /**
   * Bytes `decryptLength` needs: 4 where the length is readable alone (chacha20-poly1305, GCM, -etm
   * MACs), the cipher block size where it is encrypted with the first block (CTR with a plain MAC).
   */
  readonly headLength: number;
  /** Encrypt `buf[0 .. buf.length - tagLength)` in place and write the tag into the last tagLength bytes. */
  seal(seq: number, buf: Uint8Array): void;
  /** packet_length from the first 4 (possibly encrypted) bytes, without changing them. */
  decryptLength(seq: number, head: Uint8Array): number;
  /**
   * Verify the tag over `buf` (length || body || tag) and, only if it is valid, decrypt the body and
   * return it: `padding_length || payload || padding` (packet_length bytes). The result is either a
   * view of `buf` decrypted in place or a buffer of the cipher's own (node:crypto hands its output
   * in a fresh buffer, and copying it back would cost a pass over every packet); the caller keeps
   * it, so it must not be reused for a later packet. Throws ProtocolError on a bad tag.
   */
  open(seq: number, buf: Uint8Array): Uint8Array;
}

/** The ProtocolError message of every `open` whose tag does not verify; the transport answers it with MAC_ERROR. */
export const MAC_FAILURE = "message authentication failed (corrupted or tampered packet)";

/** Before the first NEWKEYS (RFC 4253 §6: "none" cipher, no MAC). */
export const nullCipher: PacketCipher = {
  name: "none",
  blockSize: 8,
  lengthInAlignment: true,
  tagLength: 0,
  headLength: 4,
  seal() {},
  decryptLength(_seq, head) {
    return ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
  },
  open(_seq, buf) {
    return buf.subarray(4);
  },
};

/** A MAC algorithm row (RFC 4253 §6.4; OpenSSH PROTOCOL §1.5 for the -etm@openssh.com forms). */
export interface MacAlgorithm {
  readonly name: string;
  readonly keyLength: number;
  readonly tagLength: number;
  /** Encrypt-then-MAC: the MAC covers the encrypted packet and the length stays in the clear. */
  readonly etm: boolean;
  /** A direction's MAC keyed with `key` (keyLength bytes, RFC 4253 §7.2 letters E/F). */
  create(key: Uint8Array): PacketMac;
}

/** One direction's keyed MAC. */
export interface PacketMac {
  readonly tagLength: number;
  /** MAC(key, uint32 seq || data) into `out` (tagLength bytes); `out` must not overlap `data`. */
  compute(seq: number, data: Uint8Array, out: Uint8Array): void;
}

/** Builds a direction's cipher from derived key material (RFC 4253 §7.2: IV A/B, key C/D, MAC key E/F). */
export interface CipherFactory {
  readonly name: string;
  readonly keyLength: number;
  readonly ivLength: number;
  /** Carries its own tag (chacha20-poly1305, AES-GCM): KEXINIT's MAC lists are not negotiated for it. */
  readonly aead: boolean;
  create(key: Uint8Array, iv: Uint8Array, mac?: { algorithm: MacAlgorithm; key: Uint8Array }): PacketCipher;
}
