// What the client tells a server in its DISCONNECT when it gives up (RFC 4253 §11.1): the kind of
// failure, never the local error text. An AuthenticationError lists every identity tried and
// skipped with fingerprint and comment (keys never offered to this server among them), and host
// key errors name local known_hosts files. sshd logs the description it receives (sshd 9.2).
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuthenticationError,
  ConfigurationError,
  HostKeyMismatchError,
  HostKeyRefusedError,
  HostKeyUnknownError,
  KeyFormatError,
  NegotiationError,
  ProtocolError,
  TimeoutError,
} from "../src/entries/ssh.js";
import { disconnectDescription } from "../src/ssh/transport/transport-messages.js";
import { connectError, loginOptions } from "./helpers/connect.js";
import { makeClientKey, startSshd, waitForLog, type ClientKey, type TestServer } from "./helpers/servers.js";
import { parsePrivateKey } from "../src/ssh/keys/openssh-private-key.js";

let server: TestServer;
let refused: ClientKey;
let other: ClientKey;

beforeAll(async () => {
  server = await startSshd({ authorizedKeys: [] });
  refused = await makeClientKey({ comment: "alice@secret-laptop-1" });
  other = await makeClientKey({ comment: "bob@secret-laptop-2" });
}, 60_000);

afterAll(() => server?.stop());

describe("DISCONNECT descriptions say what failed, not our local details", () => {
  it("authentication failed: sshd reads 'authentication failed', none of the keys' comments or fingerprints", async () => {
    const before = server.log().length;
    const error = await connectError(loginOptions(server, refused, { signers: [await parsePrivateKey(other.privateKey)] }));
    expect(error).toBeInstanceOf(AuthenticationError);
    // Locally the error names both identities...
    expect((error as Error).message).toContain("alice@secret-laptop-1");
    expect((error as Error).message).toContain("bob@secret-laptop-2");
    // ...and the server is told only the kind.
    await waitForLog({ log: () => server.log().slice(before) }, /Received disconnect from 127\.0\.0\.1 port \d+:14: authentication failed \[preauth\]/);
    const seen = server.log().slice(before);
    // (The offered keys' fingerprints the server knows anyway; their comments it does not.)
    expect(seen).not.toContain("secret-laptop");
  });

  it("every local error class: only wire errors (protocol, negotiation, the server's key too small) are described in full", () => {
    const secret = "/home/alice/private-dir-xyz/known_hosts line 3";
    expect(disconnectDescription(new ProtocolError("unexpected message 94"))).toBe("unexpected message 94");
    expect(disconnectDescription(new NegotiationError("kex", ["a"], ["b"]))).toContain("kex");
    expect(disconnectDescription(new AuthenticationError("root", ["publickey"], [`publickey (x ${secret})`]))).toBe("authentication failed");
    expect(disconnectDescription(new HostKeyMismatchError("h", "ssh-ed25519", "SHA256:x", secret))).toBe("host key not accepted");
    expect(disconnectDescription(new HostKeyUnknownError("h", "ssh-ed25519", "SHA256:x", secret))).toBe("host key not accepted");
    expect(disconnectDescription(new TimeoutError("key exchange", 1000))).toBe("timed out");
    const small = new HostKeyRefusedError("ssh-rsa", "SHA256:x", 1024, "the server's host key is RSA with 1024 bits");
    expect(disconnectDescription(small)).toBe(small.message);
    expect(disconnectDescription(new KeyFormatError(`cannot read ${secret}`))).toBe("connection abandoned by the client");
    expect(disconnectDescription(new ConfigurationError(`ssh_config ${secret}`))).toBe("connection abandoned by the client");
  });
});
