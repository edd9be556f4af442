import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AEMM_ORACLE, findGoTool } from '../../helpers/go-tool.js';
import { ACCEPTED_DIFFERENCES, findAcceptedDifference } from './accepted-differences.js';
import { EXIT_CASES, SERVE_CASES } from './cases.js';
import { compareExitCase, compareServeCase, type Comparison } from './compare-sides.js';
import { NORMALISATIONS } from './normalise.js';
import { killAllSides, type Side } from './run-side.js';
import { runAemm } from '../../../src/aemm/run-aemm.js';

/** The shipped bin, in a child process as a user runs it. */
const OURS_BIN: Side = {
  name: 'ours',
  command: process.execPath,
  prefix: [fileURLToPath(new URL('../../../bin/ec2-metadata-mock.js', import.meta.url))],
};

/** The bin's entry point (what it calls with its argv), in this process: no node start per run. */
const OURS_IN_PROCESS: Side = { name: 'ours', inProcess: runAemm };

/**
 * The cases where ours is the built bin rather than runAemm in this process: one of each kind
 * (help, version, completion, a parse error, a config error, -s; serving with the crawl, with
 * AEMM_* variables and with a delay), so the shipped bin itself meets AEMM in every run. Each
 * must name a case of the table.
 */
const BIN_CASES: Record<'serve' | 'cli', readonly string[]> = {
  cli: ['--help', '-v', 'completion bash', '__complete spot ', 'error: --nope', 'error: -c {home}/bad.json', '-s saves the config'],
  serve: ['default tree', 'AEMM_* variables', 'spot after a 4 s delay'],
};

// The longest case waits out a few seconds of AEMM's real clock; one that takes this long hung.
const CASE_DEADLINE_MS = 120_000;

/** A case's comparisons, or a failure naming the case (with every side stopped) once it passes the deadline. */
async function withinDeadline(name: string, comparisons: Promise<Comparison[]>): Promise<Comparison[]> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      killAllSides();
      reject(new Error(`the differential case "${name}" did not finish within ${CASE_DEADLINE_MS / 1000} s; every side was stopped`));
    }, CASE_DEADLINE_MS);
  });
  try {
    return await Promise.race([comparisons, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The first few lines that differ, for the report. */
function describeDifference(a: string, b: string): string {
  const left = a.split('\n');
  const right = b.split('\n');
  const lines: string[] = [];
  for (let i = 0; i < Math.max(left.length, right.length) && lines.length < 8; i++) {
    if (left[i] === right[i]) continue;
    lines.push(`line ${i + 1}:\n      AEMM: ${JSON.stringify(left[i] ?? '(end)')}\n      ours: ${JSON.stringify(right[i] ?? '(end)')}`);
  }
  return lines.join('\n    ');
}

/**
 * Defines the differential test for one half of the table (the servers, or the runs that end),
 * each in its own test file so each stays within the per-file time limit: prints the counts and
 * every difference, and fails on any difference the accepted table does not explain.
 */
export function defineDifferentialTest(half: 'serve' | 'cli', minimum: number): void {
  const oracle = findGoTool(AEMM_ORACLE);
  const title =
    half === 'serve'
      ? 'ec2-metadata-mock serves like the real AEMM v1.12.0, request for request'
      : 'ec2-metadata-mock runs like the real AEMM v1.12.0: help, version, completion, -s and bad input';
  test(title, { skip: 'missing' in oracle && !process.env.CI ? `skipped: ${oracle.missing}` : false }, async () => {
    if ('missing' in oracle) assert.fail(oracle.missing);
    const aemm: Side = { name: 'aemm', command: oracle.path, prefix: [] };
    const root = await mkdtemp(join(tmpdir(), 'aemm-differential-'));
    const comparisons: Comparison[] = [];
    const names = new Set<string>((half === 'serve' ? SERVE_CASES : EXIT_CASES).map((testCase) => testCase.name));
    const unknown = BIN_CASES[half].filter((name) => !names.has(name));
    assert.deepEqual(unknown, [], 'every case BIN_CASES names is in the table');
    const ours = (name: string): Side => (BIN_CASES[half].includes(name) ? OURS_BIN : OURS_IN_PROCESS);
    try {
      let index = 0;
      // Some serving cases wait out real seconds (AEMM has no fake clock): they start first, all at
      // once, so the waits overlap with each other and with the cases that only take CPU. The runs
      // that end take little CPU (one start of AEMM's binary each; ours mostly runs in this process)
      // and mostly wait for output to settle, four at a time.
      const waits = (testCase: (typeof SERVE_CASES)[number]): boolean => testCase.steps.some((step) => 'sleepMs' in step);
      const jobs =
        half === 'serve'
          ? [...SERVE_CASES.filter(waits), ...SERVE_CASES.filter((testCase) => !waits(testCase))].map((testCase) => ({
              name: testCase.name,
              run: () => compareServeCase(root, index++, [aemm, ours(testCase.name)], testCase),
            }))
          : EXIT_CASES.map((testCase) => ({
              name: testCase.name,
              run: () => compareExitCase(root, index++, [aemm, ours(testCase.name)], testCase),
            }));
      const results: Comparison[][] = [];
      const worker = async (): Promise<void> => {
        for (let job = jobs.shift(); job; job = jobs.shift()) {
          try {
            results.push(await withinDeadline(job.name, job.run()));
          } catch (error) {
            // No worker starts another case once one failed.
            jobs.length = 0;
            throw error;
          }
        }
      };
      const workers = half === 'serve' ? Math.max(4, SERVE_CASES.filter(waits).length) : 4;
      await Promise.all(Array.from({ length: workers }, worker));
      comparisons.push(...results.flat());
    } finally {
      await rm(root, { recursive: true, force: true });
    }

    const differing = comparisons.filter((comparison) => comparison.aemm !== comparison.ours);
    const explained = differing.map((comparison) => ({
      comparison,
      names: findAcceptedDifference(comparison.id, comparison.aemm, comparison.ours),
    }));
    const accepted = explained.filter((item) => item.names !== undefined);
    const unexpected = explained.filter((item) => item.names === undefined).map((item) => item.comparison);
    const used = new Set(accepted.flatMap((item) => item.names!));
    const stale = Object.entries(ACCEPTED_DIFFERENCES)
      .filter(([name, accepted]) => accepted.half === half && !used.has(name))
      .map(([name]) => name);
    const counts = [...used].map((name) => `${name} ×${accepted.filter((item) => item.names!.includes(name)).length}`);
    const report = [
      `AEMM v1.12.0 differential (${half}): ${comparisons.length} compared, ${comparisons.length - differing.length} identical, ${differing.length} differ: ${accepted.length} accepted (README's "Differences from AEMM"), ${unexpected.length} unexpected.`,
      `normalisations: ${Object.keys(NORMALISATIONS).join(', ')}`,
      `accepted: ${counts.join(', ')}`,
      ...unexpected.map((comparison) => `  DIFFERS: ${comparison.id}\n    ${describeDifference(comparison.aemm, comparison.ours)}`),
      ...stale.map((name) => `  STALE: accepted difference "${name}" explains nothing any more: remove it here and in README`),
    ].join('\n');
    console.log(report);
    if (process.env.DIFFERENTIAL_DUMP) {
      const { writeFile } = await import('node:fs/promises');
      await writeFile(process.env.DIFFERENTIAL_DUMP, JSON.stringify(unexpected, null, 2));
    }
    assert.ok(
      comparisons.length >= minimum,
      `only ${comparisons.length} comparisons; this half of the table must cover at least ${minimum}`,
    );
    assert.equal(unexpected.length + stale.length, 0, report);
  });
}
