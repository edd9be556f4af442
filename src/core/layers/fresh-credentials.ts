import type { Cassette, Entry } from '../cassette.js';
import type { Layer, Patch } from '../layer.js';
import { formatIsoSeconds } from './format-times.js';

const HOUR = 3_600_000;
/** Lifetime of instance-profile credentials on EC2: about six hours (docs/imds-behaviour.md §4). */
const LIFETIME = 6 * HOUR;
const CREDENTIAL_DIRS = [
  '/latest/meta-data/iam/security-credentials/',
  '/latest/meta-data/iam/security-credentials-extended/',
  '/latest/meta-data/identity-credentials/ec2/security-credentials/',
];

function setJsonString(body: string, key: string, value: string): string {
  // Edit the value in place so the recorded spacing (`"Key" : "value"`) stays byte-exact.
  return body.replace(new RegExp(`("${key}"\\s*:\\s*")[^"]*(")`), `$1${value}$2`);
}

function credentialKeys(cassette: Cassette): string[] {
  return Object.keys(cassette.entries).filter((key) => {
    const entry = cassette.entries[key]!;
    return (
      !key.endsWith('/') &&
      entry.status === 200 &&
      entry.body !== undefined &&
      entry.body.includes('"Expiration"') &&
      CREDENTIAL_DIRS.some((dir) => key.startsWith(dir) && key.indexOf('/', dir.length) === -1)
    );
  });
}

/**
 * Keeps recorded credentials fresh: `LastUpdated` becomes the start of the current hour and
 * `Expiration` six hours later, so no SDK ever sees expired credentials and the values stay
 * stable within the hour (SDKs cache them).
 */
export function createFreshCredentialsLayer(): Layer {
  // Per cassette (a dated prefix may see an overlay of its own): the credential keys, and the
  // patch of the current hour.
  const keys = new WeakMap<Cassette, string[]>();
  const patches = new WeakMap<Cassette, { window: number; patch: Patch }>();
  return {
    name: 'fresh-credentials',
    patch({ now, cassette }) {
      const window = Math.floor(now / HOUR) * HOUR;
      const cached = patches.get(cassette);
      if (cached && cached.window === window) return cached.patch;
      let credentials = keys.get(cassette);
      if (!credentials) keys.set(cassette, (credentials = credentialKeys(cassette)));
      const patch = new Map<string, Entry>();
      for (const key of credentials) {
        const entry = cassette.entries[key]!;
        let body = setJsonString(entry.body!, 'LastUpdated', formatIsoSeconds(window));
        body = setJsonString(body, 'Expiration', formatIsoSeconds(window + LIFETIME));
        patch.set(key, { ...entry, body });
      }
      patches.set(cassette, { window, patch });
      return patch;
    },
    stableUntil: (now) => Math.floor(now / HOUR) * HOUR + HOUR,
  };
}
