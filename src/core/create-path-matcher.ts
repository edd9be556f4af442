import { UsageError } from './errors.js';

function toRegExpSource(glob: string): string {
  let source = '';
  for (let at = 0; at < glob.length; at++) {
    const char = glob[at]!;
    if (char === '*' && glob[at + 1] === '*') {
      source += '.*';
      at++;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return source;
}

/**
 * The one path-glob language of aemm (`--ignore`, `--redact`, fault paths): `*` matches within one
 * path segment, `**` across segments, `?` one character. A glob that starts with `/` matches from
 * the root, any other at any depth (`meta-data/tags/**`, `ipv6s`, `spot/*`, `api/token`). A match
 * on a directory covers everything under it, and a directory matches with or without its slash.
 * `what` names the setting in the error for an empty glob.
 */
export function createPathMatcher(globs: readonly string[], what = '--ignore'): (path: string) => boolean {
  for (const glob of globs) {
    if (glob.trim() === '') throw new UsageError(`${what} "" is empty. Give a path glob such as "meta-data/tags/**".`);
  }
  if (globs.length === 0) return () => false;
  const sources = globs.map((glob) => (glob.startsWith('/') ? '' : '(?:.*/)?') + toRegExpSource(glob));
  const pattern = new RegExp(`^(?:${sources.join('|')})$`);
  // Directories are tested once each however many entries sit under them.
  const directories = new Map<string, boolean>();
  const matchesDirectory = (dir: string): boolean => {
    let result = directories.get(dir);
    if (result === undefined) {
      const parent = dir.slice(0, dir.lastIndexOf('/', dir.length - 2) + 1);
      result = pattern.test(dir) || pattern.test(dir.slice(0, -1)) || (parent !== '' && parent !== dir && matchesDirectory(parent));
      // Fault paths see whatever clients ask for; the memo starts over rather than grow without end.
      if (directories.size >= 10_000) directories.clear();
      directories.set(dir, result);
    }
    return result;
  };
  return (path) => {
    if (path.endsWith('/')) return matchesDirectory(path);
    return pattern.test(path) || matchesDirectory(path.slice(0, path.lastIndexOf('/') + 1));
  };
}
