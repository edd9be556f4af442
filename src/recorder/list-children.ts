import { escapeControlChars } from '../core/escape-control-chars.js';

/** How the crawler fetches a path: what it expects there decides what an answer means. */
export type CrawlKind = 'root' | 'dir' | 'leaf' | 'user-data' | 'probe-dir';

/** The paths a listing leads to, and the names it refused to follow. */
export interface ListedChildren {
  children: Array<{ key: string; kind: CrawlKind }>;
  /** Full paths of listed names that are no path segment (`..`, a slash, control characters). */
  refused: string[];
}

// Version roots list their directories without a slash (`dynamic\nmeta-data\nuser-data`, docs/imds-behaviour.md §1).
const VERSION_ROOT_DIRS = new Set(['meta-data', 'dynamic']);
// Newer SDKs try this first and fall back on 404 (docs/imds-behaviour.md §4); record it even when `iam/` does not list it.
const EXTENDED_CREDENTIALS = 'security-credentials-extended/';

/** Whether a listed name can be followed without leaving its directory. */
function isSafeName(name: string): boolean {
  const bare = name.endsWith('/') ? name.slice(0, -1) : name;
  return bare !== '' && bare !== '.' && bare !== '..' && !/[/\\?#\u0000-\u001f\u007f-\u009f]/.test(bare);
}

/**
 * Reads a directory's listing the way cloud-init's materializer does: `name/` is a directory,
 * `N=key` under public-keys is the directory `N/`, version roots name their directories without
 * a slash, anything else is a leaf; `iam/` also leads to the extended credentials, listed or not.
 */
export function listChildren(dir: string, body: string): ListedChildren {
  const atVersionRoot = dir.indexOf('/', 1) === dir.length - 1;
  const names = body
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const children: ListedChildren['children'] = [];
  const refused: string[] = [];
  for (const name of names) {
    // public-keys lists `0=my-key`; the key's directory is `0/` (docs/imds-behaviour.md §4).
    const indexed = dir.endsWith('/meta-data/public-keys/') ? /^(\d+)=/.exec(name) : null;
    if (indexed) children.push({ key: `${dir}${indexed[1]}/`, kind: 'dir' });
    // Refused names are shown to the user: their control characters must not reach the terminal.
    else if (!isSafeName(name)) refused.push(dir + escapeControlChars(name));
    else if (name.endsWith('/')) children.push({ key: dir + name, kind: 'dir' });
    else if (atVersionRoot && VERSION_ROOT_DIRS.has(name)) children.push({ key: `${dir}${name}/`, kind: 'dir' });
    else if (atVersionRoot && name === 'user-data') children.push({ key: dir + name, kind: 'user-data' });
    else children.push({ key: dir + name, kind: 'leaf' });
  }
  if (dir.endsWith('/meta-data/iam/') && !names.includes(EXTENDED_CREDENTIALS))
    children.push({ key: dir + EXTENDED_CREDENTIALS, kind: 'probe-dir' });
  return { children, refused };
}
