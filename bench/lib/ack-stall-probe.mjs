#!/usr/bin/env node
// Diagnosis for bench/e2e-http.mjs (issue 19): where a tools/call over sshFetch waits. The SDK's
// Streamable HTTP server writes a POST's SSE answer as two writes (the response head, then the
// event); sshd relays each as its own SSH packet. sshd sets TCP_NODELAY only for interactive
// sessions, so Nagle's algorithm holds the second packet until our ACK of the first, and our
// kernel delays that ACK (up to 40 ms on Linux) when we have nothing to send. This prints, per
// call, when each piece of the answer arrived on the direct-tcpip channel: a gap near 40 ms
// between the first and the second piece is that stall.
//
// Usage: node bench/lib/ack-stall-probe.mjs [--calls=N] [--dist | --worktree | --rev=REV] [--verbose]
import { pathToFileURL } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { startHttpMcpServer } from "./http-server-process.mjs";
import { resolveLibrary } from "./library.mjs";
import { oursClient } from "./ssh-clients.mjs";
import { startBenchSshd } from "./sshd.mjs";
import { load, percentile } from "./stats.mjs";

const calls = Number(process.argv.find((a) => a.startsWith("--calls="))?.split("=")[1] ?? 80);
const verbose = process.argv.includes("--verbose");
const library = await resolveLibrary("index");
const { sshFetch } = await import(pathToFileURL(library.path).href);
const sshd = await startBenchSshd();
const http = await startHttpMcpServer();
try {
  const conn = await (await oursClient(sshd, library.path)).connect();
  let t0 = 0;
  let events = [];
  const mark = (what) => events.push([what, performance.now() - t0]);
  // The channel as sshFetch sees it, with the arrival time of every chunk the server sent.
  const timed = {
    async forwardOut(host, port) {
      const s = await conn.forwardOut(host, port);
      mark("open");
      const readable = s.readable.pipeThrough(
        new TransformStream({
          transform(chunk, controller) {
            mark(`read ${chunk.length}`);
            controller.enqueue(chunk);
          },
        }),
      );
      return { readable, writable: s.writable, close: () => s.close() };
    },
  };
  const client = new Client({ name: "mcp-ssh-ack-stall-probe", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(http.url), { fetch: sshFetch(timed) });
  await client.connect(transport);
  for (let i = 0; i < 10; i++) await client.callTool({ name: "echo", arguments: { text: "warm" } });
  const callMs = [];
  const gapMs = [];
  for (let i = 0; i < calls; i++) {
    events = [];
    t0 = performance.now();
    await client.callTool({ name: "echo", arguments: { text: `call ${i}` } });
    callMs.push(performance.now() - t0);
    // Only this call's POST: the long-lived GET event stream was opened before.
    const reads = events.filter(([w]) => w.startsWith("read")).slice(0, 2);
    if (reads.length === 2) gapMs.push(reads[1][1] - reads[0][1]);
    if (verbose) console.log(events.map(([w, t]) => `${w} @${t.toFixed(1)}`).join(", "));
    // Let the channel close before the next call, as between a host's calls.
    await new Promise((r) => setTimeout(r, 20));
  }
  await transport.terminateSession().catch(() => {});
  await client.close();
  await conn.close();
  const q = (xs) => [10, 50, 90].map((p) => percentile(xs, p).toFixed(1)).join(" / ");
  console.log(`Library: ${library.description}; load average ${load()}`);
  console.log(`tools/call over sshFetch, ${calls} calls: p10 / p50 / p90 ${q(callMs)} ms`);
  console.log(`answers that arrived in more than one piece: ${gapMs.length} of ${calls}; gap between the first two pieces p10 / p50 / p90 ${gapMs.length ? q(gapMs) : "-"} ms`);
} finally {
  http.child.kill("SIGTERM");
  await sshd.stop();
  library.cleanup();
}
