import { createConnection } from "node:net";
import { socketToByteStream } from "../../ssh/io/node-tcp.js";
import type { Logger } from "../../ssh/logger.js";
import { AgentConnection, AgentError, DEFAULT_AGENT_TIMEOUT_MS } from "../../ssh/keys/agent-protocol.js";
import { agentSigners } from "../../ssh/keys/agent-signer.js";
import type { Signer } from "../../ssh/keys/signature.js";

/**
 * ssh-agent over its Unix socket (Node; Deno and Bun through node:net). Each operation opens its
 * own short connection, as ssh-add does: a Signer kept for later never holds a socket (nor keeps
 * the process alive), and an agent restarted in between is simply reached again.
 */

export interface AgentOptions {
  /** Per request, connect included; default 10 s. */
  timeoutMs?: number;
  logger?: Logger;
  /** Receives a line for each identity the agent holds that we cannot use, and why. */
  skipped?: string[];
}

/** The socket path: an explicit one, else $SSH_AUTH_SOCK. */
export function agentSocketPath(socket?: string | true): string {
  if (typeof socket === "string" && socket !== "") return socket;
  const env = process.env.SSH_AUTH_SOCK;
  if (!env) {
    throw new AgentError(
      "no ssh-agent: SSH_AUTH_SOCK is not set; start one (eval \"$(ssh-agent)\" and ssh-add) or pass the agent's socket path",
    );
  }
  return env;
}

/** Connect to the agent at `socket` (or $SSH_AUTH_SOCK). */
export function connectAgent(socket?: string | true, options: AgentOptions = {}): Promise<AgentConnection> {
  const path = agentSocketPath(socket);
  const timeoutMs = options.timeoutMs ?? DEFAULT_AGENT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const sock = createConnection({ path });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new AgentError(`ssh-agent at ${path} did not accept the connection within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.once("connect", () => {
      clearTimeout(timer);
      sock.off("error", onError);
      resolve(new AgentConnection(socketToByteStream(sock), timeoutMs));
    });
    const onError = (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new AgentError(`cannot reach ssh-agent at ${path} (${e.code ?? e.message}); is the agent running?`, { cause: e }));
    };
    sock.once("error", onError);
  });
}

async function withAgent<T>(socket: string | true | undefined, options: AgentOptions, f: (agent: AgentConnection) => Promise<T>): Promise<T> {
  const agent = await connectAgent(socket, options);
  try {
    return await f(agent);
  } finally {
    await agent.close();
  }
}

/**
 * Signers for the ed25519 keys the agent holds (other types are skipped with a debug line); each
 * sign() asks the agent. `socket`: a path, or true / absent for $SSH_AUTH_SOCK.
 */
export async function listAgentSigners(socket?: string | true, options: AgentOptions = {}): Promise<Signer[]> {
  const path = agentSocketPath(socket);
  const identities = await withAgent(path, options, (agent) => agent.listIdentities());
  const sign = (blob: Uint8Array, data: Uint8Array, flags = 0) => withAgent(path, options, (agent) => agent.sign(blob, data, flags));
  return agentSigners(identities, sign, options.logger, options.skipped);
}
