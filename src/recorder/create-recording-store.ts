import type { Entry } from '../core/cassette.js';

/** What a path is in IMDS's tree. */
export type PathKind = 'leaf' | 'directory';

/** The entries of a proxy recording, kept free of a leaf and a directory with the same name. */
export interface RecordingStore {
  readonly entries: Readonly<Record<string, Entry>>;
  /**
   * What `leaf` (a key without its trailing slash) is, by what the cassette already holds: a
   * recorded directory or anything under it, a recorded leaf, or the name in its parent's
   * recorded listing. Undefined when the cassette cannot tell.
   */
  kindOf(leaf: string): PathKind | undefined;
  /** Records a 200 answer (redacting it) and returns the keys that changed; empty when nothing did. */
  put(key: string, entry: Entry): string[];
}

/** How a store records. */
export interface RecordingStoreOptions {
  /** The entries to start from; the store owns and changes this object. */
  entries: Record<string, Entry>;
  /** Replace an entry that is already there (`overwrite` mode) rather than keep it. */
  replace: boolean;
  /** The entry as it may be written under `key`. */
  redact(key: string, entry: Entry): Entry;
}

// Version roots list their directories without a slash (docs/imds-behaviour.md §1: `dynamic\nmeta-data\nuser-data`).
const VERSION_ROOT_DIRECTORIES = new Set(['meta-data', 'dynamic']);

function isVersionRoot(dir: string): boolean {
  return dir.indexOf('/', 1) === dir.length - 1;
}

function parentOf(key: string): string {
  return key.slice(0, key.lastIndexOf('/', key.length - 2) + 1);
}

function listedNames(entry: Entry | undefined): string[] | undefined {
  if (entry?.status !== 200 || entry.body === undefined) return undefined;
  return entry.body
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** Whether `entry`, read as the listing of `dir`, names any of `names` (file, `name/`, or `N=key` under public-keys). */
function listsAny(entry: Entry | undefined, dir: string, names: ReadonlySet<string>): boolean {
  const listing = listedNames(entry);
  if (!listing) return false;
  const publicKeys = dir.endsWith('/meta-data/public-keys/');
  return listing.some((line) => {
    const indexed = publicKeys ? /^(\d+)=/.exec(line) : null;
    return names.has(indexed ? indexed[1]! : line.replace(/\/$/, ''));
  });
}

/**
 * A store for the entries a recording proxy captures. An upstream that strips trailing slashes
 * (AEMM, some mocks) answers a directory asked without its slash with 200 and the listing, which
 * would leave both `x` and `x/…` in the cassette; the store keeps the directory and files that
 * listing under `x/`.
 */
export function createRecordingStore(options: RecordingStoreOptions): RecordingStore {
  const { entries, replace, redact } = options;

  // Directory key → immediate child name → how many recorded keys lie under that child; kept as
  // entries change, so no request scans every entry (a long proxy run holds tens of thousands).
  const below = new Map<string, Map<string, number>>();

  function index(key: string, delta: 1 | -1): void {
    for (let end = key.indexOf('/') + 1; end > 0 && end < key.length; end = key.indexOf('/', end) + 1) {
      const dir = key.slice(0, end);
      const name = key.slice(end, key.indexOf('/', end) === -1 ? undefined : key.indexOf('/', end));
      let children = below.get(dir);
      if (!children) below.set(dir, (children = new Map()));
      const count = (children.get(name) ?? 0) + delta;
      if (count > 0) children.set(name, count);
      else children.delete(name);
      if (children.size === 0) below.delete(dir);
    }
  }
  for (const key in entries) index(key, 1);

  function set(key: string, entry: Entry): void {
    if (entries[key] === undefined) index(key, 1);
    entries[key] = entry;
  }

  function remove(key: string): void {
    if (entries[key] === undefined) return;
    delete entries[key];
    index(key, -1);
  }

  function hasUnder(dir: string): boolean {
    return below.has(dir);
  }

  function childrenOf(dir: string): Set<string> {
    return new Set(below.get(dir)?.keys());
  }

  /** Drops a leaf that shares its name with `dir` or an ancestor: real IMDS never has both. */
  function absorbLeaves(key: string): string[] {
    const changed: string[] = [];
    for (let dir = key.endsWith('/') ? key : parentOf(key); dir !== '/' && !isVersionRoot(dir); dir = parentOf(dir)) {
      const leaf = dir.slice(0, -1);
      const stale = entries[leaf];
      if (stale === undefined) continue;
      remove(leaf);
      changed.push(leaf);
      // It was the directory's listing, answered without a 301: keep it as that.
      if (entries[dir] === undefined && listsAny(stale, dir, new Set([key.slice(dir.length).split('/')[0]!]))) {
        set(dir, stale);
        changed.push(dir);
      }
    }
    return changed;
  }

  return {
    entries,
    kindOf(leaf) {
      const dir = `${leaf}/`;
      if (entries[dir]?.status === 200 || hasUnder(dir)) return 'directory';
      if (entries[leaf]?.status === 200) return 'leaf';
      const parent = parentOf(leaf);
      const listing = listedNames(entries[parent]);
      const name = leaf.slice(parent.length);
      if (!listing) return undefined;
      if (listing.includes(`${name}/`)) return 'directory';
      if (parent.endsWith('/meta-data/public-keys/') && listing.some((line) => line.startsWith(`${name}=`))) return 'directory';
      if (!listing.includes(name)) return undefined;
      if (!isVersionRoot(parent)) return 'leaf';
      return VERSION_ROOT_DIRECTORIES.has(name) ? 'directory' : name === 'user-data' ? 'leaf' : undefined;
    },
    put(key, entry) {
      let target = key;
      if (!key.endsWith('/')) {
        const dir = `${key}/`;
        if (entries[dir]?.status === 200) target = dir;
        else if (hasUnder(dir)) {
          // A 200 for a directory asked without its slash: the listing, if it names what is recorded under it.
          if (!listsAny(entry, dir, childrenOf(dir))) return [];
          target = dir;
        }
      }
      if (!replace && entries[target] !== undefined) return [];
      set(target, redact(target, entry));
      return [target, ...absorbLeaves(target)];
    },
  };
}
