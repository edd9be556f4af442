import type { Cassette } from '../core/cassette.js';
import { UsageError } from '../core/errors.js';

/** Who the replayed instance is, as its identity document says: every event carries these. */
export interface InstanceIdentity {
  instanceId: string;
  accountId: string;
  region: string;
  availabilityZone: string;
  /** ARN partition: `aws`, `aws-cn`, `aws-us-gov`, … */
  partition: string;
}

const DOCUMENT = '/latest/dynamic/instance-identity/document';
const META = '/latest/meta-data/';

function leaf(cassette: Cassette, path: string): string | undefined {
  const entry = cassette.entries[path];
  return entry && entry.status === 200 && typeof entry.body === 'string' && entry.body !== '' ? entry.body : undefined;
}

function readDocument(cassette: Cassette): Record<string, unknown> {
  const body = leaf(cassette, DOCUMENT);
  if (body === undefined) return {};
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The partition a region belongs to, for cassettes that did not record `services/partition`. */
function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * Reads the instance's identity from its cassette: the identity document first (what EC2 signs),
 * then the meta-data leaves, then the cassette's meta. A cassette without an instance id, account
 * or region cannot be announced as events.
 */
export function readInstanceIdentity(cassette: Cassette, source = 'the cassette'): InstanceIdentity {
  const document = readDocument(cassette);
  const instanceId = text(document.instanceId) ?? leaf(cassette, `${META}instance-id`);
  const availabilityZone =
    text(document.availabilityZone) ?? leaf(cassette, `${META}placement/availability-zone`) ?? text(cassette.meta.availabilityZone);
  const region =
    text(document.region) ??
    leaf(cassette, `${META}placement/region`) ??
    text(cassette.meta.region) ??
    availabilityZone?.replace(/[a-z]$/, '');
  const accountId = text(document.accountId);
  const missing = [instanceId ? undefined : 'instance id', accountId ? undefined : 'account id', region ? undefined : 'region'].filter(
    Boolean,
  );
  if (missing.length > 0 || !instanceId || !accountId || !region) {
    throw new UsageError(
      `Cannot send EventBridge events for ${source}: it has no ${missing.join(', ')} (${DOCUMENT} is missing or incomplete). Replay a cassette with an identity document.`,
    );
  }
  return {
    instanceId,
    accountId,
    region,
    availabilityZone: availabilityZone ?? `${region}a`,
    partition: leaf(cassette, `${META}services/partition`) ?? partitionOf(region),
  };
}
