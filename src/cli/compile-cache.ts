// The bins' V8 compile cache (Node 22.1 and later): the code V8 compiles from our bundles is kept
// between runs, which takes 20–30 ms off each `aemm` start and about 10 ms off each
// `ec2-metadata-mock` start. Node 20 has no such cache and is left as it is; the single
// executables carry their own code cache.
import { lstatSync, mkdirSync } from 'node:fs';
import module from 'node:module';
import { join } from 'node:path';
import { userCacheFolder } from './cache-folder.js';

/** What node:module offers from Node 22.1 (enable) and 22.10 (flush); absent on Node 20. */
type CompileCacheApi = {
  enableCompileCache?: (dir?: string) => { status: number; directory?: string };
  flushCompileCache?: () => void;
  constants?: { compileCacheStatus?: Record<string, number> };
};

const api = module as unknown as CompileCacheApi;

/** True when `path` is a real folder of this user's that nobody else can write (cached code runs as this user). */
function isPrivateFolder(path: string): boolean {
  const stat = lstatSync(path);
  return stat.isDirectory() && stat.uid === process.getuid?.() && (stat.mode & 0o022) === 0;
}

/**
 * Turns Node's compile cache on for the rest of this process, in the user's cache folder, and returns
 * that folder; undefined when this Node has no compile cache, when NODE_DISABLE_COMPILE_CACHE is
 * set, when the user chose a folder with NODE_COMPILE_CACHE (Node has then enabled it already),
 * or when the folder cannot be made private to this user. A start without the cache is only slower.
 */
export function enableCompileCache(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (typeof api.enableCompileCache !== 'function' || env.NODE_DISABLE_COMPILE_CACHE || env.NODE_COMPILE_CACHE) return undefined;
  try {
    const dir = join(userCacheFolder(env), 'compile-cache');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Another local user who could write this folder (or its parent, to swap it) could plant code that we would run.
    if (!isPrivateFolder(dir) || !isPrivateFolder(join(dir, '..'))) return undefined;
    const result = api.enableCompileCache(dir);
    return result.status === api.constants?.compileCacheStatus?.ENABLED ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes what was compiled so far to the cache (Node 22.10 and later), for a server that is
 * listening and may be stopped by a signal that skips Node's own write at exit. Nothing is
 * written when every module came from the cache.
 */
export function flushCompileCache(): void {
  try {
    api.flushCompileCache?.();
  } catch {
    // Only a later start is slower.
  }
}
