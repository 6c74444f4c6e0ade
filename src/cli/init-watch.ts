// No silent hang: the proxy watches the MCP host's `initialize` request. If the remote does not
// answer with anything MCP (a JSON line) within --init-timeout, or its stderr shows that a shell
// tried to run the JSON as a command (a plain login shell: no ForceCommand, no --command or
// --subsystem), the proxy says what happened and how to fix it, answers the pending request with
// a JSON-RPC error, and exits non-zero. Without this, the host waits until its own timeout and
// the user sees nothing.

/** Default --init-timeout, seconds: a cold `npx`/`uvx` server start is within it; a hang is not. */
export const DEFAULT_INIT_TIMEOUT_S = 20;

/** JSON-RPC error codes of the answer (the MCP SDK's ErrorCode values). */
export const INIT_TIMEOUT_CODE = -32001; // RequestTimeout
export const INIT_FAILED_CODE = -32000; // ConnectionClosed

/** How many lines of the remote's noise the message quotes. */
const NOISE_LINES = 3;

/**
 * A stderr line that shows a shell read our JSON as a command: bash/sh/zsh/fish say
 * "command not found" / "syntax error", and the line quotes part of the message ("jsonrpc",
 * "method:initialize").
 */
export function isShellNoise(line: string): boolean {
  // bash splits {"method":"initialize",...} by brace expansion into words like method:initialize;
  // sh prints the whole line without quotes. The SDK puts "method" first, raw clients "jsonrpc".
  return /jsonrpc|method"?:"?initialize|protocolVersion/.test(line) && /command not found|not found|syntax error|unexpected|Unknown command/i.test(line);
}

export type InitFailure = { kind: "timeout"; seconds: number } | { kind: "shell" } | { kind: "ended"; how: string };

export interface InitWatchOptions {
  /** 0 = no timeout. */
  timeoutMs: number;
  /** How the remote server is started, for the hint. */
  start: { command?: string; subsystem?: string };
  /** Called once, when the watch concludes that the remote is not an MCP server. */
  onFailure: (failure: InitFailure) => void;
}

/** The id of a JSON-RPC `initialize` request, or undefined for anything else. */
export function initializeRequestId(value: unknown): string | number | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const m = value as { method?: unknown; id?: unknown };
  if (m.method !== "initialize") return undefined;
  return typeof m.id === "string" || typeof m.id === "number" ? m.id : undefined;
}

export class InitWatch {
  /** The host's pending initialize request id (undefined: none pending or already answered). */
  private pendingId: string | number | undefined;
  private answered = false;
  private failed = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly noise: string[] = [];

  constructor(private readonly opts: InitWatchOptions) {}

  /** A message from the host is being written to the remote (pending from now, even if the write fails). */
  sent(value: unknown): void {
    const id = initializeRequestId(value);
    if (id === undefined || this.answered || this.failed || this.pendingId !== undefined) return;
    this.pendingId = id;
    // The shell may have answered before our write was acknowledged: what it said already counts.
    if (this.noise.some(isShellNoise)) return this.fail({ kind: "shell" });
    if (this.opts.timeoutMs > 0) {
      this.timer = setTimeout(() => this.fail({ kind: "timeout", seconds: this.opts.timeoutMs / 1000 }), this.opts.timeoutMs);
      this.timer.unref?.();
    }
  }

  /** Whether `sent` still wants the host's messages (until the initialize request is seen). */
  get wantsHostMessages(): boolean {
    return !this.answered && !this.failed && this.pendingId === undefined;
  }

  /** A JSON line came from the remote: it speaks MCP (or at least JSON-RPC); stop watching. */
  remoteSpoke(): void {
    this.answered = true;
    this.stop();
  }

  /** A line of the remote's stderr, or a non-JSON line of its stdout. */
  remoteNoise(line: string): void {
    if (this.answered || this.failed) return;
    this.noise.push(line.length > 200 ? `${line.slice(0, 200)}...` : line);
    if (this.noise.length > NOISE_LINES) this.noise.shift();
    if (this.pendingId !== undefined && isShellNoise(line)) this.fail({ kind: "shell" });
  }

  /** The remote ended; if initialize is still unanswered, that is a failure too. */
  remoteEnded(how: string): void {
    if (this.pendingId !== undefined && !this.answered) this.fail({ kind: "ended", how });
    this.stop();
  }

  /** The initialize request still waiting for an answer, if any. */
  get pending(): string | number | undefined {
    return this.answered ? undefined : this.pendingId;
  }

  get hasFailed(): boolean {
    return this.failed;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fail(failure: InitFailure): void {
    if (this.failed || this.answered) return;
    this.failed = true;
    this.stop();
    this.opts.onFailure(failure);
  }

  /** One line for stderr: what happened, what the remote said, and how to fix it. */
  explain(failure: InitFailure): string {
    const said = this.noise.length ? ` The remote said: ${this.noise.map((l) => JSON.stringify(l)).join(", ")}.` : "";
    const what =
      failure.kind === "timeout"
        ? `the remote did not answer MCP's initialize request within ${failure.seconds} s.${said || " It printed nothing."}`
        : failure.kind === "shell"
          ? `the remote is a shell, not an MCP server: it tried to run the initialize request as a command.${said}`
          : `${failure.how} before answering MCP's initialize request.${said}`;
    const { command, subsystem } = this.opts.start;
    let fix: string;
    if (command !== undefined) {
      fix = `Check that --command ${JSON.stringify(command)} starts an MCP server that speaks JSON-RPC on stdout (run it by hand over ssh to see).`;
    } else if (subsystem !== undefined) {
      fix = `Check the server's "Subsystem ${subsystem} ..." line in sshd_config: it must start an MCP server that speaks JSON-RPC on stdout.`;
    } else {
      fix =
        "Without --command or --subsystem, mcp-ssh asks for a shell, and sshd starts the user's login shell unless the server " +
        "pins a command. Fix it on the client with --command \"node /srv/mcp/server.js\" (the remote server's command) or " +
        "--subsystem mcp (with \"Subsystem mcp ...\" in sshd_config), or on the server with ForceCommand in sshd_config " +
        "(or command=\"...\" before the key in authorized_keys).";
    }
    const wait = failure.kind === "timeout" ? " If the server is just slow to start, allow it more time with --init-timeout SECONDS." : "";
    return `${what} ${fix}${wait}`;
  }

  /** The JSON-RPC error answer to the pending initialize request (a line without "\n"), if one is pending. */
  errorAnswer(failure: InitFailure): string | undefined {
    const id = this.pendingId;
    if (id === undefined) return undefined;
    return JSON.stringify({
      jsonrpc: "2.0",
      id,
      error: {
        code: failure.kind === "timeout" ? INIT_TIMEOUT_CODE : INIT_FAILED_CODE,
        message: `mcp-ssh: ${this.explain(failure)}`,
      },
    });
  }
}
