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

/**
 * One `ssh` connection kept open as a ControlMaster (no command, -N), so that transfers can be
 * timed without OpenSSH's handshake, as the in-process clients are: each `run(command)` spawns a
 * multiplexing client on the control socket, which hands its stdin/stdout to the master; the
 * master does the decryption and writes straight to our /dev/null. `run` returns wall seconds
 * (spawn to exit of the mux client) and CPU seconds (the master's, from /proc, plus the reaped mux
 * client's). Options as runSsh takes them (client binary, algorithms). `stop()` ends the master.
 */
export async function sshMaster(server, { ssh = "ssh", algorithms, timeoutMs = 300_000 } = {}) {
  const control = join(tmpdir(), `mcp-ssh-bench-mux-${process.pid}-${Date.now()}`);
  const master = spawn(ssh, sshArgs(server, { algorithms, options: ["-N", "-o", "ControlMaster=yes", "-o", `ControlPath=${control}`] }), {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  master.stderr.on("data", (d) => (stderr += d));
  const kill = () => master.kill("SIGKILL");
  process.once("exit", kill);
  const stop = async () => {
    process.off("exit", kill);
    if (master.exitCode === null && master.signalCode === null) {
      const exited = new Promise((r) => master.once("exit", r));
      master.kill("SIGTERM");
      await exited;
    }
    rmSync(control, { force: true });
  };
  // Ready once the control socket answers `ssh -O check`.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (master.exitCode !== null) throw new Error(`ssh ControlMaster exited with ${master.exitCode}: ${stderr.trim()}`);
    if (existsSync(control) && (await exitCode(ssh, ["-S", control, "-O", "check", "x"])) === 0) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`ssh ControlMaster did not come up within 30 s: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    pid: master.pid,
    /** `stdinPath`: the file the command reads (default /dev/null). */
    async run(command, { stdinPath = "/dev/null" } = {}) {
      const stdin = openSync(stdinPath, "r");
      const stdout = openSync("/dev/null", "w");
      try {
        const master0 = processCpuSeconds(master.pid);
        const reaped0 = reapedChildrenCpuSeconds();
        const t0 = performance.now();
        const child = spawn(ssh, ["-S", control, "-o", "ControlMaster=no", "-F", "/dev/null", "x", command], { stdio: [stdin, stdout, "pipe"] });
        let err = "";
        child.stderr.on("data", (d) => (err += d));
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        const code = await new Promise((resolve, reject) => {
          child.once("error", reject);
          child.once("exit", (c, s) => resolve(c ?? s));
        });
        clearTimeout(timer);
        const seconds = (performance.now() - t0) / 1000;
        if (code !== 0) throw new Error(`ssh (mux) ${command} exited with ${code}: ${err.trim()}`);
        return { seconds, cpuSeconds: processCpuSeconds(master.pid) - master0 + (reapedChildrenCpuSeconds() - reaped0) };
      } finally {
        closeSync(stdin);
        closeSync(stdout);
      }
    },
    stop,
  };
}

/** utime + stime of a live process, in seconds (clock ticks of 10 ms). */
function processCpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function exitCode(file, args) {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: "ignore" });
    child.once("error", () => resolve(-1));
    child.once("exit", (c) => resolve(c ?? -1));
  });
}
