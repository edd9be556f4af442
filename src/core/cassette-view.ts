import type { Cassette, Entry } from './cassette.js';
import { mergePatches, type Patch } from './layer.js';
import { toEntryBytes } from './render-entry.js';
import { IMDS_VERSIONS } from './versions.js';

const encoder = new TextEncoder();

/** Parent directory key of a cassette key (`/latest/meta-data/ami-id` → `/latest/meta-data/`), or undefined for `/`. */
export function parentKey(key: string): string | undefined {
  if (key === '/') return undefined;
  const trimmed = key.endsWith('/') ? key.slice(0, -1) : key;
  return trimmed.slice(0, trimmed.lastIndexOf('/') + 1);
}

/** The name a child key has in its parent's listing: `ami-id`, `iam/`, and at a version root `meta-data`. */
function listingName(key: string, parent: string): string {
  const name = key.slice(parent.length);
  // Version roots list their directories without the slash (docs/imds-behaviour.md §1: `dynamic\nmeta-data\nuser-data`).
  const atVersionRoot = parent.indexOf('/', 1) === parent.length - 1;
  return atVersionRoot && name.endsWith('/') ? name.slice(0, -1) : name;
}

function splitListing(body: string): string[] {
  return body.split('\n').filter((line) => line.trim() !== '');
}

/** A cassette's fixed facts, computed once per cassette object and shared by every view of it. */
interface CassetteIndex {
  versions: Set<string>;
  /** `meta.incomplete` is set: listings may name children that were never recorded. */
  incomplete: boolean;
  /** Directory key → keys of the children its descendants imply, for directories without a recorded listing. */
  implied: ImpliedChildren;
  bytes: WeakMap<Entry, Uint8Array>;
  baseView?: CassetteView;
  lastPatches?: readonly Patch[];
  lastView?: CassetteView;
}

/**
 * Each directory's children, by their full keys: a leaf's is the cassette's own key string, so a
 * 100k-entry cassette costs one array slot per entry here, not a name string and a set slot.
 */
interface ImpliedChildren {
  children: Map<string, string[]>;
  /** Directory keys already listed in their parent. */
  listed: Set<string>;
}

const createImplied = (): ImpliedChildren => ({ children: new Map(), listed: new Set() });

function addImplied(implied: ImpliedChildren, key: string): void {
  let child = key;
  let parent = parentKey(child);
  while (parent !== undefined && parent !== '/') {
    if (child.endsWith('/')) {
      if (implied.listed.has(child)) return;
      implied.listed.add(child);
    }
    let children = implied.children.get(parent);
    if (!children) implied.children.set(parent, (children = []));
    children.push(child);
    child = parent;
    parent = parentKey(child);
  }
}

/** The listing names a directory's implied children have (a leaf and a directory may share one at a version root). */
function impliedNames(implied: ImpliedChildren, dir: string): string[] {
  const children = implied.children.get(dir);
  return children ? [...new Set(children.map((child) => listingName(child, dir)))] : [];
}

function indexCassette(cassette: Cassette): CassetteIndex {
  const implied = createImplied();
  const versions = new Set<string>();
  for (const key of Object.keys(cassette.entries)) {
    if (key === '/') continue;
    addImplied(implied, key);
    versions.add(key.slice(1, key.indexOf('/', 1) === -1 ? undefined : key.indexOf('/', 1)));
  }
  const root = cassette.entries['/'];
  const listed = root && root.status === 200 && root.body !== undefined ? splitListing(root.body) : IMDS_VERSIONS;
  for (const version of listed) versions.add(version.replace(/\/$/, ''));
  versions.add('latest');
  const incomplete = cassette.meta.incomplete !== undefined && cassette.meta.incomplete !== false;
  return { versions, implied, incomplete, bytes: new WeakMap() };
}

/** What a directory listing or an entry looks like through a view. */
export interface ListingResult {
  entry: Entry | undefined;
  body: Uint8Array;
}

/**
 * A cassette seen through the merged patches of its layers: which entries exist, what a listing
 * names (always only children that answer), and entry bytes. Views are cached per patch set.
 */
