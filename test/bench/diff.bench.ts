// Diff time for two generated cassettes of 5,000 and then 10,000 entries (a realistic mix of
// listings, JSON documents, single- and multi-line leaves, instance-specific values on each side,
// and about 3% real changes). Linear growth shows as a ratio near 2.0.
import { performance } from 'node:perf_hooks';
import type { Cassette, Entry } from '../../src/core/cassette.js';
import { diffCassettes } from '../../src/differ/diff-cassettes.js';
import { synthesizeCassette } from '../../src/synth/synthesize-cassette.js';
import { defaultInstanceSpec } from '../../src/synth/default-instance.js';

const CHILDREN_PER_DIRECTORY = 24;
const RUNS = 7;

const text = (body: string): Entry => ({ status: 200, headers: { 'content-type': 'text/plain' }, body });

function hex(seed: number, length: number): string {
  let out = '';
  for (let value = seed * 2654435761; out.length < length; value = (value * 1103515245 + 12345) >>> 0) out += (value >>> 0).toString(16);
  return out.slice(0, length);
}

/** One side: the default instance padded with directories of mixed entries; `side` changes ids, `changed` ~3% of values. */
function generate(entryCount: number, side: number): Cassette {
  const base = synthesizeCassette({ ...defaultInstanceSpec, instanceId: `i-0${hex(side, 16)}` });
  const entries: Record<string, Entry> = { ...base.entries };
  const groups: string[] = [];
  for (let group = 0; Object.keys(entries).length < entryCount; group++) {
    const dir = `/latest/meta-data/bench-${group}/`;
    groups.push(`bench-${group}/`);
    const names: string[] = [];
    for (let child = 0; child < CHILDREN_PER_DIRECTORY - 1 && Object.keys(entries).length < entryCount - 1; child++) {
      const index = group * CHILDREN_PER_DIRECTORY + child;
      // Every 33rd entry differs for real between the sides; ids and addresses always differ.
      const changed = side === 1 && index % 33 === 0;
      const name = `item-${child}`;
      names.push(name);
      switch (child % 6) {
        case 0:
          entries[dir + name] = text(`i-0${hex(index * 7 + side, 16)}`);
          break;
        case 1:
          entries[dir + name] = text(`10.${side}.${index % 250}.${(index * 3) % 250}`);
          break;
        case 2:
          entries[dir + name] = text(
            `{\n  "Code" : "${changed ? 'Failure' : 'Success'}",\n  "LastUpdated" : "2026-01-0${1 + side}T00:00:00Z",\n` +
              `  "AccountId" : "${side === 0 ? '111122223333' : '444455556666'}",\n  "Items" : [ "a", "b" ],\n  "Count" : ${index}\n}`,
          );
          break;
        case 3:
          entries[dir + name] = text(
            [`sg-0${hex(index + side, 16)}`, `sg-0${hex(index + 9 + side, 16)}`, ...(changed ? ['extra-line'] : [])].join('\n'),
          );
          break;
        case 4:
          entries[dir + name] = text(changed ? `value-${index}-changed` : `value-${index}`);
          break;
        default:
          entries[dir + name] = text(`ip-10-${side}-${index % 250}-7.eu-west-1.compute.internal`);
      }
    }
    if (side === 1 && group % 10 === 3) names.push('added-only-in-b');
    if (side === 1 && group % 10 === 3) entries[`${dir}added-only-in-b`] = text('new');
    entries[dir] = text(names.sort().join('\n'));
  }
  const metaData = entries['/latest/meta-data/']!.body!.split('\n');
  entries['/latest/meta-data/'] = text([...metaData, ...groups].sort().join('\n'));
  return { ...base, entries };
}

function timeDiff(a: Cassette, b: Cassette): { ms: number; changes: number } {
  let changes = 0;
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    changes = diffCassettes(a, b).changes.length;
    times.push(performance.now() - start);
  }
  times.sort((x, y) => x - y);
  return { ms: times[Math.floor(RUNS / 2)]!, changes };
}

/** Prints the median diff time at 5,000 and 10,000 entries and their ratio. */
export default async function benchDiff(): Promise<void> {
  const pairs = [5_000, 10_000].map((size) => ({ size, a: generate(size, 0), b: generate(size, 1) }));
  // Warm both sizes up first, so the JIT does not flatter whichever is measured second.
  for (const { a, b } of pairs) for (let run = 0; run < 3; run++) diffCassettes(a, b);
  const results: number[] = [];
  for (const { size, a, b } of pairs) {
    const { ms, changes } = timeDiff(a, b);
    const raw = diffCassettes(a, b, { raw: true }).changes.length;
    results.push(ms);
    console.log(`${String(size).padStart(6)} entries: ${ms.toFixed(1)} ms median of ${RUNS} (${changes} changes normalised, ${raw} raw)`);
  }
  console.log(`ratio 10k/5k: ${(results[1]! / results[0]!).toFixed(2)} (linear ≈ 2.0)`);
}
