// Client CPU per SSH handshake by key-exchange method, against a private OpenSSH sshd on
// 127.0.0.1 (ed25519 host key and user key): for each method, N connections (version exchange,
// kex, NEWKEYS, publickey login, close) one after another, process.cpuUsage() around them, so the
// number is this client process's user + system CPU per handshake. The issue-16 goal it informs:
// ecdh-sha2-nistp256 (with an RSA-3072 user key) within 1.5x of curve25519-sha256 + ed25519.
//
//   node bench/kex-handshake.mjs [--quick] [--worktree | --dist] [-n N]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { fingerprintOf, sshKeygen, startPrivateSshd, stopSshd } from "../scripts/lib/private-sshd.mjs";
import { resolveLibrary } from "./lib/library.mjs";
import { fmt, load, machine, median, quickMode, table } from "./lib/stats.mjs";

const METHODS = [
  "curve25519-sha256",
  "ecdh-sha2-nistp256",
  "ecdh-sha2-nistp384",
  "ecdh-sha2-nistp521",
  "diffie-hellman-group14-sha256",
  "diffie-hellman-group16-sha512",
  "diffie-hellman-group18-sha512",
  "diffie-hellman-group-exchange-sha256",
];

const quick = quickMode();
const nArg = process.argv.indexOf("-n");
const N = nArg > 0 ? Number(process.argv[nArg + 1]) : quick ? 3 : 20;
const WARMUP = quick ? 1 : 3;

const library = await resolveLibrary("ssh");
const { SSHClient } = await import(library.path);

const dir = mkdtempSync(join(tmpdir(), "mcp-ssh-bench-kex-"));
const hostKey = join(dir, "ssh_host_ed25519_key");
const clientKey = join(dir, "id_ed25519");
sshKeygen(hostKey, "bench-host");
sshKeygen(clientKey, "bench-client");
writeFileSync(join(dir, "authorized_keys"), readFileSync(`${clientKey}.pub`), { mode: 0o600 });
const server = await startPrivateSshd({
  dir,
  hostKey,
  extraConfig: [`KexAlgorithms ${METHODS.join(",")}`, "HostKeyAlgorithms ssh-ed25519", "LogLevel ERROR", "MaxStartups 200:30:400", "PrintLastLog no"],
});
const port = server.port;
const options = {
  host: "127.0.0.1",
  port,
  username: userInfo().username,
  privateKey: readFileSync(clientKey, "utf8"),
  hostKeyFingerprints: [fingerprintOf(`${hostKey}.pub`)],
};

async function handshake(kex) {
  const client = await SSHClient.connect({ ...options, algorithms: { kex: [kex] } });
  if (client.algorithms.kex !== kex) throw new Error(`negotiated ${client.algorithms.kex}, not ${kex}`);
  await client.close();
}

console.log(`# kex-handshake: client CPU per handshake (${library.description})`);
console.log(`${machine()}; load ${load()}; N = ${N} per method after ${WARMUP} warm-up\n`);
const rows = [];
const cpu = {};
try {
  for (const kex of METHODS) {
    for (let i = 0; i < WARMUP; i++) await handshake(kex);
    const per = [];
    const wall = [];
    const start = process.cpuUsage();
    for (let i = 0; i < N; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await handshake(kex);
      wall.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      per.push((c.user + c.system) / 1000);
    }
    const total = process.cpuUsage(start);
    cpu[kex] = (total.user + total.system) / 1000 / N;
    rows.push([kex, fmt(cpu[kex], 2), fmt(median(per), 2), fmt(median(wall), 1)]);
  }
} finally {
  await stopSshd(server.child, 2000);
  rmSync(dir, { recursive: true, force: true });
  library.cleanup();
}
console.log(table(["kex", "CPU ms/handshake (mean)", "CPU ms (median)", "wall ms (median)"], rows));
const base = cpu["curve25519-sha256"];
console.log("");
for (const kex of METHODS.slice(1)) console.log(`${kex}: ${fmt(cpu[kex] / base, 2)}x curve25519-sha256`);
