import type { Change, ChangeDetail, JsonValue } from './change.js';
import type { CassetteDiff } from './diff-cassettes.js';
import { formatDiffStat } from './format-diff-stat.js';
import type { Painter } from './painter.js';

/** How one side of a diff is named in the header. */
export interface DiffSide {
  /** File path or URL. */
  label: string;
  instanceType?: string;
  region?: string;
}

const MAX_VALUE = 60;
const INDENT = '  ';

function showText(value: string): string {
  if (value !== '' && value.length <= MAX_VALUE && value.trim() === value && /^[\x20-\x7e]*$/.test(value)) return value;
  const quoted = JSON.stringify(value);
  return quoted.length <= MAX_VALUE + 2 ? quoted : `${quoted.slice(0, MAX_VALUE)}…"`;
}

/** A value only one side has: multi-line JSON documents are summarised, everything else shown as text. */
function showEntryValue(value: string): string {
  if (value.includes('\n') && /^\s*[[{]/.test(value)) {
    try {
      const document = JSON.parse(value) as unknown;
      if (Array.isArray(document)) return `(JSON, ${document.length} items)`;
      if (document !== null && typeof document === 'object') return `(JSON, ${Object.keys(document).length} keys)`;
    } catch {
      // Not JSON after all: shown as text below.
    }
  }
  return showText(value);
}

function showJson(value: JsonValue | undefined): string {
  const text = JSON.stringify(value ?? null);
  return text.length <= MAX_VALUE ? text : `${text.slice(0, MAX_VALUE - 1)}…`;
}

function showBytes(summary: { size: number; sha256: string } | null): string {
  return summary === null ? '(none)' : `${summary.size} bytes (sha256 ${summary.sha256.slice(0, 12)})`;
}

function marker(kind: 'added' | 'removed' | 'changed', paint: Painter): string {
  if (kind === 'added') return paint.added('+');
  if (kind === 'removed') return paint.removed('-');
  return paint.changed('~');
}

function formatDetail(detail: ChangeDetail, paint: Painter): string {
  switch (detail.type) {
    case 'status':
      return `status ${detail.before ?? '(none)'} → ${detail.after ?? '(none)'}`;
    case 'header':
      return `header ${detail.name}: ${detail.before === null ? '(none)' : showText(detail.before)} → ${detail.after === null ? '(none)' : showText(detail.after)}`;
    case 'line':
      return detail.op === 'added' ? paint.added(`+ ${showText(detail.line)}`) : paint.removed(`- ${showText(detail.line)}`);
    case 'key':
      if (detail.op === 'added') return paint.added(`+ ${detail.key}: ${showJson(detail.after)}`);
      if (detail.op === 'removed') return paint.removed(`- ${detail.key}: ${showJson(detail.before)}`);
      return `${paint.changed('~')} ${detail.key}: ${showJson(detail.before)} → ${showJson(detail.after)}`;
    case 'value':
      return `${detail.before === null ? '(none)' : showText(detail.before)} → ${detail.after === null ? '(none)' : showText(detail.after)}`;
    case 'bytes':
      return `${showBytes(detail.before)} → ${showBytes(detail.after)}`;
    case 'layout':
      return paint.dim(`layout: ${detail.note}`);
  }
}

/** The path as shown under its category heading: without `/latest/`, and without the `meta-data/` or `dynamic/` it sits in. */
function displayPath(change: Change): string {
  if (change.category === 'versions') return change.path;
  const path = change.path.startsWith('/latest/') ? change.path.slice('/latest/'.length) : change.path.slice(1);
  for (const root of ['meta-data/', 'dynamic/']) {
    if (path.startsWith(root) && path !== root && change.category !== 'meta-data') return path.slice(root.length);
  }
  return path;
}

function ancestorsOf(path: string): string[] {
  const ancestors: string[] = [];
  for (let at = path.indexOf('/'); at !== -1 && at < path.length - 1; at = path.indexOf('/', at + 1)) {
    if (at > 0) ancestors.push(path.slice(0, at + 1));
  }
  return ancestors;
}

function nameOf(path: string): string {
  // The version list lives at `/`, which has no last segment to show.
  return path === '/' ? '/' : path.slice(path.lastIndexOf('/', path.length - 2) + 1);
}

/** The inline summary of an added or removed entry: its value, or how many entries a directory holds. */
function summaryOf(change: Change, folded: number, paint: Painter): string {
  if (change.path.endsWith('/')) return folded > 0 ? paint.dim(`  (${folded + 1} entries)`) : '';
  const [detail] = change.details;
  if (detail?.type === 'value') return `  ${paint.dim(showEntryValue(detail.after ?? detail.before ?? ''))}`;
  if (detail?.type === 'bytes') return `  ${paint.dim(showBytes(detail.after ?? detail.before))}`;
  return '';
}

function formatCategory(changes: readonly Change[], paint: Painter): string[] {
  const lines: string[] = [];
  const printed: string[] = [];
  for (let index = 0; index < changes.length; index++) {
    const change = changes[index]!;
    const path = displayPath(change);
    while (printed.length > 0 && !path.startsWith(printed.at(-1)!)) printed.pop();
    for (const ancestor of ancestorsOf(path)) {
      if (printed.includes(ancestor)) continue;
      lines.push(INDENT.repeat(printed.length + 1) + paint.dim(nameOf(ancestor)));
      printed.push(ancestor);
    }
    const indent = INDENT.repeat(printed.length + 1);
    let folded = 0;
    // A directory only one side has is shown once, with everything under it counted, not listed.
    if (change.kind !== 'changed' && change.path.endsWith('/')) {
      while (changes[index + folded + 1]?.path.startsWith(change.path) && changes[index + folded + 1]?.kind === change.kind) folded++;
    }
    const [only] = change.details;
    if (change.kind === 'changed' && change.details.length === 1 && only?.type === 'value') {
      lines.push(`${indent}${marker('changed', paint)} ${nameOf(path)}  ${formatDetail(only, paint)}`);
    } else {
      lines.push(
        `${indent}${marker(change.kind, paint)} ${nameOf(path)}${change.kind === 'changed' ? '' : summaryOf(change, folded, paint)}`,
      );
      if (change.kind === 'changed') for (const detail of change.details) lines.push(`${indent}${INDENT}  ${formatDetail(detail, paint)}`);
    }
    if (path.endsWith('/') && folded === 0) printed.push(path);
    index += folded;
  }
  return lines;
}

function describeSide(side: DiffSide): string {
  const about = [side.instanceType, side.region].filter(Boolean).join(', ');
  return about === '' ? side.label : `${side.label}  (${about})`;
}

/**
 * The human form of a diff: a header naming both sides, then per category (with counts) a tree of
 * the changed paths with their line, key and value details, then the one-line summary.
 */
export function formatDiff(diff: CassetteDiff, sides: { a: DiffSide; b: DiffSide }, paint: Painter): string {
  const lines = [paint.removed(`--- ${describeSide(sides.a)}`), paint.added(`+++ ${describeSide(sides.b)}`)];
  const byCategory = new Map<string, Change[]>();
  for (const change of diff.changes) {
    const list = byCategory.get(change.category) ?? [];
    list.push(change);
    byCategory.set(change.category, list);
  }
  for (const count of diff.categories) {
    const counts = (['added', 'removed', 'changed'] as const).filter((kind) => count[kind] > 0).map((kind) => `${count[kind]} ${kind}`);
    lines.push('', `${paint.bold(count.category)}  ${paint.dim(counts.join(', '))}`);
    lines.push(...formatCategory(byCategory.get(count.category) ?? [], paint));
  }
  lines.push('', paint.bold(formatDiffStat(diff)));
  if (diff.normalised) {
    lines.push(paint.dim('Ids, addresses, MACs, hostnames, times and secrets compared by kind; --raw compares them by value.'));
  }
  if (diff.ignore.length > 0) lines.push(paint.dim(`Ignored: ${diff.ignore.join(', ')}`));
  return lines.join('\n');
}
