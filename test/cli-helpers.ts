// Running the `mcp-ssh` command in the CLI tests. Each test run bundles src/cli/main.ts with
// esbuild the way tsup builds dist/cli.js (ESM, Node platform, packages external), into a private
// directory inside the repository (so the packages resolve from its node_modules): the tests
// always run the current sources, and a concurrent `tsup` (which empties dist/) cannot pull the
// command away in the middle of a test.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { recordingClient, REPO_ROOT } from "../fixtures/mcp/fixture-client.js";

// Per test file (vitest loads this module once per file), so parallel files never share a bundle.
const OUT_DIR = join(REPO_ROOT, "node_modules", ".cache", `mcp-ssh-cli-test-${process.pid}-${randomUUID().slice(0, 8)}`);
export const CLI = join(OUT_DIR, "cli.js");

/** Bundle the CLI from source; returns a function that removes the bundle. */
export async function buildCli(): Promise<() => void> {
  mkdirSync(OUT_DIR, { recursive: true });
  await build({
    entryPoints: [join(REPO_ROOT, "src", "cli", "main.ts")],
    outfile: CLI,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "es2022",
    packages: "external",
    logLevel: "error",
  });
  return () => rmSync(OUT_DIR, { recursive: true, force: true });
}

export interface CliRun {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit status; rejects if the process is still running after `ms`. */
  exited(ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnCli(args: string[], env: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: "pipe" });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited: (ms) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill("SIGKILL");
          reject(new Error(`mcp-ssh ${args.join(" ")} still running after ${ms} ms; stderr:\n${err}`));
        }, ms);
        void exit.then((status) => {
          clearTimeout(timer);
          resolve(status);
        });
      }),
  };
}

/** Resolves with the first stdout line of `run` that satisfies `match` (bounded by `ms`). */
export function waitForStdoutLine(run: CliRun, match: (line: string) => boolean, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    const timer = setTimeout(() => {
      run.child.stdout.off("data", onData);
      reject(new Error(`no matching stdout line within ${ms} ms; stderr:\n${run.stderr()}`));
    }, ms);
    const onData = (d: string) => {
      buffer += d;
      let nl;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (match(line)) {
          clearTimeout(timer);
          run.child.stdout.off("data", onData);
          resolve(line);
          return;
        }
      }
    };
    run.child.stdout.on("data", onData);
  });
}

/**
 * The SDK's Client (recordingClient) on a StdioClientTransport running the CLI with `args` in
 * `env`; a failed initialize says what the CLI wrote on stderr.
 */
export async function mcpViaCli(args: string[], env: Record<string, string>) {
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, ...args], env, stderr: "pipe" });
  let stderr = "";
  transport.stderr?.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  const recording = recordingClient();
  try {
    await recording.client.connect(transport);
  } catch (e) {
    throw new Error(`${(e as Error).message}; stderr:\n${stderr}`);
  }
  return { ...recording, transport, stderr: () => stderr };
}
