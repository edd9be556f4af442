import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * This user's cache folder for the package: `$XDG_CACHE_HOME/ec2-imds-replay`, or
 * `~/.cache/ec2-imds-replay` when that is unset or empty. The single executables unpack their
 * assets there and the bins keep their compile cache there.
 */
export function userCacheFolder(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ec2-imds-replay');
}
