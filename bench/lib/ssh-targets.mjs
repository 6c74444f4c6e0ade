// The issue 7 targets for the end-to-end SSH benchmark, judged on the numbers of one run.
import { median, mbPerSec } from "./stats.mjs";

const SSH2 = { "ssh2-js": "ssh2 JS path", "ssh2-native": "ssh2 native" };
const RSS_LIMIT = 100e6; // "100 MB", read strictly as decimal megabytes

const yes = (ok) => (ok ? "yes" : "NO");

/** Rows of { target, measured, met } for whatever parts of the benchmark ran, for client `ours`. */
export function evaluateSshTargets(r, ours = "ours") {
  const rows = [];
  const ssh2s = Object.keys(SSH2).filter((c) => r.download?.[c] || r.handshake?.[c]);
  for (const kind of ["download", "upload"]) {
    const t = r[kind];
    if (!t?.[ours]) continue;
    const rate = (c) => mbPerSec(t[c].bytes, t[c].seconds);
    const cpu = (c) => t[c].cpuSeconds / (t[c].bytes / 1e9);
    for (const c of ssh2s.filter((c) => t[c])) {
      const x = rate(ours) / rate(c);
      rows.push({ target: `${kind} >= 1.0x ${SSH2[c]}`, measured: `${x.toFixed(2)}x (${rate(ours).toFixed(0)} vs ${rate(c).toFixed(0)} MB/s)`, met: yes(x >= 1.0) });
    }
    if (t.openssh) {
      const x = rate(ours) / rate("openssh");
      rows.push({ target: `${kind} >= 1.1x OpenSSH ssh`, measured: `${x.toFixed(2)}x (${rate(ours).toFixed(0)} vs ${rate("openssh").toFixed(0)} MB/s)`, met: yes(x >= 1.1) });
    }
    for (const c of ssh2s.filter((c) => t[c])) {
      rows.push({
        target: `${kind} client CPU/GB <= ${SSH2[c]}`,
        measured: `${cpu(ours).toFixed(2)} vs ${cpu(c).toFixed(2)} s/GB`,
        met: yes(cpu(ours) <= cpu(c)),
      });
    }
  }
  if (r.rss?.[ours]) {
    const b = r.rss[ours].maxRss;
    const gib = r.rss[ours].bytes / 2 ** 30;
    rows.push({
      target: `peak RSS during ${gib >= 1 ? `${gib} GiB` : `${r.rss[ours].bytes / 2 ** 20} MiB (quick)`} download <= 100 MB`,
      measured: `${(b / 1e6).toFixed(1)} MB (${(b / 2 ** 20).toFixed(1)} MiB)`,
      met: yes(b <= RSS_LIMIT),
    });
  }
  const h = r.handshake;
  if (h?.[ours]) {
    for (const c of ssh2s.filter((c) => h[c])) {
      const x = median(h[ours].wallMs) / median(h[c].wallMs);
      rows.push({ target: `handshake median <= 1.0x ${SSH2[c]}`, measured: `${x.toFixed(2)}x (${median(h[ours].wallMs).toFixed(1)} vs ${median(h[c].wallMs).toFixed(1)} ms)`, met: yes(x <= 1.0) });
    }
    rows.push({ target: "client CPU per handshake <= 10 ms", measured: `${h[ours].cpuMsMean.toFixed(1)} ms (mean)`, met: yes(h[ours].cpuMsMean <= 10) });
  }
  return rows;
}
