// Run a benchmark worker script in a fresh Node process and return the JSON it prints last.
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";

/**
 * `profileDir`: run the worker under `node --cpu-prof` and write its .cpuprofile there.
 * Fails with the worker's stderr when it exits non-zero or prints no JSON within `timeoutMs`.
 */
export function runWorker(script, spec, { profileDir, timeoutMs = 300_000, env } = {}) {
  const execArgv = [];
  if (profileDir) {
    mkdirSync(profileDir, { recursive: true });
    execArgv.push("--cpu-prof", `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${spec.client ?? "worker"}-${spec.task ?? "run"}-${Date.now()}.cpuprofile`);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...execArgv, script, JSON.stringify(spec)], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${script} ${spec.client ?? ""} ${spec.task ?? ""} did not finish within ${timeoutMs / 1000} s\n${err}`));
    }, timeoutMs);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      const last = out.trim().split("\n").pop() ?? "";
      try {
        if (code !== 0) throw new Error(`exit code ${code}`);
        resolve(JSON.parse(last));
      } catch (e) {
        reject(new Error(`${script} ${spec.client ?? ""} ${spec.task ?? ""} failed (${e.message}):\n${err}${out}`));
      }
    });
  });
}
