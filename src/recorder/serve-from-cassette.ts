import type { ServerResponse } from 'node:http';
import type { Entry } from '../core/cassette.js';
import { renderEntry } from '../core/render-entry.js';
import { isCredentialPath } from './is-credential-path.js';
import type { RecordTarget } from './to-record-target.js';

/** The entry replay-or-record may answer with: exactly what the file holds, never a fake the application would use. */
function findEntry(
  entries: Readonly<Record<string, Entry>>,
  target: RecordTarget,
  redacted: ReadonlySet<string>,
): { entry: Entry; slash: boolean } | undefined {
  const candidates =
    'key' in target
      ? [{ key: target.key, slash: target.key.endsWith('/') }]
      : [
          { key: `${target.leaf}/`, slash: true },
          { key: target.leaf, slash: true },
        ];
  for (const { key, slash } of candidates) {
    const entry = entries[key];
    if (entry?.status === 200 && !isCredentialPath(key) && !redacted.has(key)) return { entry, slash };
  }
  return undefined;
}

/**
 * Answers a replay-or-record request from the cassette when it holds the path (a 200 that is not
 * a credential or a redacted body), as it is in the file; `user-data/` is text/plain as on real
 * IMDS (docs/imds-behaviour.md §1). Returns the status served, or undefined when the request must be forwarded.
 */
export function serveFromCassette(
  res: ServerResponse,
  method: string,
  target: RecordTarget,
  entries: Readonly<Record<string, Entry>>,
  redacted: ReadonlySet<string>,
): number | undefined {
  const hit = findEntry(entries, target, redacted);
  if (!hit) return undefined;
  // The core renders it, so replay-or-record and replay send the same headers for the same entry.
  const response = renderEntry(hit.entry, { asDirectory: hit.slash, head: method === 'HEAD' });
  res.writeHead(response.status, response.headers);
  res.end(response.body.length > 0 ? response.body : undefined);
  return response.status;
}
