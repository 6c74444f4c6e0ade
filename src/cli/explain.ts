// The proxy's one line on stderr when it cannot connect: the library's typed error, plus what only
// the CLI knows (which flags were given, which defaults applied) and so what the user can change.
import { existsSync } from "node:fs";
import { AuthenticationError, HostKeyUnknownError, KeyDecryptionError } from "../ssh/errors.js";
import { expandHome } from "../platform/node/home.js";

export interface FailureContext {
  /** The key files offered, and whether they are the m2m default (no --client-key given). */
  keys: { paths: string[]; m2mDefault: boolean; created: boolean };
  useKeyServer: boolean;
  /** The --known-hosts path as given (or the default), "~" unexpanded. */
  knownHosts: string;
  /** The ssh-agent was asked for keys too (--agent). */
  agent: boolean;
  /** MCP_SSH_PASSWORD was set. */
  password?: boolean;
}

/** Error messages may span lines (e.g. the known_hosts line to add); the CLI promises one line. */
export function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, " ").trim();
}

function tried(e: AuthenticationError): string {
  return e.tried.length ? e.tried.join(", ") : "nothing";
}

const PASSWORD_METHODS = ["password", "keyboard-interactive"];

/** What to say about passwords: the one given was refused, or the server would take one. */
function passwordAdvice(e: AuthenticationError, given: boolean): string {
  if (given) {
    const refused = e.tried.some((t) => PASSWORD_METHODS.some((m) => t.startsWith(`${m}:`)));
    return refused ? " The password from MCP_SSH_PASSWORD was refused." : "";
  }
  if (!e.allowedMethods.some((m) => PASSWORD_METHODS.includes(m))) return "";
  return " The server also takes a password: set MCP_SSH_PASSWORD in the environment of mcp-ssh (there is no flag: other local users can read the process list).";
}

/** The message for `e`, with the CLI's advice where it has some. */
export function explainFailure(e: unknown, ctx: FailureContext): string {
  if (e instanceof AuthenticationError) {
    // MCP_SSH_PASSWORD is for the target only (jump hosts log in with keys), so a jump host's
    // refusal gets no password advice.
    const atJumpHost = e.message.startsWith("jump host ");
    return explainAuthentication(e, ctx) + (atJumpHost ? "" : passwordAdvice(e, ctx.password ?? false));
  }
  return explainOther(e, ctx);
}

function explainAuthentication(e: AuthenticationError, ctx: FailureContext): string {
  if (ctx.useKeyServer) {
    return (
      `authentication failed for user "${e.username}": enrolled with the key server, but the server then refused it ` +
      `(tried ${tried(e)}). The key server's authorized_keys file is not the one sshd reads for "${e.username}" ` +
      `(check --username, and the key server's --authorized-keys against sshd's AuthorizedKeysFile), or the server ` +
      `compares keys differently; the server's log says which.`
    );
  }
  if (ctx.keys.m2mDefault) {
    const [path] = ctx.keys.paths;
    return (
      `authentication failed for user "${e.username}": the server refused the key mcp-ssh offered, ${path} ` +
      `(tried ${tried(e)}), which is the m2m default key (no --client-key given${ctx.keys.created ? "; created by this run" : ""}). ` +
      `Add ${path}.pub to the server's authorized_keys (or let --use-key-server enroll it), or log in with your own key: ` +
      `--client-key ~/.ssh/id_ed25519 (repeatable), or your ssh-agent's keys: --agent.`
    );
  }
  return oneLine(e.message);
}

function explainOther(e: unknown, ctx: FailureContext): string {
  if (e instanceof KeyDecryptionError) {
    if (e.reason === "passphrase-needed") {
      return `${oneLine(e.message)}; set MCP_SSH_PASSPHRASE in the environment of mcp-ssh (or pass --passphrase, which other local users can see in the process list)`;
    }
    if (e.reason === "wrong-passphrase") {
      return `${oneLine(e.message)}; check MCP_SSH_PASSPHRASE (or --passphrase)`;
    }
    return oneLine(e.message);
  }
  if (e instanceof HostKeyUnknownError) {
    const path = expandHome(ctx.knownHosts);
    if (!existsSync(path)) {
      return (
        `the known_hosts file ${path} does not exist, so no host key can be checked (is the --known-hosts path right?). ` +
        `The server ${e.host} offers ${e.keyType} ${e.fingerprint}; if that fingerprint is right, create the file with this line: ` +
        `${e.knownHostsLine}`
      );
    }
    return oneLine(e.message);
  }
  return oneLine((e as Error)?.message ?? String(e));
}
