import { describeIncomplete } from './describe-incomplete.js';
import type { CassetteInspection, InspectNode } from './inspect-cassette.js';
import type { Painter } from './painter.js';

/** How much of the tree to show. */
export interface InspectionFormatOptions {
  /** Deepest level shown (`/` is 0, `latest/` 1, `meta-data/` 2); deeper directories are summed into their parent. */
  depth?: number;
}

const MAX_NAME_COLUMN = 56;

function formatBytes(bytes: number): string {
  return `${String(bytes).replace(/\B(?=(\d{3})+(?!\d))/g, ',')} B`;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

function collectRows(node: InspectNode, depth: number, maxDepth: number, rows: Array<[InspectNode, number]>): void {
  rows.push([node, depth]);
  if (depth >= maxDepth) return;
  for (const child of node.children ?? []) collectRows(child, depth + 1, maxDepth, rows);
}

function describeNode(node: InspectNode, paint: Painter): string {
  const notes: string[] = [];
  if (node.kind === 'directory') notes.push(plural(node.entries, 'entry', 'entries'));
  if (node.status !== undefined && node.status !== 200) notes.push(paint.changed(`status ${node.status}`));
  if (node.binary) notes.push('binary');
  if (node.kind === 'directory' && !node.recorded) notes.push('no listing');
  return notes.length === 0 ? '' : `  ${paint.dim(notes.join(', '))}`;
}

/** The human form of an inspection: meta, totals, then the tree with bytes per entry and per directory. */
export function formatInspection(
  inspection: CassetteInspection,
  label: string,
  paint: Painter,
  options: InspectionFormatOptions = {},
): string {
  const { meta, instance, totals } = inspection;
  const row = (name: string, value: string): string => `  ${paint.dim(name.padEnd(13))}${value}`;
  const type = meta.instanceType ?? instance.instanceType ?? '(unknown)';
  const region = [meta.region ?? instance.region, meta.availabilityZone ?? instance.availabilityZone].filter(Boolean).join(', ');
  const lines = [
    `${paint.bold(label)}${meta.synthetic ? paint.dim('  (synthetic)') : ''}`,
    row('instance', instance.architecture ? `${type} (${instance.architecture})` : type),
    row('region', region === '' ? '(unknown)' : region),
    row('recorded at', meta.recordedAt),
    row('source', `${meta.source} ${paint.dim(`by ${meta.recorder}`)}`),
    row('synthetic', meta.synthetic ? 'yes' : 'no'),
    row('redactions', meta.redacted.length === 0 ? 'none' : `${meta.redacted.length}: ${meta.redacted.join(', ')}`),
    row(
      'entries',
      `${totals.entries} (${plural(totals.listings, 'listing', 'listings')}, ${plural(totals.leaves, 'leaf', 'leaves')}), ${formatBytes(totals.bytes)}`,
    ),
  ];
  const incomplete = describeIncomplete(meta);
  lines.push(row('complete', incomplete === undefined ? 'yes' : paint.changed(`no: ${incomplete}`)), '');
  const rows: Array<[InspectNode, number]> = [];
  collectRows(inspection.tree, 0, options.depth ?? Number.POSITIVE_INFINITY, rows);
  const width = Math.min(MAX_NAME_COLUMN, Math.max(...rows.map(([node, depth]) => depth * 2 + node.name.length)));
  const sizeWidth = Math.max(...rows.map(([node]) => formatBytes(node.totalSize).length));
  for (const [node, depth] of rows) {
    const name = '  '.repeat(depth) + node.name;
    const styled = node.kind === 'directory' ? paint.bold(name) : name;
    const pad = ' '.repeat(Math.max(1, width - name.length + 2));
    lines.push(`${styled}${pad}${formatBytes(node.totalSize).padStart(sizeWidth)}${describeNode(node, paint)}`);
  }
  return lines.join('\n');
}
