/**
 * A child process as the MCP server side needs it: Web Streams for its stdio, its exit, and a way
 * to end it. The runtime supplies the implementation (src/platform/node/child-process.ts), so
 * src/mcp stays free of node: imports.
 */
export interface ChildSpec {
  command: string;
  args: string[];
  /** The whole environment of the child (nothing is inherited). */
  env: Record<string, string>;
  cwd?: string;
}

export interface ChildExit {
  code: number | null;
  /** "TERM", "KILL", ... (without "SIG") when a signal ended it. */
  signal: string | null;
  /** Set when the process could not be started at all (e.g. ENOENT). */
  spawnError?: string;
}

export interface ChildProcessHandle {
  readonly pid: number | undefined;
  /** The child's stdin; closing it is EOF for the child. Writes wait while its pipe is full. */
  readonly stdin: WritableStream<Uint8Array>;
  /** The child's stdout and stderr; the child blocks on a full pipe while nobody reads. */
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  /** Resolves once the process has exited (never rejects). */
  readonly exited: Promise<ChildExit>;
  kill(signal: "SIGTERM" | "SIGKILL"): void;
}

export type SpawnChild = (spec: ChildSpec) => ChildProcessHandle;
