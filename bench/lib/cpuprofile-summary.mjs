#!/usr/bin/env node
// Summarise a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self time, the
// functions with the most total (inclusive) time, and self time per source file.
// Usage: node bench/lib/cpuprofile-summary.mjs FILE.cpuprofile [--top=N] [--filter=SUBSTRING] [--stacks=NAME]
//   --filter keeps only functions whose file contains SUBSTRING in the "total" list.
//   --stacks lists the heaviest call stacks (self time) that end in a function named NAME.
import { readFileSync } from "node:fs";

const file = process.argv[2];
if (!file) {
  console.error("usage: node bench/lib/cpuprofile-summary.mjs FILE.cpuprofile [--top=N] [--filter=SUBSTRING]");
  process.exit(2);
}
const opt = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const top = Number(opt("top", 25));
const filter = opt("filter", "");
const stacksOf = opt("stacks", "");

const profile = JSON.parse(readFileSync(file, "utf8"));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const shortUrl = (url) => url.replace(/^file:\/\//, "").replace(/.*\/node_modules\//, "").replace(/.*\/(dist|src|bench)\//, "$1/");
const label = (n) => {
  const f = n.callFrame;
  const name = f.functionName || "(anonymous)";
  return f.url ? `${name} ${shortUrl(f.url)}:${f.lineNumber + 1}` : name;
};

const self = new Map();
const stacks = new Map();
const total = new Map();
const perFile = new Map();
let all = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0;
  const node = byId.get(profile.samples[i]);
  all += dt;
  const l = label(node);
  self.set(l, (self.get(l) ?? 0) + dt);
  const fileKey = node.callFrame.url ? shortUrl(node.callFrame.url) : `(${node.callFrame.functionName || "native"})`;
  perFile.set(fileKey, (perFile.get(fileKey) ?? 0) + dt);
  if (stacksOf && node.callFrame.functionName === stacksOf) {
    const chain = [];
    for (let id = node.id; id !== undefined && chain.length < 12; id = parent.get(id)) chain.push(label(byId.get(id)));
    const key = chain.join("\n      <- ");
    stacks.set(key, (stacks.get(key) ?? 0) + dt);
  }
  const seen = new Set();
  for (let id = node.id; id !== undefined; id = parent.get(id)) {
    const a = label(byId.get(id));
    if (seen.has(a)) continue;
    seen.add(a);
    total.set(a, (total.get(a) ?? 0) + dt);
  }
}

const ms = (us) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
const pct = (us) => `${((100 * us) / all).toFixed(1).padStart(5)}%`;
const print = (title, map, n, keep = () => true) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...map].filter(([k]) => keep(k)).sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${ms(v)} ${pct(v)}  ${k}`);
};

console.log(`${file}: ${(all / 1000).toFixed(0)} ms sampled`);
print("Self time by function", self, top);
print("Self time by file", perFile, 15);
print(`Total (inclusive) time${filter ? ` of functions in files matching "${filter}"` : ""}`, total, top, (k) => !filter || k.includes(filter));
if (stacksOf) print(`Heaviest stacks ending in ${stacksOf}`, stacks, 8);
