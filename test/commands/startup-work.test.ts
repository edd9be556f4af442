// What the bins do at start that costs time without being needed: an ICU collator (oclif sorts
// command ids with localeCompare).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { withKnownOrder } from '../../src/sea/run-bundled-cli.js';
import { fileURLToPath } from 'node:url';
import { BIN } from '../helpers/run-cli.js';
import { runNode } from '../package/spawn-node.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('withKnownOrder', () => {
  test('sorts the known strings in the given order and restores localeCompare afterwards', async () => {
    const original = String.prototype.localeCompare;
    const sorted = await withKnownOrder(['zeta', 'alpha', 'mid'], async () => ['alpha', 'mid', 'zeta'].sort((a, b) => a.localeCompare(b)));
    assert.deepEqual(sorted, ['zeta', 'alpha', 'mid']);
    assert.equal(String.prototype.localeCompare, original);
  });

  test('leaves other strings, and calls with a locale, to the real localeCompare', async () => {
    await withKnownOrder(['b', 'a'], async () => {
      assert.equal('a'.localeCompare('b'), 1);
      assert.equal('a'.localeCompare('c'), -1);
      assert.equal('a'.localeCompare('b', 'en'), -1);
      assert.equal('ä'.localeCompare('z', 'de'), -1);
    });
  });

  test('restores localeCompare when the load fails', async () => {
    const original = String.prototype.localeCompare;
    await assert.rejects(
      withKnownOrder(['a'], async () => {
        throw new Error('load failed');
      }),
      /load failed/,
    );
    assert.equal(String.prototype.localeCompare, original);
  });
});

describe('bin start-up', { concurrency: true }, () => {
  let dir: string;
  let probe: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aemm-startup-'));
    probe = join(dir, 'probe-collation.cjs');
    // Preloaded into a bin: prints a line to stderr whenever anything builds an ICU collator.
    await writeFile(
      probe,
      [
        'const say = () => process.stderr.write("COLLATOR\\n");',
        'const compare = String.prototype.localeCompare;',
        'String.prototype.localeCompare = function (...args) { say(); return compare.apply(this, args); };',
        'const Collator = Intl.Collator;',
        'Intl.Collator = new Proxy(Collator, { construct(target, args) { say(); return new target(...args); }, apply(target, self, args) { say(); return target(...args); } });',
        '',
      ].join('\n'),
    );
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('the collation probe sees a localeCompare', async () => {
    const result = await runNode(process.execPath, ['--require', probe, '-e', "'b'.localeCompare('a')"], ROOT);
    assert.match(result.stderr, /COLLATOR/);
  });

  for (const args of [['--version'], ['replay', '--help']]) {
    test(`aemm ${args.join(' ')} builds no ICU collator`, async () => {
      const result = await runNode(process.execPath, ['--require', probe, BIN, ...args], ROOT, { XDG_CACHE_HOME: dir });
      assert.equal(result.code, 0, result.stderr);
      assert.doesNotMatch(result.stderr, /COLLATOR/);
    });
  }

  test('aemm replay builds no ICU collator before it listens', async () => {
    const server = await listenThenKill(process.execPath, ['--require', probe, BIN, 'replay', '--port', '0', '--json'], {
      XDG_CACHE_HOME: dir,
    });
    assert.doesNotMatch(server.stderr, /COLLATOR/);
  });
});

/** Starts a bin, waits for its first stdout line (it listens then), kills it with SIGKILL and returns what it printed. */
function listenThenKill(node: string, args: string[], env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('\n')) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (/Initiating ec2-metadata-mock/.test(stderr)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      if (stdout === '' && !/Initiating/.test(stderr)) reject(new Error(`${args.join(' ')} never listened:\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}
