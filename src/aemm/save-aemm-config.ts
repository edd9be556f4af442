import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { formatGoJson, type GoJsonValue } from '../core/profiles/format-go-json.js';
import { isAemmTree, type AemmTree } from './aemm-tree.js';
import { describeGoFileError } from './go-values.js';
import type { AemmMessage } from './load-aemm-config.js';

const DIR = '.ec2-metadata-mock';
const FILE = '.aemm-config-used.json';
const FAILED = 'Warning: Failed to save the final configuration to local file';

/** The tree as viper writes it: null values left out (viper skips keys without a value). */
function withoutNulls(tree: AemmTree): Record<string, GoJsonValue> {
  const out: Record<string, GoJsonValue> = {};
  for (const [key, node] of Object.entries(tree)) {
    if (node === null) continue;
    out[key] = isAemmTree(node) ? withoutNulls(node) : (node as GoJsonValue);
  }
  return out;
}

async function ensureDir(dir: string): Promise<string | undefined> {
  try {
    if (!(await stat(dir)).isDirectory())
      return `The destination '${dir}' for saving the configuration already exists, but is not a directory`;
    return undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      return `Failed to create directory for final configuration at ${dir}: ${describeGoFileError('mkdir', dir, error as NodeJS.ErrnoException)}`;
    }
  }
  try {
    await mkdir(dir, { mode: 0o755 });
    return undefined;
  } catch (error) {
    return `Failed to create directory for final configuration at ${dir}: ${describeGoFileError('mkdir', dir, error as NodeJS.ErrnoException)}`;
  }
}

/**
 * `-s`: writes the resolved configuration to `$HOME/.ec2-metadata-mock/.aemm-config-used.json`
 * (`./.ec2-metadata-mock/…` without HOME) as viper does — sorted keys, two-space indent — and
 * returns AEMM's success line or its warning; a failure never stops the server. The file is
 * replaced atomically, so a reader never sees half of it.
 */
export async function saveAemmConfig(tree: AemmTree, home: string): Promise<AemmMessage> {
  const dir = home === '' ? `./${DIR}` : `${home}/${DIR}`;
  const problem = await ensureDir(dir);
  if (problem) return { stream: 'log', text: `${FAILED} - ${problem}` };
  const path = `${dir}/${FILE}`;
  const temporary = `${dir}/.${FILE}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, formatGoJson(withoutNulls(tree), { indent: '  ', sortKeys: true }), { mode: 0o644 });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    return { stream: 'log', text: `${FAILED} ${path}: ${describeGoFileError('open', path, error as NodeJS.ErrnoException)}` };
  }
  return { stream: 'out', text: `Successfully saved final configuration to local file  ${path}` };
}
