// What the bins do at start that costs time without being needed: an ICU collator (oclif sorts
// command ids with localeCompare), and compiling the bundles again on a Node that can keep V8's
// code between runs (22.1 and later; the compile cache goes to this user's own cache folder).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import module from 'node:module';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { withKnownOrder } from '../../src/sea/run-bundled-cli.js';
import { fileURLToPath } from 'node:url';
import { BIN } from '../helpers/run-cli.js';
import { findNodeBinary } from '../package/node-binaries.js';
import { runNode } from '../package/spawn-node.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DROP_IN = join(ROOT, 'bin', 'ec2-metadata-mock.js');

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

  test('this Node keeps a compile cache only when it has one (Node 22.1 and later)', async () => {
    const home = join(dir, 'this-node');
    const result = await runNode(process.execPath, [BIN, '--version'], ROOT, { XDG_CACHE_HOME: home });
    assert.equal(result.code, 0, result.stderr);
    const made = await stat(join(home, 'ec2-imds-replay', 'compile-cache')).then(
      () => true,
      () => false,
    );
    assert.equal(made, typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function');
  });

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

/** The files Node wrote into a compile cache folder (one subfolder per Node version). */
async function cachedFiles(cache: string): Promise<string[]> {
  const versions = await readdir(cache).catch(() => []);
  const files = await Promise.all(
    versions.map(async (version) => (await readdir(join(cache, version))).map((file) => join(version, file))),
  );
  return files.flat();
}

describe('the compile cache on Node 22', { concurrency: true }, () => {
  let node22: string;
  let dir: string;
  before(async () => {
    node22 = findNodeBinary('22');
    dir = await mkdtemp(join(tmpdir(), 'aemm-compile-cache-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const [name, bin] of [
    ['aemm', BIN],
    ['ec2-metadata-mock', DROP_IN],
  ] as const) {
    test(`${name} --version keeps its compiled code in a folder of this user's alone`, async () => {
      const home = join(dir, `${name}-version`);
      const first = await runNode(node22, [bin, '--version'], ROOT, { XDG_CACHE_HOME: home });
      assert.equal(first.code, 0, first.stderr);
      const cache = join(home, 'ec2-imds-replay', 'compile-cache');
      assert.equal((await stat(cache)).mode & 0o777, 0o700);
      assert.ok((await cachedFiles(cache)).length > 0, 'no cached code written');
      const second = await runNode(node22, [bin, '--version'], ROOT, { XDG_CACHE_HOME: home });
      assert.equal(second.code, 0, second.stderr);
      assert.equal(second.stdout, first.stdout);
    });
  }

  test('a replay stopped by SIGKILL once listening has written its compiled code', async () => {
    const home = join(dir, 'killed');
    await listenThenKill(node22, [BIN, 'replay', '--port', '0', '--json'], { XDG_CACHE_HOME: home });
    const files = await cachedFiles(join(home, 'ec2-imds-replay', 'compile-cache'));
    assert.ok(files.length > 0, 'nothing was flushed before the kill');
  });

  test('the drop-in stopped by SIGKILL once listening has written its compiled code', async () => {
    const home = join(dir, 'killed-drop-in');
    await listenThenKill(node22, [DROP_IN, '-n', '127.0.0.1', '-p', '0'], { XDG_CACHE_HOME: home });
    const files = await cachedFiles(join(home, 'ec2-imds-replay', 'compile-cache'));
    assert.ok(files.length > 0, 'nothing was flushed before the kill');
  });

  test('a cache folder that others can write is not used', async () => {
    const home = join(dir, 'shared');
    const cache = join(home, 'ec2-imds-replay', 'compile-cache');
    await mkdir(cache, { recursive: true });
    await chmod(cache, 0o777);
    const result = await runNode(node22, [BIN, '--version'], ROOT, { XDG_CACHE_HOME: home });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(await cachedFiles(cache), []);
  });

  test('NODE_DISABLE_COMPILE_CACHE turns it off', async () => {
    const home = join(dir, 'disabled');
    const result = await runNode(node22, [BIN, '--version'], ROOT, { XDG_CACHE_HOME: home, NODE_DISABLE_COMPILE_CACHE: '1' });
    assert.equal(result.code, 0, result.stderr);
    await assert.rejects(stat(join(home, 'ec2-imds-replay', 'compile-cache')), { code: 'ENOENT' });
  });

  test('a cache folder that cannot be made still lets the bin run', async () => {
    const home = join(dir, 'not-a-folder');
    await writeFile(home, 'a file where the cache folder would go\n');
    const result = await runNode(node22, [BIN, '--version'], ROOT, { XDG_CACHE_HOME: home });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
  });
});
