// OpenSSH's `ssh` as a whole process: wall time from spawn to exit, CPU from the kernel's
// accounting of reaped children, peak RSS from /usr/bin/time.
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { reapedChildrenCpuSeconds } from "./stats.mjs";
import { sshArgs } from "./sshd.mjs";

const TIME = "/usr/bin/time";

/**
 * Run `ssh ... command` once. stdin comes from `stdinPath` (or /dev/null), stdout goes to
 * /dev/null. Returns wall seconds, CPU seconds (ssh and, with peak RSS, /usr/bin/time around it),
 * and with `peakRss` its maximum resident set size in bytes. `ssh`: the client binary (default:
 * the one on the PATH); `algorithms` and `identity`: as sshArgs takes them.
 */
export async function runSsh(server, command, { stdinPath = "/dev/null", peakRss = false, timeoutMs = 300_000, ssh = "ssh", algorithms, identity } = {}) {
  const stdin = openSync(stdinPath, "r");
  const stdout = openSync("/dev/null", "w");
  const timeFile = join(tmpdir(), `mcp-ssh-bench-time-${process.pid}`);
  let file = ssh;
  let args = sshArgs(server, { command: [command], algorithms, identity });
  if (peakRss) {
    if (!existsSync(TIME)) throw new Error(`${TIME} is missing: apt-get install time`);
    args = ["-f", "%M", "-o", timeFile, file, ...args];
    file = TIME;
  }
  let stderr = "";
  const cpu0 = reapedChildrenCpuSeconds();
  const t0 = performance.now();
  try {
    const child = spawn(file, args, { stdio: [stdin, stdout, "pipe"] });
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    const [code, signal] = await new Promise((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (c, s) => resolve([c, s]));
    });
    clearTimeout(timer);
    const seconds = (performance.now() - t0) / 1000;
    // `exit` fires after libuv reaped the child, so its CPU is in our cutime/cstime now.
    const cpuSeconds = reapedChildrenCpuSeconds() - cpu0;
    if (code !== 0) throw new Error(`ssh ${command} exited with ${code ?? signal}: ${stderr.trim()}`);
    const result = { seconds, cpuSeconds };
    if (peakRss) result.maxRss = Number(readFileSync(timeFile, "utf8").trim().split("\n").pop()) * 1024;
    return result;
  } finally {
    closeSync(stdin);
    closeSync(stdout);
    rmSync(timeFile, { force: true });
  }
}

/**
 * `ssh ... true` `warmup + n` times; wall time of each and CPU (mean, from the summed accounting).
 * `options`: passed to runSsh (client binary, algorithms, identity).
 */
export async function sshHandshakes(server, { n, warmup }, options = {}) {
  for (let i = 0; i < warmup; i++) await runSsh(server, "true", options);
  const wallMs = [];
  const cpu0 = reapedChildrenCpuSeconds();
  for (let i = 0; i < n; i++) wallMs.push((await runSsh(server, "true", options)).seconds * 1000);
  return { wallMs, meanCpuMs: ((reapedChildrenCpuSeconds() - cpu0) * 1000) / n };
}

/** `ssh -V` of the given client binary (its version line). */
export function sshVersion(ssh = "ssh") {
  return new Promise((resolve) => {
    const child = spawn(ssh, ["-V"], { stdio: ["ignore", "ignore", "pipe"] });
    let out = "";
    child.stderr.on("data", (d) => (out += d));
    child.once("exit", () => resolve(out.trim()));
    child.once("error", () => resolve("ssh not found"));
  });
}
