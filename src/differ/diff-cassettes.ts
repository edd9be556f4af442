import type { Cassette } from '../core/cassette.js';
import { alignPaths } from './align-paths.js';
import type { Change, ChangeDetail } from './change.js';
import { compareEntries, describeEntry, type EntrySide } from './compare-entries.js';
import { createPathMatcher } from '../core/create-path-matcher.js';
import { toCategory } from './to-category.js';

export type { Change, ChangeDetail } from './change.js';

/** The format tag of a diff result; bumped only when the JSON schema changes incompatibly. */
export const DIFF_FORMAT = 'aemm-diff/1';

/** How to compare two cassettes. */
export interface DiffOptions {
  /** Compare every value, path and header as recorded: no alignment, no folding by kind. Default false. */
  raw?: boolean;
  /** Path globs to leave out (see `createPathMatcher`); a matching directory takes its subtree with it. */
  ignore?: readonly string[];
}

/** How many changes of each kind one category has. */
export interface CategoryCount {
  category: string;
  added: number;
  removed: number;
  changed: number;
}

/** The result of `diffCassettes`: stable, JSON-serialisable, documented in the README. */
export interface CassetteDiff {
  format: typeof DIFF_FORMAT;
  /** False with `raw: true`. */
  normalised: boolean;
  ignore: string[];
  /** True when there are no changes. */
  equal: boolean;
  totals: { added: number; removed: number; changed: number; categories: number };
  /** Categories that have changes, in path order. */
  categories: CategoryCount[];
  /** Changes sorted by path (code-point order). */
  changes: Change[];
}

interface SideIndex {
  cassette: Cassette;
  /** Aligned path → cassette key. */
  byPath: Map<string, string>;
  aligned: Map<string, string>;
  redacted: Set<string>;
}

const SIGNATURE_LEAF = /\/dynamic\/instance-identity\/(?:pkcs7|signature|rsa2048)$/;

function indexSide(cassette: Cassette, normalise: boolean): SideIndex {
  const aligned = normalise ? alignPaths(cassette) : new Map<string, string>();
  const byPath = new Map<string, string>();
  for (const key of Object.keys(cassette.entries)) byPath.set(aligned.get(key) ?? key, key);
  return { cassette, byPath, aligned, redacted: new Set(cassette.meta.redacted) };
}

/** The key a listing line names: `latest/` lists its directories bare, `public-keys/` lists `0=name` for `0/`. */
function childKeyOf(cassette: Cassette, dir: string, line: string): string {
  const indexed = /^(\d+)=/.exec(line);
  if (indexed && dir.endsWith('/public-keys/')) return `${dir}${indexed[1]}/`;
  const key = dir + line;
  if (!line.endsWith('/') && cassette.entries[key] === undefined && cassette.entries[`${key}/`] !== undefined) return `${key}/`;
  return key;
}

function toSide(index: SideIndex, key: string, ignored: (path: string) => boolean, normalise: boolean): EntrySide {
  const alignedOf = (real: string): string => index.aligned.get(real) ?? real;
  const mapLine = (line: string): string | null => {
    const child = childKeyOf(index.cassette, key, line);
    const path = alignedOf(child);
    if (ignored(child) || ignored(path)) return null;
    if (path === child) return line;
    // The aligned name of the child, printed the way the listing prints it.
    const name = path.slice(path.lastIndexOf('/', path.length - 2) + 1);
    return line.endsWith('/') ? name : name.replace(/\/$/, '');
  };
  const opaque = normalise && (index.redacted.has(key) || SIGNATURE_LEAF.test(key));
  return { key, entry: index.cassette.entries[key]!, mapLine, opaque };
}

function countByCategory(changes: readonly Change[]): CategoryCount[] {
  const counts = new Map<string, CategoryCount>();
  for (const change of changes) {
    let count = counts.get(change.category);
    if (!count) counts.set(change.category, (count = { category: change.category, added: 0, removed: 0, changed: 0 }));
    count[change.kind]++;
  }
  return [...counts.values()];
}

/**
 * Structural diff of cassette `a` (before) against `b` (after): entries only in B are `added`, only
 * in A `removed`, in both but different `changed`, with per-line, per-key or per-value details.
 * By default instance-specific noise is folded: interface directories line up by network card and
 * device number rather than MAC, and ids, addresses, CIDRs, hostnames, timestamps, account ids,
 * secrets and signatures compare by kind (`kindOf`). Pure: same input, same output.
 */
export function diffCassettes(a: Cassette, b: Cassette, options: DiffOptions = {}): CassetteDiff {
  const normalise = options.raw !== true;
  const ignore = [...(options.ignore ?? [])];
  const ignored = createPathMatcher(ignore);
  const sideA = indexSide(a, normalise);
  const sideB = indexSide(b, normalise);
  const paths = [...new Set([...sideA.byPath.keys(), ...sideB.byPath.keys()])].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));

  const changes: Change[] = [];
  for (const path of paths) {
    const keyA = sideA.byPath.get(path);
    const keyB = sideB.byPath.get(path);
    if (ignored(path) || (keyA !== undefined && ignored(keyA)) || (keyB !== undefined && ignored(keyB))) continue;
    const category = toCategory(path);
    let kind: Change['kind'];
    let details: ChangeDetail[];
    if (keyA === undefined) {
      kind = 'added';
      details = describeEntry(toSide(sideB, keyB!, ignored, normalise), 'added');
    } else if (keyB === undefined) {
      kind = 'removed';
      details = describeEntry(toSide(sideA, keyA, ignored, normalise), 'removed');
    } else {
      kind = 'changed';
      details = compareEntries(toSide(sideA, keyA, ignored, normalise), toSide(sideB, keyB, ignored, normalise), normalise);
      if (details.length === 0) continue;
    }
    changes.push({
      kind,
      path,
      category,
      ...(keyA === undefined ? {} : { pathA: keyA }),
      ...(keyB === undefined ? {} : { pathB: keyB }),
      details,
    });
  }

  const categories = countByCategory(changes);
  const total = (kind: Change['kind']): number => changes.filter((change) => change.kind === kind).length;
  return {
    format: DIFF_FORMAT,
    normalised: normalise,
    ignore,
    equal: changes.length === 0,
    totals: { added: total('added'), removed: total('removed'), changed: total('changed'), categories: categories.length },
    categories,
    changes,
  };
}
