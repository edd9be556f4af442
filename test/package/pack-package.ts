import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Files of the work tree that `npm pack` needs (prepack builds from src/). */
const PACK_INPUTS = ['package.json', 'package-lock.json', 'README.md', 'LICENSE', 'tsconfig.json', 'bin', 'src', 'recordings', 'scripts'];

/** A packed tarball installed into a fresh consumer project, as a user outside the repository gets it. */
export interface InstalledPackage {
  /** The temporary folder holding the copy, the tarball and the consumer project. */
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

/**
 * Packs a copy of the work tree (so prepack's clean build never disturbs the dist/ other tests
 * use), then installs the tarball, msw and @types/node into a new project with npm.
 */
export function packAndInstall(): InstalledPackage {
  const dir = mkdtempSync(join(tmpdir(), 'ec2-imds-replay-pack-'));
  const copy = join(dir, 'source');
  for (const input of PACK_INPUTS) cpSync(join(root, input), join(copy, input), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir], copy)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const tarball = join(dir, packed!.filename);
  const project = join(dir, 'consumer');
  cpSync(join(root, 'test', 'package', 'consumer'), project, { recursive: true });
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true, version: '1.0.0' }, null, 2)}\n`);
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, `msw@${versionOf('msw')}`, `@types/node@${versionOf('@types/node')}`], project);
  return { dir, tarball, project, packageDir: join(project, 'node_modules', 'ec2-imds-replay'), files: packed!.files.map((file) => file.path) };
}
