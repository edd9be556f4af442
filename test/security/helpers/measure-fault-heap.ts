// Run as a child process with --expose-gc: resolves thousands of distinct long paths through an
// engine with a fault glob set, and prints how much the live heap grew, in bytes.
import { createReplayEngine } from '../../../src/core/replay-engine.js';
import { defaultCassette } from '../../../src/msw/index.js';

const gc = (globalThis as { gc?: () => void }).gc!;
const engine = createReplayEngine({ cassette: defaultCassette, clock: () => Date.UTC(2026, 0, 1), secret: 'heap', layers: undefined });
engine.control.fault({ path: '**/spot/*', status: 503 });
const ask = (index: number): void =>
  void engine.resolve({ method: 'GET', path: `/latest/meta-data${`/s${index}`.repeat(300)}`, headers: { host: '169.254.169.254' } });
// Warm up what any engine keeps once, then measure what distinct paths add.
for (let index = 0; index < 50; index++) ask(index);
gc();
const before = process.memoryUsage().heapUsed;
for (let index = 50; index < 3050; index++) ask(index);
gc();
process.stdout.write(String(process.memoryUsage().heapUsed - before));
