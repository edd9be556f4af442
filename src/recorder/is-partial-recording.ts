import type { Entry } from '../core/cassette.js';
import { listChildren } from './list-children.js';

/**
 * Whether a recording's listings name children it never recorded, as a proxy recording's do
 * when the application asked for a directory but not for everything in it. Such a cassette is
 * flagged `meta.incomplete: true`: replay serves its listings as recorded (they are what the
 * instance said) and answers an unrecorded child as a miss.
 */
export function isPartialRecording(entries: Readonly<Record<string, Entry>>): boolean {
  const present = new Set<string>();
  for (const key of Object.keys(entries)) {
    present.add(key);
    // Every directory above a key is there, listed or not.
    for (let end = key.indexOf('/', 1); end !== -1 && end < key.length - 1; end = key.indexOf('/', end + 1))
      present.add(key.slice(0, end + 1));
  }
  for (const [dir, entry] of Object.entries(entries)) {
    // `/` lists API versions, not children; only 200 listings name anything.
    if (dir === '/' || !dir.endsWith('/') || entry.status !== 200 || entry.body === undefined) continue;
    for (const child of listChildren(dir, entry.body).children) {
      if (child.kind === 'probe-dir') continue;
      const bare = child.key.endsWith('/') ? child.key.slice(0, -1) : child.key;
      if (!present.has(bare) && !present.has(`${bare}/`)) return true;
    }
  }
  return false;
}
