/**
 * Every failure the library reports is one of these classes, so callers can branch on `instanceof`
 * and every message says what went wrong and what to do about it.
 */
export class SSHError extends Error {
  // Explicit, so minified bundles keep the name.
  override name: string = "SSHError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class ProtocolError extends SSHError {
  override name: string = "ProtocolError";
}

export class NegotiationError extends SSHError {
  override name: string = "NegotiationError";
  constructor(
    readonly category: string,
    readonly ours: readonly string[],
    readonly theirs: readonly string[],
    /** Who the other side is, for the message: "server" when we are the client, "client" when we serve. */
    peer: "server" | "client" = "server",
  ) {
    super(
      `no common ${category} algorithm: we offer [${ours.join(", ")}], the ${peer} offers [${theirs.join(", ")}]; ` +
        (category === "compression"
          ? `mcp-ssh implements only "none" compression: allow it on the ${peer} (OpenSSH: Compression no or yes, not delayed-only)`
          : `enable one of ours on the ${peer}` + (peer === "server" ? ` or pass algorithms.${category} to match it` : "")),
    );
  }
}

/** An option the caller passed that cannot work (unknown algorithm, malformed fingerprint, ...): fix the call. */
export class ConfigurationError extends SSHError {
  override name: string = "ConfigurationError";
}

export class HostKeyUnknownError extends SSHError {
  override name: string = "HostKeyUnknownError";
  constructor(
    readonly host: string,
    readonly keyType: string,
    readonly fingerprint: string,
    /** The known_hosts line that would trust this key. */
    readonly knownHostsLine: string,
    /** When the host showed a certificate that was not accepted, why (its plain key was then unknown). */
    readonly certificateProblem?: string,
  ) {
    super(
      `host key for ${host} is unknown (${keyType} ${fingerprint})` +
        (certificateProblem !== undefined ? `, and its host certificate was not accepted: ${certificateProblem}` : "") +
        `; if this fingerprint is right, add this line to known_hosts:\n${knownHostsLine}`,
    );
  }
}

export class HostKeyMismatchError extends SSHError {
  override name: string = "HostKeyMismatchError";
  constructor(
    readonly host: string,
    readonly keyType: string,
    readonly fingerprint: string,
    /** Where the expected key came from: "known_hosts line N", "pinned fingerprints", "host verifier", "@revoked". */
    readonly expectedFrom: string,
    readonly knownHostsLine?: string,
  ) {
    super(
      `host key for ${host} does not match (${keyType} ${fingerprint}, expected per ${expectedFrom}); ` +
        `someone may be intercepting the connection, or the host key changed. ` +
        `If the change is legitimate, update the entry` +
        (knownHostsLine ? ` to:\n${knownHostsLine}` : "."),
    );
  }
}

/**
 * The server's host key is of a kind we refuse whoever vouches for it (today: an RSA key under 2048
 * bits), so no known_hosts line, pin or verifier can make it acceptable. Unlike HostKeyUnknownError
 * and HostKeyMismatchError it says nothing about interception: the fix is on the server (a
 * better host key) or in the algorithms we ask for (another host key type the server has).
 */
export class HostKeyRefusedError extends SSHError {
  override name: string = "HostKeyRefusedError";
  constructor(
    /** The host key blob's type, e.g. "ssh-rsa" or "ssh-rsa-cert-v01@openssh.com". */
    readonly keyType: string,
    readonly fingerprint: string,
    /** The size of the refused key in bits. */
    readonly bits: number,
    message: string,
  ) {
    super(message);
  }
}

export class AuthenticationError extends SSHError {
  override name: string = "AuthenticationError";
  constructor(
    readonly username: string,
    /** Methods the server said can continue (RFC 4252 §5.1). */
    readonly allowedMethods: readonly string[],
    /** What we tried, each with the server's answer, e.g. "publickey (ssh-ed25519 SHA256:...): refused by the server". */
    readonly tried: readonly string[],
    /** Identities we did not offer, each with why (type not accepted, no usable signature algorithm, ...). */
    readonly skipped: readonly string[] = [],
    /** Advice for this situation (e.g. about a default key); replaces the generic hint. */
    hint?: string,
  ) {
    super(
      `authentication failed for user "${username}": tried [${tried.join("; ") || "nothing"}]` +
        (skipped.length ? `; skipped [${skipped.join("; ")}]` : "") +
        `; the server allows [${allowedMethods.join(", ")}]` +
        (hint !== undefined ? `; ${hint}` : allowedMethods.includes("publickey") ? "; check that the public key is in the server's authorized_keys" : ""),
    );
  }
}

export class DisconnectError extends SSHError {
  override name: string = "DisconnectError";
  constructor(
    readonly reasonCode: number,
    readonly description: string,
  ) {
    super(`server disconnected (reason ${reasonCode}): ${description}`);
  }
}

export class TimeoutError extends SSHError {
  override name: string = "TimeoutError";
  constructor(
    /** Which step timed out: "connect", "version exchange", "key exchange", "authentication", ... */
    readonly step: string,
    readonly timeoutMs: number,
  ) {
    super(`${step} timed out after ${timeoutMs} ms`);
  }
}

export class ChannelOpenError extends SSHError {
  override name: string = "ChannelOpenError";
  constructor(
    readonly reasonCode: number,
    readonly description: string,
  ) {
    super(`channel open refused (reason ${reasonCode}): ${description}`);
  }
}

/** A channel request (exec, subsystem, shell, env, pty) the server refused. */
export class ChannelRequestError extends SSHError {
  override name: string = "ChannelRequestError";
}

export class ConnectionLostError extends SSHError {
  override name: string = "ConnectionLostError";
}

export class KeyDecryptionError extends SSHError {
  override name: string = "KeyDecryptionError";
  /** Why: no passphrase was given for an encrypted key, or the one given is wrong. */
  readonly reason: "passphrase-needed" | "wrong-passphrase";
  constructor(message: string, options?: { cause?: unknown; reason?: "passphrase-needed" | "wrong-passphrase" }) {
    super(message, options);
    const inner = options?.cause instanceof KeyDecryptionError ? options.cause.reason : undefined;
    this.reason = options?.reason ?? inner ?? (/wrong passphrase/.test(message) ? "wrong-passphrase" : "passphrase-needed");
  }
}

/** A key file or key line we cannot use: unsupported type or format, or malformed. */
export class KeyFormatError extends SSHError {
  override name: string = "KeyFormatError";
}
