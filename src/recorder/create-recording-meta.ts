import { readFileSync } from 'node:fs';
import type { CassetteMeta, Entry } from '../core/cassette.js';

let recorderName: string | undefined;

/** `aemm <version>` from package.json (the same relative path from src/ and from dist/). */
function recorder(): string {
  if (!recorderName) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    recorderName = `aemm ${pkg.version ?? 'unknown'}`;
  }
  return recorderName;
}

function leaf(entries: Readonly<Record<string, Entry>>, key: string): string | undefined {
  const entry = entries[key];
  const value = entry && entry.status === 200 ? entry.body?.trim() : undefined;
  return value === '' ? undefined : value;
}

function identityDocument(entries: Readonly<Record<string, Entry>>): Record<string, unknown> {
  const text = leaf(entries, '/latest/dynamic/instance-identity/document');
  if (!text) return {};
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** What describes a recording besides its entries. */
export interface RecordingFacts {
  /** The upstream origin. */
  source: string;
  entries: Readonly<Record<string, Entry>>;
  redacted: readonly string[];
  recordedAt?: Date;
  /** Extra meta fields (e.g. `incomplete`). */
  extra?: Record<string, unknown>;
}

/**
 * The meta of a recorded cassette: when, from where, by which aemm, and the instance type,
 * region and AZ read from the recorded leaves (or the identity document when the leaves were not
 * recorded, as in a proxy recording).
 */
export function createRecordingMeta(facts: RecordingFacts): CassetteMeta {
  const { entries } = facts;
  const document = identityDocument(entries);
  const fromDocument = (name: string): string | undefined => (typeof document[name] === 'string' ? (document[name] as string) : undefined);
  const instanceType = leaf(entries, '/latest/meta-data/instance-type') ?? fromDocument('instanceType');
  const region = leaf(entries, '/latest/meta-data/placement/region') ?? fromDocument('region');
  const availabilityZone = leaf(entries, '/latest/meta-data/placement/availability-zone') ?? fromDocument('availabilityZone');
  const meta: CassetteMeta = {
    recordedAt: (facts.recordedAt ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    source: facts.source,
    recorder: recorder(),
    ...(instanceType ? { instanceType } : {}),
    ...(region ? { region } : {}),
    ...(availabilityZone ? { availabilityZone } : {}),
    redacted: [...facts.redacted],
    synthetic: false,
    ...facts.extra,
  };
  return meta;
}
