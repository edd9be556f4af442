import type { CassetteDiff } from './diff-cassettes.js';

/** The one-line summary of a diff: `2 added, 0 removed, 3 changed in 4 categories`, or `no differences`. */
export function formatDiffStat(diff: CassetteDiff): string {
  if (diff.equal) return 'no differences';
  const { added, removed, changed, categories } = diff.totals;
  return `${added} added, ${removed} removed, ${changed} changed in ${categories} ${categories === 1 ? 'category' : 'categories'}`;
}
