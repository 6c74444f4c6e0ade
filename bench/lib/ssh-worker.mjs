// One in-process client, one task, in a fresh Node process (so CPU and RSS are this client's
// alone). Spawned by bench/e2e-ssh.mjs with a JSON spec as its only argument; prints one JSON line
// with the measurements on stdout.
//   handshake: `warmup` + `n` times connect, kex, auth, exec `true`, close; wall and CPU each
//   download:  exec `head -c BYTES /dev/zero`, count stdout           (handshake not timed)
//   upload:    exec `cat > /dev/null`, write BYTES in 64 KiB chunks  (handshake not timed)
//   rss:       a download of BYTES while sampling process.memoryUsage().rss every 10 ms; on Linux
//              also the resident size of the malloc heap and of anonymous mappings (V8's pages)
//              before and after, from /proc/self/smaps, to say what the growth is made of
import { existsSync, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { oursClient, ssh2Client } from "./ssh-clients.mjs";

const CHUNK = 64 * 1024;
const spec = JSON.parse(process.argv[2]);
const { server } = spec;

const cpuSeconds = (since) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
};

async function makeClient() {
  // `algorithms` (one name per kind) and `privateKey` override the server's forced ones and user key.
  const options = { algorithms: spec.algorithms, privateKey: spec.privateKey };
  // "ours-baseline": the same client from another commit's bundle (the orchestrator passes its path).
  if (spec.client === "ours" || spec.client === "ours-baseline") return oursClient(server, spec.library, options);
  if (spec.client === "ours-noble") return oursClient(server, spec.library, { ...options, noble: true });
  if (spec.client === "ssh2-js") return ssh2Client(server, { ...options, native: false });
  if (spec.client === "ssh2-native") return ssh2Client(server, { ...options, native: true });
  throw new Error(`unknown client ${spec.client}`);
}

async function handshake(client) {
  const wallMs = [];
  const cpuMs = [];
  let negotiated = null;
  const total0 = process.cpuUsage();
  for (let i = 0; i < spec.warmup + spec.n; i++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const conn = await client.connect();
    negotiated ??= client.negotiated?.(conn) ?? null;
    const { code } = await client.drain(conn, "true");
    await client.close(conn);
    const t1 = performance.now();
    if (code !== 0) throw new Error(`exec true exited with ${code}`);
    if (i >= spec.warmup) {
      wallMs.push(t1 - t0);
      cpuMs.push(cpuSeconds(cpu0) * 1000);
    }
  }
  // Over all iterations, warm-up included: how the CPU splits into user (JS, crypto) and system (syscalls).
  const total = process.cpuUsage(total0);
  const runs = spec.warmup + spec.n;
  return { wallMs, cpuMs, userMsMean: total.user / 1000 / runs, systemMsMean: total.system / 1000 / runs, negotiated };
}

/**
 * Resident bytes of glibc's main malloc heap ("[heap]": ArrayBuffer backing stores such as socket
 * reads live there) and of the other anonymous mappings (V8's heap pages, thread stacks, large
 * mmap'd allocations). Null where /proc/self/smaps does not exist.
 */
function residentSplit() {
  if (!existsSync("/proc/self/smaps")) return null;
  let mallocHeap = 0;
  let anonymous = 0;
  let kind = null;
  for (const line of readFileSync("/proc/self/smaps", "utf8").split("\n")) {
    const m = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (m) kind = m[1] === "[heap]" ? "heap" : m[1] === "" ? "anon" : null;
    else if (kind && line.startsWith("Rss:")) {
      const bytes = Number.parseInt(line.slice(4), 10) * 1024;
      if (kind === "heap") mallocHeap += bytes;
      else anonymous += bytes;
    }
  }
  return { mallocHeap, anonymous };
}

async function transfer(client, kind, sampleRss) {
  const conn = await client.connect();
  const splitBefore = sampleRss ? residentSplit() : null;
  const rssBefore = process.memoryUsage().rss;
  let peakSampled = rssBefore;
  // What the resident memory is made of at its sampled peak (V8 heap, ArrayBuffer backing stores).
  let atPeak = null;
  const sampler = sampleRss
    ? setInterval(() => {
        const m = process.memoryUsage();
        if (m.rss > peakSampled) {
          peakSampled = m.rss;
          atPeak = m;
        }
      }, 10)
    : undefined;
  const negotiated = client.negotiated?.(conn) ?? null;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let bytes = spec.bytes;
  if (kind === "upload") {
    const code = await client.upload(conn, "cat > /dev/null", spec.bytes, new Uint8Array(CHUNK));
    if (code !== 0) throw new Error(`cat exited with ${code}`);
  } else {
    const r = await client.drain(conn, `head -c ${spec.bytes} /dev/zero`);
    if (r.code !== 0) throw new Error(`head exited with ${r.code}`);
    if (r.bytes !== spec.bytes) throw new Error(`received ${r.bytes} bytes, expected ${spec.bytes}`);
    bytes = r.bytes;
  }
  const seconds = (performance.now() - t0) / 1000;
  const split = process.cpuUsage(cpu0);
  const cpu = (split.user + split.system) / 1e6;
  clearInterval(sampler);
  peakSampled = Math.max(peakSampled, process.memoryUsage().rss);
  // Right after the download: freed malloc memory stays resident, so this is close to the peak's.
  const splitAfter = sampleRss ? residentSplit() : null;
  await client.close(conn);
  return {
    bytes,
    seconds,
    negotiated,
    cpuSeconds: cpu,
    // user: JS, crypto and GC; system: the socket's syscalls and copies in the kernel.
    userSeconds: split.user / 1e6,
    systemSeconds: split.system / 1e6,
    rssBefore,
    peakRssSampled: peakSampled,
    atPeak,
    split: splitBefore && splitAfter ? { before: splitBefore, after: splitAfter } : undefined,
    // The process's high-water mark (Node startup included), from getrusage(2).
    maxRss: process.resourceUsage().maxRSS * 1024,
  };
}

const client = await makeClient();
let result;
if (spec.task === "handshake") result = await handshake(client);
else if (spec.task === "rss") result = await transfer(client, "download", true);
else result = await transfer(client, spec.task, false);
process.stdout.write(`${JSON.stringify({ describe: client.describe(), ...result })}\n`);
// Ends the process even if a client left a timer or socket behind; --cpu-prof still writes its file.
process.exit(0);
