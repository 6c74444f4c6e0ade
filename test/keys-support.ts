// Shared by the keys-*.test.ts files: throwaway directories and the OpenSSH client tools the
// tests compare against (ssh-keygen, ssh-keyscan, ssh-agent, ssh-add; openssl for PEM and PKCS#8
// encryptions ssh-keygen does not write). A missing tool fails the
// test with the Debian package to install.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll } from "vitest";

const TOOLS = ["ssh-keygen", "ssh-keyscan", "ssh-agent", "ssh-add", "openssl"] as const;
export type Tool = (typeof TOOLS)[number];

export function toolPath(name: Tool): string {
  for (const dir of ["/usr/bin", ...(process.env.PATH ?? "").split(delimiter)]) {
    if (dir === "") continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // keep looking
    }
  }
  throw new Error(`${name} not found in /usr/bin or $PATH; install it: apt-get install ${name === "openssl" ? "openssl" : "openssh-client"}`);
}

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a tool to completion (never rejects on a non-zero exit: tests assert on `code`). */
export function tool(name: Tool, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<ToolResult> {
  const file = toolPath(name);
  return new Promise((resolve, reject) => {
    execFile(file, args, { env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 30_000, encoding: "utf8" }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") reject(new Error(`${file} ${args.join(" ")}: ${error.message}\n${stderr}`));
      else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

/** Like `tool`, but a non-zero exit is an error that shows stderr. */
export async function mustRun(name: Tool, args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const r = await tool(name, args, opts);
  if (r.code !== 0) throw new Error(`${name} ${args.join(" ")} exited ${r.code}:\n${r.stderr}`);
  return r.stdout;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh directory (mode 0700), removed after the test file. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mcp-ssh-keys-"));
  dirs.push(dir);
  return dir;
}

/** `type base64` of a public key line (drops the comment). */
export function typeAndBase64(line: string): string {
  return line.trim().split(/\s+/).slice(0, 2).join(" ");
}

export interface TestAgent {
  socket: string;
  child: ChildProcess;
  /** SIGTERM the agent (by its pid) and wait for it to exit. */
  stop(): Promise<void>;
}

/** Debian's ssh-agent in the foreground (-D) on its own socket; `askpass` answers confirmations. */
export async function startAgent(askpass = "/bin/false"): Promise<TestAgent> {
  const dir = tempDir();
  const socket = join(dir, "agent.sock");
  const child = spawn(toolPath("ssh-agent"), ["-D", "-a", socket], {
    stdio: "ignore",
    env: { ...process.env, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: "force", DISPLAY: ":0" },
  });
  for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(socket)) {
    child.kill("SIGKILL");
    throw new Error("ssh-agent did not create its socket within 5 s");
  }
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  // Never outlive the test process, even when a test forgets stop().
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  void exited.then(() => process.off("exit", killOnExit));
  return {
    socket,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