export class CassetteView {
  readonly cassette: Cassette;
  readonly versions: ReadonlySet<string>;
  private readonly index: CassetteIndex;
  private readonly patch: Map<string, Entry | null>;
  private readonly hidden: string[] = [];
  /** Directories whose listing the patch may change: every ancestor of a patched key. */
  private readonly touched = new Set<string>();
  private readonly patchImplied = createImplied();
  private readonly listings = new Map<string, ListingResult>();

  constructor(cassette: Cassette, index: CassetteIndex, patches: readonly Patch[]) {
    this.cassette = cassette;
    this.index = index;
    this.versions = index.versions;
    this.patch = mergePatches(patches);
    for (const [key, value] of this.patch) {
      if (value === null && key.endsWith('/')) this.hidden.push(key);
      if (value !== null) addImplied(this.patchImplied, key);
      for (let dir = parentKey(key); dir !== undefined; dir = parentKey(dir)) this.touched.add(dir);
    }
  }

  /** The entry served at a cassette key, after layers; undefined when absent or hidden. */
  entryAt(key: string): Entry | undefined {
    const patched = this.patch.get(key);
    if (patched !== undefined) return patched ?? undefined;
    return this.isHidden(key) ? undefined : this.cassette.entries[key];
  }

  private isHidden(key: string): boolean {
    if (this.patch.get(key) === null) return true;
    for (const prefix of this.hidden) if (key.startsWith(prefix)) return true;
    return false;
  }

  /** Whether a directory key exists: it has a listing entry or visible descendants. */
  hasDirectory(key: string): boolean {
    // A directory entry recorded with an error status is no listing; its children may still make one.
    if (this.entryAt(key)?.status === 200 || this.patchImplied.children.has(key)) return true;
    return this.index.implied.children.has(key) && !this.isHidden(key);
  }

  /** Keys the layers add or replace (not those they hide). */
  patchedKeys(): string[] {
    return [...this.patch].filter(([, value]) => value !== null).map(([key]) => key);
  }

  /** Whether a leaf key answers with a success status. */
  hasLeaf(key: string): boolean {
    const entry = this.entryAt(key);
    return entry !== undefined && entry.status < 400;
  }

  private hasChild(dir: string, name: string): boolean {
    if (name.endsWith('/')) return this.hasDirectory(dir + name);
    // public-keys lists `0=my-key`; the child is the directory `0/` (docs/imds-behaviour.md §4). Only there:
    // a tag key may well be `2=tier`.
    const indexed = dir.endsWith('/public-keys/') ? /^(\d+)=/.exec(name) : null;
    if (indexed) return this.hasDirectory(`${dir}${indexed[1]}/`);
    return this.hasLeaf(dir + name) || this.hasDirectory(`${dir}${name}/`);
  }

  /**
   * Whether a listed child of a partial recording was never recorded (rather than recorded as
   * missing or hidden by a layer): its listing then keeps it, as the instance said, and the child
   * itself answers as a miss.
   */
  private isUnrecorded(dir: string, name: string): boolean {
    if (!this.index.incomplete) return false;
    const indexed = dir.endsWith('/public-keys/') ? /^(\d+)=/.exec(name) : null;
    const keys = indexed ? [`${dir}${indexed[1]}/`] : name.endsWith('/') ? [dir + name] : [dir + name, `${dir}${name}/`];
    return keys.every(
      (key) =>
        this.cassette.entries[key] === undefined && !this.patch.has(key) && !this.index.implied.children.has(key) && !this.isHidden(key),
    );
  }

  /** The bytes of an entry's body. */
  bodyOf(entry: Entry): Uint8Array {
    let bytes = this.index.bytes.get(entry);
    if (!bytes) this.index.bytes.set(entry, (bytes = toEntryBytes(entry)));
    return bytes;
  }

