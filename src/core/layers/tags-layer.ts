import type { Entry } from '../cassette.js';
import type { Layer, Patch } from '../layer.js';
import type { TagsConfig } from './layer-settings.js';
import { createTextEntry } from './text-entry.js';

const TAGS = '/latest/meta-data/tags/';
const INSTANCE = `${TAGS}instance/`;

/**
 * Instance tags in metadata: `merge` adds or changes tags, `replace` serves exactly the given
 * ones, `off` makes `tags/` answer 404 as on an instance without tags in metadata (docs/imds-behaviour.md §4).
 */
export function createTagsLayer(tags: TagsConfig): Layer {
  const patch = new Map<string, Entry | null>();
  if (tags.mode === 'off') {
    patch.set(TAGS, null);
  } else {
    if (tags.mode === 'replace') patch.set(INSTANCE, null);
    for (const [key, value] of Object.entries(tags.values)) patch.set(`${INSTANCE}${key}`, createTextEntry(value));
  }
  const fixed: Patch = patch;
  return { name: 'tags', patch: () => fixed, stableUntil: () => Infinity };
}
