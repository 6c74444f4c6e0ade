// Run a script under Bun or Deno from a Node test: the runtimes come from npm (devDependencies),
// the script's output is captured, and a run that hangs is killed.
import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { join } from "node:path";

export type ForeignRuntime = "bun" | "deno";

const ROOT = join(import.meta.dirname, "..", "..");

export function runtimeBinary(runtime: ForeignRuntime): string {
  const path = join(ROOT, "node_modules", ".bin", runtime);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(`${path} not found: ${runtime} comes from npm as a devDependency; run \`npm install\``);
  }
  return path;
}

/**
 * Deno gets only loopback network, read access, and no downloads: `--cached-only` with the
 * project's own node_modules (`--node-modules-dir=manual`). `--sloppy-imports` lets it follow the
 * sources' NodeNext `.js` specifiers to the `.ts` files, as tsc and Bun do.
 */
export function runtimeArgs(runtime: ForeignRuntime, script: string, scriptArgs: string[]): string[] {
  if (runtime === "bun") return ["run", script, ...scriptArgs];
  return [
    "run",
    "--node-modules-dir=manual",
    "--cached-only",
    "--sloppy-imports",
    "--allow-net=127.0.0.1",
    "--allow-read",
    "--no-prompt",
    script,
    ...scriptArgs,
  ];
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runScript(runtime: ForeignRuntime, script: string, scriptArgs: string[], timeoutMs = 120_000): Promise<RunResult> {
  const file = runtimeBinary(runtime);
  return new Promise((resolve) => {
    execFile(
      file,
      runtimeArgs(runtime, script, scriptArgs),
      { cwd: ROOT, timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1" } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The `RESULT {json}` line a runtime script prints, or an error carrying everything it printed. */
export function parseResult<T>(run: RunResult, what: string): T {
  const line = run.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (run.code !== 0 || line === undefined) {
    throw new Error(`${what} failed (exit ${run.code}).\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
  return JSON.parse(line.slice("RESULT ".length)) as T;
}
