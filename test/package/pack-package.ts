import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Files of the work tree that `npm pack` needs (prepack builds from src/). */
const PACK_INPUTS = ['package.json', 'package-lock.json', 'README.md', 'LICENSE', 'tsconfig.json', 'bin', 'src', 'recordings', 'scripts'];

/** A packed tarball installed into a fresh consumer project, as a user outside the repository gets it. */
export interface InstalledPackage {
  /** The shared temporary folder holding the copy, the tarball and the consumer project. */
  dir: string;
  tarball: string;
  /** The consumer project (its node_modules holds the package). */
  project: string;
  /** The installed package's folder. */
  packageDir: string;
  /** The files npm put in the tarball. */
  files: string[];
}

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'error' } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

function versionOf(name: string): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

function hashInputs(): string {
  const hash = createHash('sha256');
  const visit = (path: string): void => {
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) visit(join(path, name));
      return;
    }
    hash.update(relative(root, path)).update('\0').update(readFileSync(path)).update('\0');
  };
  for (const input of [...PACK_INPUTS, 'test/package/consumer']) visit(join(root, input));
  return hash.digest('hex').slice(0, 16);
}

function build(dir: string): void {
  const copy = join(dir, 'source');
  for (const input of PACK_INPUTS) cpSync(join(root, input), join(copy, input), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir], copy)) as [
    { filename: string; files: Array<{ path: string }> },
  ];
  writeFileSync(
    join(dir, 'tarball.json'),
    JSON.stringify({ filename: packed[0].filename, files: packed[0].files.map((file) => file.path) }),
  );
  const project = join(dir, 'consumer');
  cpSync(join(root, 'test', 'package', 'consumer'), project, { recursive: true });
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true, version: '1.0.0' }, null, 2)}\n`);
  const install = [
    'install',
    '--no-audit',
    '--no-fund',
    join(dir, packed[0].filename),
    `msw@${versionOf('msw')}`,
    `@types/node@${versionOf('@types/node')}`,
  ];
  // npm ci filled the cache with every package this needs; the registry is only the fallback.
  try {
    run('npm', [...install, '--offline'], project);
  } catch {
    run('npm', [...install, '--prefer-offline'], project);
  }
}

/**
 * Packs a copy of the work tree (so prepack's clean build never disturbs the dist/ other tests
 * use), then installs the tarball, msw and @types/node into a new project with npm. The result is
 * shared by every test file of one run (it is keyed by a hash of what goes into it): treat it as
 * read-only, and copy it to change it.
 */
export function packAndInstall(): InstalledPackage {
  const prefix = 'ec2-imds-replay-pack-';
  const dir = join(tmpdir(), `${prefix}${hashInputs()}`);
  // The three files that need the install start together: one builds, the others wait for it
  // rather than packing and installing the same tree three times over.
  const lock = `${dir}.lock`;
  for (;;) {
    if (existsSync(join(dir, 'tarball.json'))) break;
    try {
      mkdirSync(lock);
    } catch {
      // A lock left by a run that was killed mid-build is taken over after ten minutes.
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
      if (since !== undefined && Date.now() - since > 600_000) rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
      continue;
    }
    try {
      if (!existsSync(join(dir, 'tarball.json'))) buildOnce(dir, prefix);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  const { filename, files } = JSON.parse(readFileSync(join(dir, 'tarball.json'), 'utf8')) as { filename: string; files: string[] };
  const project = join(dir, 'consumer');
  return { dir, tarball: join(dir, filename), project, packageDir: join(project, 'node_modules', 'ec2-imds-replay'), files };
}

/** Builds into a folder of its own and renames it to `dir` when whole, so `dir` is complete or absent. */
function buildOnce(dir: string, prefix: string): void {
  // Installs of older trees are of no further use once an hour old (a younger one may be another run's).
  for (const name of readdirSync(tmpdir())) {
    const old = join(tmpdir(), name);
    if (name.startsWith(prefix) && Date.now() - statSync(old).mtimeMs > 3_600_000) rmSync(old, { recursive: true, force: true });
  }
  const building = `${dir}.${process.pid}`;
  mkdirSync(building);
  try {
    build(building);
    renameSync(building, dir);
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    // Another run finished the same build first: use it.
    if (!existsSync(join(dir, 'tarball.json'))) throw error;
  }
}
