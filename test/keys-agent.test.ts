import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TimeoutError } from "../src/ssh/errors.js";
import type { Logger } from "../src/ssh/logger.js";
import { AgentError } from "../src/ssh/keys/agent-protocol.js";
import { connectAgent, listAgentSigners } from "../src/platform/node/agent-socket.js";
import { verifySignature } from "../src/ssh/keys/signature.js";
import { fromBase64, utf8 } from "../src/ssh/wire/bytes.js";
import { mustRun, startAgent, tempDir, type TestAgent } from "./keys-support.js";

/** ssh-keygen a key and ssh-add it to the agent at `socket`; returns its path and .pub line. */
async function addKey(socket: string, type: string, comment: string, extra: string[] = []): Promise<{ path: string; pub: string }> {
  const path = join(tempDir(), "key");
  await mustRun("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", comment, "-f", path]);
  await mustRun("ssh-add", [...extra, path], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
  return { path, pub: readFileSync(`${path}.pub`, "utf8").trim() };
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (m: string) => void lines.push(`${level}: ${m}`);
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

describe("ssh-agent (Debian's ssh-agent and ssh-add)", () => {
  let agent: TestAgent;
  let ed: { path: string; pub: string };

  beforeAll(async () => {
    agent = await startAgent();
    ed = await addKey(agent.socket, "ed25519", "agent-ed25519");
    await addKey(agent.socket, "rsa", "agent-rsa", []);
  });
  afterAll(async () => {
    await agent?.stop();
  });

  it("lists identities (all types, with comments)", async () => {
    const conn = await connectAgent(agent.socket);
    try {
      const ids = await conn.listIdentities();
      expect(ids.map((i) => [i.type, i.comment])).toEqual([
        ["ssh-ed25519", "agent-ed25519"],
        ["ssh-rsa", "agent-rsa"],
      ]);
      expect(Buffer.from(ids[0]!.blob).toString("base64")).toBe(ed.pub.split(" ")[1]);
    } finally {
      await conn.close();
    }
  });

  it("offers ed25519 signers whose signatures verify; RSA ones offer rsa-sha2-512, rsa-sha2-256, ssh-rsa (signing with the SHA-2 flags against sshd: test/interop-userkeys.test.ts)", async () => {
    const logger = recordingLogger();
    const signers = await listAgentSigners(agent.socket, { logger });
    void logger;
    expect(signers).toHaveLength(2);
    const signer = signers[0]!;
    expect(signer.type).toBe("ssh-ed25519");
    expect(signer.comment).toBe("agent-ed25519");
    expect(signer.publicBlob).toEqual(fromBase64(ed.pub.split(" ")[1]!));
    const data = utf8("data to sign, as userauth would hand it over");
    const signature = await signer.sign(data);
    expect(await verifySignature(signer.publicBlob, signature, data)).toBe(true);
    expect(await verifySignature(signer.publicBlob, signature, utf8("other data"))).toBe(false);
    expect(signers[1]!.type).toBe("ssh-rsa");
    expect(signers[1]!.algorithms).toEqual(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]);
  });

  it("finds the agent through SSH_AUTH_SOCK", async () => {
    const saved = process.env.SSH_AUTH_SOCK;
    process.env.SSH_AUTH_SOCK = agent.socket;
    try {
      expect((await listAgentSigners(true)).map((s) => s.comment)).toEqual(["agent-ed25519", "agent-rsa"]);
      expect((await listAgentSigners()).map((s) => s.comment)).toEqual(["agent-ed25519", "agent-rsa"]);
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
    }
  });

  it("says clearly when there is no agent", async () => {
    await expect(listAgentSigners(join(tempDir(), "no-such.sock"))).rejects.toThrow(AgentError);
    await expect(listAgentSigners(join(tempDir(), "no-such.sock"))).rejects.toThrow(/cannot reach ssh-agent at .*is the agent running/);
    const saved = process.env.SSH_AUTH_SOCK;
    delete process.env.SSH_AUTH_SOCK;
    try {
      await expect(listAgentSigners(true)).rejects.toThrow(/SSH_AUTH_SOCK is not set/);
    } finally {
      if (saved !== undefined) process.env.SSH_AUTH_SOCK = saved;
    }
  });
});

describe("ssh-agent refusals and timeouts", () => {
  it("a denied confirmation (ssh-add -c) is an AgentError", async () => {
    const agent = await startAgent("/bin/false");
    try {
      await addKey(agent.socket, "ed25519", "confirm-me", ["-c"]);
      const [signer] = await listAgentSigners(agent.socket);
      await expect(signer!.sign(utf8("x"))).rejects.toThrow(/ssh-agent refused to sign/);
    } finally {
      await agent.stop();
    }
  });

  it("an agent that does not answer in time is a TimeoutError", async () => {
    // The agent waits for its askpass (which sleeps) before answering the sign request.
    const askpass = join(tempDir(), "slow-askpass");
    writeFileSync(askpass, "#!/bin/sh\nsleep 3\nexit 1\n", { mode: 0o755 });
    const agent = await startAgent(askpass);
    try {
      await addKey(agent.socket, "ed25519", "slow", ["-c"]);
      const [signer] = await listAgentSigners(agent.socket, { timeoutMs: 300 });
      const error = await signer!.sign(utf8("x")).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).step).toBe("ssh-agent sign");
    } finally {
      await agent.stop();
    }
  });
});