  /** The listing served for a directory key: recorded bytes when nothing changes them, else patched names. */
  listing(dir: string): ListingResult | undefined {
    const cached = this.listings.get(dir);
    if (cached) return cached;
    if (!this.touched.has(dir) && !this.isHidden(dir) && this !== this.index.baseView) {
      const base = baseViewOf(this.index, this.cassette).listing(dir);
      if (base) this.listings.set(dir, base);
      return base;
    }
    const result = this.buildListing(dir);
    // Only directories that exist are remembered: clients can ask for endless paths that do not.
    if (result) this.listings.set(dir, result);
    return result;
  }

  private buildListing(dir: string): ListingResult | undefined {
    if (!this.hasDirectory(dir)) return undefined;
    const entry = this.entryAt(dir);
    const recorded = entry && entry.status === 200 ? splitListing(new TextDecoder().decode(this.bodyOf(entry))) : undefined;
    const names = recorded ?? impliedNames(this.index.implied, dir);
    const kept = names.filter((name) => this.hasChild(dir, name) || this.isUnrecorded(dir, name));
    const seen = new Set(kept.map((name) => name.replace(/\/$/, '')));
    const added = impliedNames(this.patchImplied, dir).filter((name) => !seen.has(name.replace(/\/$/, '')));
    const final = added.length > 0 || !recorded ? [...kept, ...added].sort() : kept;
    const text = final.join('\n');
    if (entry && recorded && kept.length === names.length && added.length === 0) return { entry, body: this.bodyOf(entry) };
    return { entry, body: encoder.encode(text) };
  }
}

function baseViewOf(index: CassetteIndex, cassette: Cassette): CassetteView {
  index.baseView ??= new CassetteView(cassette, index, []);
  return index.baseView;
}

/** Views of cassettes under layer patches, and what they are built from, cached for one engine. */
export interface ViewCache {
  /** The view of a cassette under the given patches, reused while the patches are the same objects. */
  view(cassette: Cassette, patches: readonly Patch[]): CassetteView;
  /**
   * The cassette as seen under a dated prefix: its `latest` entries with the ones it recorded under
   * `/<version>/` laid over them, all keyed `/latest/…`, so listings, layers and 301s treat both
   * alike. The cassette itself when it recorded nothing under that version.
   */
  overlay(cassette: Cassette, version: string): Cassette;
  /** The API versions a cassette answers: its `/` listing (or the real list), plus any it recorded. */
  versions(cassette: Cassette): ReadonlySet<string>;
}

/** A fresh view cache; an engine keeps one for its cassette (and the overlays of its dated prefixes). */
export function createViewCache(): ViewCache {
  const indexes = new WeakMap<Cassette, CassetteIndex>();
  const overlays = new WeakMap<Cassette, Map<string, Cassette>>();
  const indexOf = (cassette: Cassette): CassetteIndex => {
    let index = indexes.get(cassette);
    if (!index) indexes.set(cassette, (index = indexCassette(cassette)));
    return index;
  };
  return {
    view(cassette, patches) {
      const index = indexOf(cassette);
      if (patches.length === 0) return baseViewOf(index, cassette);
      const last = index.lastPatches;
      if (index.lastView && last && last.length === patches.length && last.every((p, i) => p === patches[i])) {
        return index.lastView;
      }
      index.lastPatches = patches;
      index.lastView = new CassetteView(cassette, index, patches);
      return index.lastView;
    },
    overlay(cassette, version) {
      if (version === 'latest') return cassette;
      let byVersion = overlays.get(cassette);
      if (!byVersion) overlays.set(cassette, (byVersion = new Map()));
      let overlay = byVersion.get(version);
      if (!overlay) {
        const prefix = `/${version}/`;
        const dated = Object.keys(cassette.entries).filter((key) => key.startsWith(prefix));
        if (dated.length === 0) overlay = cassette;
        else {
          const entries = { ...cassette.entries };
          for (const key of dated) entries[`/latest/${key.slice(prefix.length)}`] = cassette.entries[key]!;
          overlay = { ...cassette, entries };
        }
        byVersion.set(version, overlay);
      }
      return overlay;
    },
    versions: (cassette) => indexOf(cassette).versions,
  };
}
