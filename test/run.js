#!/usr/bin/env node
// Runs every *.test.ts under test/ (or the files named) with node's own runner: Node 20 expands no
// globs and needs tsx for TypeScript. It always builds first, so a test of the bin never runs a
// stale dist/. A full run also type-checks src (with and without Node's types for src/core) and
// test, and lints (ESLint with the folder rules, knip for unused exports, Prettier's check)
// beside the tests.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => join(root, 'node_modules', '.bin', name);

/**
 * A hang fails instead of blocking the run. Node 20 applies it to each test file as a whole as
 * well as to each test in it, so it leaves room for the slowest file on a busy machine (the Go
 * consumer checks build their binaries first).
 */
const TEST_TIMEOUT_MS = Number(process.env.AEMM_TEST_TIMEOUT_MS ?? 600_000);

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((item) => {
    const path = join(dir, item.name);
    if (item.isDirectory())
      return item.name === 'bench' || item.name === 'node_modules' || item.name.startsWith('.') ? [] : findTests(path);
    return item.name.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}

/** Runs a command; `quiet` keeps its output until it ends, so parallel steps do not interleave. */
function run(command, args, { quiet = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    if (quiet) for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ code: 1, output: `${command}: ${error.message}\n` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

/** Runs steps at once and prints each one's output, then whether all passed. */
async function runQuietly(steps) {
  const results = await Promise.all(steps.map(([, command, args]) => run(command, args, { quiet: true })));
  let ok = true;
  results.forEach(({ code, output }, index) => {
    if (output.trim() !== '') process.stdout.write(output);
    if (code !== 0) {
      console.error(`${steps[index][0]} failed; fix the errors above.`);
      ok = false;
    }
  });
  return ok;
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : findTests(join(root, 'test')).sort();
const full = only.length === 0;

// The build (tsc, then the bins' bundles: scripts/build.js) is also the type check of src; the CLI
// tests run the built bin. Build mode (-b) does only what changed since the last build and
// rebuilds when an output is missing or older than its source, so dist/ is never stale; the two
// checks that emit nothing keep incremental state in node_modules/.cache.
const incremental = (name) => ['--incremental', '--tsBuildInfoFile', join('node_modules', '.cache', 'tsc', `${name}.tsbuildinfo`)];
const checks = [['The build', process.execPath, [join(root, 'scripts', 'build.js'), '-b', 'tsconfig.json']]];
if (full)
  checks.push(
    ['The core type check (no Node types)', bin('tsc'), ['-p', 'tsconfig.core.json', ...incremental('core')]],
    ['The test type check', bin('tsc'), ['-p', 'test/tsconfig.json', ...incremental('test')]],
  );
if (!(await runQuietly(checks))) process.exit(1);

// Starting node with tsx costs more CPU than most test files use, so in a full run the files that
// only compute (no process.*, child processes, msw's interception, the in-process CLI, top-level
// hooks, servers, in the file or in a test helper it imports) share a few processes. Every other
// file keeps its own, so its waits on sockets and timers overlap with the rest; a file that times
// its code keeps its own too, so another file's heap cannot slow one side of its comparison.
const OWN_PROCESS =
  /\bprocess\.|performance\.now|child_process|from 'msw|\bsetup(?:Server|Worker)\b|run-cli|spawn-ec2-metadata-mock|playwright|eslint|start(?:Server|FakeUpstream|RecordingProxy)\b|crawlImds\b|^(?:before|after)(?:Each)?\(/m;
const SHARED_PROCESSES = 2;
/** Whether a test file, or a test helper it imports (relative imports under test/, followed through), needs a process of its own. */
function needsOwnProcess(path, seen = new Set()) {
  if (seen.has(path)) return false;
  seen.add(path);
  const text = readFileSync(path, 'utf8');
  if (OWN_PROCESS.test(text)) return true;
  return [...text.matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)].some(([, specifier]) => {
    const helper = resolve(dirname(path), `${specifier}.ts`);
    return !relative(join(root, 'test'), helper).startsWith('..') && existsSync(helper) && needsOwnProcess(helper, seen);
  });
}
const shared = full ? files.filter((file) => !needsOwnProcess(join(root, file))) : [];
const bundleDir = shared.length > SHARED_PROCESSES ? mkdtempSync(join(tmpdir(), 'aemm-tests-')) : undefined;
let targets = files;
if (bundleDir) {
  // Largest file first into the lightest bundle, with file size standing in for run time.
  const bundles = Array.from({ length: SHARED_PROCESSES }, () => ({ size: 0, files: [] }));
  for (const [file, size] of shared.map((file) => [file, statSync(join(root, file)).size]).sort((a, b) => b[1] - a[1])) {
    const lightest = bundles.reduce((a, b) => (b.size < a.size ? b : a));
    lightest.size += size;
    lightest.files.push(file);
  }
  targets = [
    ...bundles.map((bundle, index) => {
      const path = join(bundleDir, `shared-${index + 1}.test.mjs`);
      writeFileSync(
        path,
        bundle.files
          .sort()
          .map((file) => `await import(${JSON.stringify(pathToFileURL(join(root, file)).href)});\n`)
          .join(''),
      );
      return path;
    }),
    ...files.filter((file) => !shared.includes(file)),
  ];
}

// Each test file's process reports its wall and CPU time (test/record-durations.js); the slowest
// files of the last run start first, so the workers finish together. Files with no time yet (new
// ones) go first of all. A shared bundle is known by its name.
const TIMES = join(root, 'node_modules', '.cache', 'aemm-tests', 'times.json');
const keyOf = (file) => (relative(root, file).startsWith('..') ? basename(file) : relative(root, file));
let times = {};
try {
  times = JSON.parse(readFileSync(TIMES, 'utf8'));
} catch {
  // The first run here: the order stays as found.
}
const wallOf = (file) => times[keyOf(resolve(root, file))]?.ms ?? Infinity;
targets = targets
  .map((file, index) => ({ file, index }))
  .sort((a, b) => wallOf(b.file) - wallOf(a.file) || a.index - b.index)
  .map(({ file }) => file);
const timesLog = join(tmpdir(), `aemm-test-times-${process.pid}.jsonl`);
process.env.TEST_FILE_TIMES = timesLog;

const lint = full
  ? runQuietly([
      ['ESLint', bin('eslint'), ['.', '--cache', '--cache-location', 'node_modules/.cache/eslint/']],
      ['knip (unused exports)', bin('knip'), ['--cache']],
      ['Prettier (npx prettier --write . formats the tree)', bin('prettier'), ['--check', '.', '--cache', '--log-level', 'warn']],
    ])
  : Promise.resolve(true);
// Many test files spend stretches waiting on sockets, timers and child processes: one file more
// than there are cores keeps the cores busy meanwhile.
const concurrency = Number(process.env.AEMM_TEST_CONCURRENCY ?? availableParallelism() + 1);
const tests = await run(process.execPath, [
  '--import',
  'tsx',
  '--import',
  pathToFileURL(join(root, 'test', 'record-durations.js')).href,
  '--test',
  '--test-reporter',
  'spec',
  `--test-timeout=${TEST_TIMEOUT_MS}`,
  `--test-concurrency=${concurrency}`,
  ...targets,
]);
if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
let measured = [];
try {
  measured = readFileSync(timesLog, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
} catch {
  // No file reported (none ran).
}
rmSync(timesLog, { force: true });
for (const { file, ms, cpu } of measured) times[keyOf(file)] = { ms, cpu };
mkdirSync(dirname(TIMES), { recursive: true });
writeFileSync(`${TIMES}.${process.pid}`, `${JSON.stringify(times, null, 1)}\n`);
renameSync(`${TIMES}.${process.pid}`, TIMES);
const slowest = measured
  .sort((a, b) => b.cpu - a.cpu)
  .slice(0, 8)
  .map(({ file, ms, cpu }) => `${keyOf(file)} ${(ms / 1000).toFixed(1)}/${cpu.toFixed(1)}`);
if (full) console.log(`ℹ slowest files by CPU (wall s/CPU s, children included): ${slowest.join(', ')}`);
const linted = await lint;
process.exit(tests.code !== 0 || !linted ? 1 : 0);
