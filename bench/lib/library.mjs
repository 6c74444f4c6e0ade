// Which build of mcp-ssh the benchmarks load. Several engineers edit src/ at once, so by default a
// benchmark runs the code as committed: `git archive HEAD src` unpacked into a temporary tree and
// bundled by esbuild (a devDependency) into one ESM file, labelled with the commit. Alternatives:
//   --dist      the built library (dist/<entry>.js from `npx tsup`), as an installed package runs it
//   --worktree  the working tree's src/, uncommitted edits included
//   --rev=REV   src/ as committed at REV (any commit, branch or tag) instead of HEAD
// and, beside whichever of those, a second build to compare with in the same run:
//   --baseline=REV  src/ as committed at REV (resolveBaseline; the benchmarks add an "ours-baseline"
//                   client and print new / baseline)
// The resolved file is passed to the worker processes so that every client process runs the same
// code. Bundles live under node_modules/.cache so that their bare imports resolve to the
// repository's packages; they are removed at exit.
import { build } from "esbuild";
import { execFileSync, execSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

const ENTRIES = {
  /** `mcp-over-ssh/ssh`: the SSH client alone (what an SSH-only program loads). */
  // src: the entry file, where it is now and where older trees (a --baseline) had it.
  ssh: { dist: "dist/ssh.js", src: ["src/entries/ssh.ts", "src/ssh-entry.ts"] },
  /** `mcp-over-ssh/mcp`: the MCP transport. */
  mcp: { dist: "dist/mcp.js", src: ["src/entries/mcp.ts", "src/mcp-entry.ts"] },
  /** `mcp-over-ssh`: both (an SSHClient and sshFetch in one program, bench/e2e-http.mjs). */
  index: { dist: "dist/index.js", src: ["src/entries/index.ts", "src/index.ts"] },
};

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Inside node_modules so that bundles' bare imports resolve to the repository's packages. */
function cacheDir() {
  const cache = join(ROOT, "node_modules/.cache");
  mkdirSync(cache, { recursive: true });
  return cache;
}

function tempDir(prefix) {
  const dir = mkdtempSync(join(cacheDir(), prefix));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const trees = new Map();
/**
 * src/ as committed at `rev`, unpacked once per process and commit: `{ root, commit }`. A tree
 * (e.g. from `git merge-tree --write-tree A B`, to measure two branches together before they are
 * merged) works too; `commit` is then "tree <hash>".
 */
function commitTree(rev) {
  const parse = (suffix) => execFileSync("git", ["rev-parse", "--short", `${rev}^{${suffix}}`], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  let commit;
  let label;
  try {
    commit = parse("commit");
    label = commit;
  } catch {
    try {
      commit = parse("tree");
      label = `tree ${commit}`;
    } catch {
      throw new Error(`${rev} is not a commit or tree of this repository (git rev-parse failed)`);
    }
  }
  if (!trees.has(commit)) {
    const root = tempDir(`mcp-ssh-bench-src-${commit}-`);
    execSync(`git archive ${commit} src | tar -x -C ${JSON.stringify(root)}`, { cwd: ROOT });
    trees.set(commit, { root, commit: label });
  }
  return trees.get(commit);
}

const option = (argv, name) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

/** Where the benchmark takes the code from, per the command line: "dist", "worktree" or "commit". */
export function librarySource(argv = process.argv) {
  if (argv.includes("--dist")) return "dist";
  if (argv.includes("--worktree")) return "worktree";
  return "commit";
}

/** The commit `--baseline=REV` names, or undefined. */
export function baselineRev(argv = process.argv) {
  return option(argv, "baseline");
}

/**
 * The `--baseline=REV` build of `entry` (see resolveLibrary), described as "baseline"; null
 * without the flag.
 */
export async function resolveBaseline(entry, argv = process.argv) {
  const rev = baselineRev(argv);
  return rev ? resolveLibrary(entry, argv, { rev, role: "baseline" }) : null;
}

/**
 * `{ path, description, cleanup }` of an ESM file exporting the entry ("ssh": SSHClient ...;
 * "mcp": SSHClientTransport ...). Bundles from source also export, where the tree has them, what
 * the SSH benchmark uses to report and pin the cipher implementation: `cipherImplementation`
 * (src/ssh/cipher/select.ts), and the way to pin @noble: the `ciphers` table and the
 * `ChaCha20Poly1305` class (or, in trees before the tables, `registerCipher` and
 * `chacha20Poly1305Noble`).
 */
export async function resolveLibrary(entry, argv = process.argv, { rev, role } = {}) {
  const { dist: distFile, src: srcCandidates } = ENTRIES[entry];
  const source = rev ? "commit" : librarySource(argv);
  if (source === "dist") {
    const dist = join(ROOT, distFile);
    if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`npx tsup\` first`);
    const stale = newestMtime(join(ROOT, "src")) > statSync(dist).mtimeMs;
    return { path: dist, description: `${distFile}${stale ? " (older than src/)" : ""}`, cleanup() {} };
  }
  const { root, label } = treeOf(source, rev ?? option(argv, "rev") ?? "HEAD");
  const src = srcCandidates.find((f) => existsSync(join(root, f)));
  if (!src) throw new Error(`none of ${srcCandidates.join(", ")} in ${label}`);
  const extras = [
    ["src/ssh/cipher/select.ts", "cipherImplementation"],
    // Older trees: a registry function and a ready noble factory.
    ["src/ssh/kex/algorithms.ts", "registerCipher"],
    ["src/ssh/cipher/chacha20-poly1305.ts", "chacha20Poly1305Noble"],
    // Since the algorithm tables: replace the cipher table's row with the noble class.
    ["src/ssh/algorithms/ciphers.ts", "ciphers"],
    ["src/ssh/cipher/chacha20-poly1305.ts", "ChaCha20Poly1305"],
    // The key-exchange benchmark: which methods this tree implements, and sntrup761's key generation.
    ["src/ssh/algorithms/kex.ts", "kexMethods"],
    ["src/ssh/crypto/sntrup761.ts", "sntrup761KeyPair"],
    ["src/ssh/crypto/sntrup761.ts", "initSntrup761Kernel"],
    // The keygen bench's "connected" process instantiates the cipher's kernel first, as a connection does.
    ["src/ssh/cipher/wasm/loader.ts", "initWasmCipher"],
  ].filter(([file, name]) => entry === "ssh" && exportsName(join(root, file), name));
  const contents = [`export * from "./${src}";`, ...extras.map(([file, name]) => `export { ${name} } from "./${file}";`)].join("\n");
  const description = `${src} at ${label}${role ? ` (${role})` : ""}, bundled by esbuild`;
  return bundle({ stdin: { contents, resolveDir: root, loader: "ts", sourcefile: "bench-entry.ts" } }, description);
}

/** The source tree for "worktree" or "commit" (at `rev`), and how the output names it. */
function treeOf(source, rev) {
  if (source === "worktree") return { root: ROOT, label: "the working tree" };
  const { root, commit } = commitTree(rev);
  return { root, label: commit.startsWith("tree ") ? commit : `commit ${commit}` };
}

/**
 * The `mcp-ssh` command: dist/cli.js with --dist; otherwise built from the same tree as the
 * library the way tsup builds dist (esbuild, ESM, code splitting across the package's entries,
 * dependencies left to node_modules), into a temporary directory. `{ path, description }`.
 */
export async function resolveCli(argv = process.argv) {
  const source = librarySource(argv);
  if (source === "dist") {
    const cli = join(ROOT, "dist/cli.js");
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npx tsup\` first`);
    return { path: cli, description: `dist/cli.js, built ${statSync(cli).mtime.toISOString()}` };
  }
  const { root, label } = treeOf(source, option(argv, "rev") ?? "HEAD");
  const outdir = tempDir("mcp-ssh-bench-cli-");
  // Where the entry files are now, and where older trees had them.
  const entries = {
    index: ["src/entries/index.ts", "src/index.ts"],
    ssh: ["src/entries/ssh.ts", "src/ssh-entry.ts"],
    mcp: ["src/entries/mcp.ts", "src/mcp-entry.ts"],
    keyserver: ["src/entries/keyserver.ts", "src/keyserver-entry.ts"],
    cli: ["src/cli/main.ts"],
  };
  const found = Object.entries(entries).map(([k, files]) => [k, files.find((f) => existsSync(join(root, f)))]).filter(([, f]) => f);
  await build({
    entryPoints: Object.fromEntries(found.map(([k, f]) => [k, join(root, f)])),
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "es2022",
    outdir,
    outExtension: { ".js": ".mjs" },
    logLevel: "error",
    packages: "external",
  });
  return { path: join(outdir, "cli.mjs"), description: `src/cli/main.ts at ${label}, built like dist (esbuild, split chunks)` };
}

function exportsName(file, name) {
  return existsSync(file) && new RegExp(`export (async )?(function|const|class) ${name}\\b`).test(readFileSync(file, "utf8"));
}

async function bundle(input, description) {
  const result = await build({
    ...input,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "es2022",
    write: false,
    logLevel: "error",
    // Dependencies stay the installed packages, so the bundle is only our code, as in dist.
    packages: "external",
  });
  const dir = tempDir("mcp-ssh-bench-");
  const file = join(dir, "index.mjs");
  writeFileSync(file, result.outputFiles[0].text);
  return { path: file, description, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
