import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AEMM_ORACLE, findGoTool } from '../helpers/go-tool.js';
import { ACCEPTED_DIFFERENCES, findAcceptedDifference } from './differential/accepted-differences.js';
import { EXIT_CASES, SERVE_CASES } from './differential/cases.js';
import { compareExitCase, compareServeCase, type Comparison } from './differential/compare-sides.js';
import { NORMALISATIONS } from './differential/normalise.js';
import type { Side } from './differential/run-side.js';

const OURS: Side = { name: 'ours', command: process.execPath, prefix: [fileURLToPath(new URL('../../bin/ec2-metadata-mock.js', import.meta.url))] };

function firstDifference(a: string, b: string): string {
  const left = a.split('\n');
  const right = b.split('\n');
  const at = left.findIndex((line, i) => line !== right[i]);
  const line = at === -1 ? left.length : at;
  return `line ${line + 1}:\n    AEMM: ${JSON.stringify(left[line] ?? '(end)')}\n    ours: ${JSON.stringify(right[line] ?? '(end)')}`;
}

const oracle = findGoTool(AEMM_ORACLE);

test('ec2-metadata-mock answers like the real AEMM v1.12.0, request for request', { skip: 'missing' in oracle && !process.env.CI ? `skipped: ${oracle.missing}` : false, timeout: 600_000 }, async () => {
  if ('missing' in oracle) assert.fail(oracle.missing);
  const aemm: Side = { name: 'aemm', command: oracle.path, prefix: [] };
  const root = await mkdtemp(join(tmpdir(), 'aemm-differential-'));
  const comparisons: Comparison[] = [];
  try {
    let index = 0;
    // Two cases at a time: each waits on real seconds (AEMM has no fake clock), the machine is shared.
    const jobs = [
      ...SERVE_CASES.map((testCase) => () => compareServeCase(root, index++, [aemm, OURS], testCase)),
      ...EXIT_CASES.map((testCase) => () => compareExitCase(root, index++, [aemm, OURS], testCase)),
    ];
    const results: Comparison[][] = [];
    const worker = async (): Promise<void> => {
      for (let job = jobs.shift(); job; job = jobs.shift()) results.push(await job());
    };
    await Promise.all([worker(), worker()]);
    comparisons.push(...results.flat());
  } finally {
    await rm(root, { recursive: true, force: true });
  }

  const differing = comparisons.filter((comparison) => comparison.aemm !== comparison.ours);
  const explained = differing.map((comparison) => ({ comparison, names: findAcceptedDifference(comparison.id, comparison.aemm, comparison.ours) }));
  const accepted = explained.filter((item) => item.names !== undefined);
  const unexpected = explained.filter((item) => item.names === undefined).map((item) => item.comparison);
  const used = new Set(accepted.flatMap((item) => item.names!));
  const stale = Object.keys(ACCEPTED_DIFFERENCES).filter((name) => !used.has(name));
  const counts = [...used].map((name) => `${name} ×${accepted.filter((item) => item.names!.includes(name)).length}`);
  const report = [
    `AEMM v1.12.0 differential: ${comparisons.length} compared, ${comparisons.length - differing.length} identical, ${differing.length} differ: ${accepted.length} accepted (README's "Differences from AEMM"), ${unexpected.length} unexpected.`,
    `normalisations: ${Object.keys(NORMALISATIONS).join(', ')}`,
    `accepted: ${counts.join(', ')}`,
    ...unexpected.map((comparison) => `  DIFFERS: ${comparison.id}\n    ${firstDifference(comparison.aemm, comparison.ours)}`),
    ...stale.map((name) => `  STALE: accepted difference "${name}" explains nothing any more: remove it here and in README`),
  ].join('\n');
  console.log(report);
  if (process.env.AEMM_DIFF_DUMP) {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(process.env.AEMM_DIFF_DUMP, JSON.stringify(unexpected, null, 2));
  }
  assert.ok(comparisons.length >= 300, `only ${comparisons.length} comparisons; the table must cover at least 300`);
  assert.equal(unexpected.length + stale.length, 0, report);
});
