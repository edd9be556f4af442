// A self-reference through package.json "exports" keeps recordings/ outside tsc's rootDir and lets
// Node, tsx and bundlers (esbuild, Vite, webpack) all load the same JSON file.
import recording from 'ec2-imds-replay/recordings/default.json' with { type: 'json' };
import type { Cassette } from '../core/cassette.js';
import { validateCassette } from '../core/validate-cassette.js';

function freezeDeep<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) freezeDeep(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * The embedded default recording (a synthetic m5.large in us-east-1), as an object that works in
 * Node and in the browser. Frozen: every handler set in a process shares it, so change it with a
 * layer or a `structuredClone`, never in place.
 */
export const defaultCassette: Cassette = freezeDeep(validateCassette(recording, 'ec2-imds-replay/recordings/default.json'));
