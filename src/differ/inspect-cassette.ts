import { decodeBase64 } from '../core/base64.js';
import type { Cassette, CassetteMeta, Entry } from '../core/cassette.js';

/** The format tag of an inspection result; bumped only when the JSON schema changes incompatibly. */
export const INSPECT_FORMAT = 'aemm-inspect/1';

/** One node of the cassette tree: an entry, or a directory implied by the entries under it. */
export interface InspectNode {
  /** `latest/`, `ami-id`; `/` for the root. */
  name: string;
  /** The cassette key (directories end in `/`). */
  path: string;
  kind: 'directory' | 'leaf';
  /** Whether the cassette has an entry at this path (directories may only be implied by their children). */
  recorded: boolean;
  /** Body bytes of this entry; 0 when not recorded. */
  size: number;
  /** Body bytes of this entry and everything under it. */
  totalSize: number;
  /** Entries at and under this path. */
  entries: number;
  /** Recorded status; absent when not recorded. */
  status?: number;
  /** True when the body is stored as base64 (bytes that are not UTF-8). */
  binary?: boolean;
  /** Children in code-point order of their names; absent on leaves. */
  children?: InspectNode[];
}

/** What `aemm inspect` reports about a cassette. */
export interface CassetteInspection {
  format: typeof INSPECT_FORMAT;
  meta: CassetteMeta;
  /** Facts read from the identity document, when the cassette has one that parses. */
  instance: {
    instanceId?: string;
    instanceType?: string;
    architecture?: string;
    imageId?: string;
    region?: string;
    availabilityZone?: string;
  };
  totals: { entries: number; listings: number; leaves: number; bytes: number; binary: number; errors: number };
  tree: InspectNode;
}

const IDENTITY_DOCUMENT = '/latest/dynamic/instance-identity/document';
const INSTANCE_FIELDS = ['instanceId', 'instanceType', 'architecture', 'imageId', 'region', 'availabilityZone'] as const;

function sizeOf(entry: Entry): number {
  if (entry.bodyBase64 !== undefined) return decodeBase64(entry.bodyBase64)?.length ?? 0;
  return new TextEncoder().encode(entry.body ?? '').length;
}

function readInstance(cassette: Cassette): CassetteInspection['instance'] {
  const body = cassette.entries[IDENTITY_DOCUMENT]?.body;
  if (body === undefined) return {};
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    return {};
  }
  if (typeof document !== 'object' || document === null) return {};
  const instance: CassetteInspection['instance'] = {};
  for (const field of INSTANCE_FIELDS) {
    const value = (document as Record<string, unknown>)[field];
    if (typeof value === 'string') instance[field] = value;
  }
  return instance;
}

function createNode(path: string, kind: InspectNode['kind']): InspectNode {
  const name = path === '/' ? '/' : path.slice(path.lastIndexOf('/', path.length - 2) + 1);
  return { name, path, kind, recorded: false, size: 0, totalSize: 0, entries: 0, ...(kind === 'directory' ? { children: [] } : {}) };
}

function finish(node: InspectNode): void {
  if (!node.children) return;
  node.children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const child of node.children) {
    finish(child);
    node.totalSize += child.totalSize;
    node.entries += child.entries;
  }
}

/** The tree of a cassette with sizes per entry and totals per directory, plus its meta and identity facts. Pure. */
export function inspectCassette(cassette: Cassette): CassetteInspection {
  const nodes = new Map<string, InspectNode>([['/', createNode('/', 'directory')]]);
  const totals = { entries: 0, listings: 0, leaves: 0, bytes: 0, binary: 0, errors: 0 };
  const nodeAt = (path: string, kind: InspectNode['kind']): InspectNode => {
    let node = nodes.get(path);
    if (node) return node;
    node = createNode(path, kind);
    nodes.set(path, node);
    const trimmed = path.slice(0, -1);
    nodeAt(trimmed.slice(0, trimmed.lastIndexOf('/') + 1), 'directory').children!.push(node);
    return node;
  };
  for (const [key, entry] of Object.entries(cassette.entries)) {
    const node = nodeAt(key, key.endsWith('/') ? 'directory' : 'leaf');
    const size = sizeOf(entry);
    Object.assign(node, { recorded: true, size, totalSize: size, entries: 1, status: entry.status });
    if (entry.bodyBase64 !== undefined) node.binary = true;
    totals.entries++;
    totals.bytes += size;
    if (node.kind === 'directory') totals.listings++;
    else totals.leaves++;
    if (node.binary) totals.binary++;
    if (entry.status >= 400) totals.errors++;
  }
  const tree = nodes.get('/')!;
  finish(tree);
  return { format: INSPECT_FORMAT, meta: { ...cassette.meta }, instance: readInstance(cassette), totals, tree };
}
