import type { CassetteMeta } from '../core/cassette.js';

const SHOWN_PATHS = 3;

/**
 * A short note when a cassette says it is incomplete (`meta.incomplete`: `true`, or the paths that
 * could not be recorded); undefined for a whole one. Replaying such a file silently would hide gaps.
 */
export function describeIncomplete(meta: CassetteMeta): string | undefined {
  const { incomplete } = meta;
  if (incomplete === true) return 'the recording stopped before it was whole (meta.incomplete)';
  if (!Array.isArray(incomplete) || incomplete.length === 0) return undefined;
  const paths = incomplete.filter((path): path is string => typeof path === 'string');
  const shown = paths.slice(0, SHOWN_PATHS).join(', ');
  const more = paths.length > SHOWN_PATHS ? `, and ${paths.length - SHOWN_PATHS} more` : '';
  return `${paths.length} path${paths.length === 1 ? '' : 's'} could not be recorded (meta.incomplete): ${shown}${more}`;
}
