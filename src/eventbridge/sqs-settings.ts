import { UsageError } from '../core/errors.js';
import { isLoopback } from '../core/is-loopback.js';
import { SQS_SETTING_KEYS } from '../core/scenarios/scenario.js';
import type { LifecycleHook } from './list-occurrences.js';

/** Where and how to deliver events: the `sqs` section of a layer file, the `--sqs-*` flags, or `startServer({ eventBridge })`. */
export interface SqsSettingsInput {
  queueUrl?: unknown;
  endpoint?: unknown;
  region?: unknown;
  allowRemote?: unknown;
  autoScalingGroupName?: unknown;
  lifecycleHookName?: unknown;
  notificationMetadata?: unknown;
}

/** Checked SQS delivery settings. */
export interface SqsSettings {
  queueUrl: string;
  /** The SQS endpoint requests go to: `endpoint` when given, else the queue URL's origin. */
  endpoint: string;
  /** SigV4 signing region of the SQS requests (not the events' region, which is the instance's). */
  region?: string;
  allowRemote: boolean;
  /** The scale-in's Auto Scaling group and hook; unset names come from the cassette or the defaults. */
  hook: Partial<LifecycleHook>;
}

const KEYS: readonly string[] = SQS_SETTING_KEYS;

function parseHttpUrl(value: unknown, what: string, example: string): URL {
  if (typeof value !== 'string' || value === '') throw new UsageError(`${what} is missing. Give one like ${example}.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${what} "${value}" is not a URL. Give one like ${example}.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`${what} "${value}" is not an http(s) URL. Give one like ${example}.`);
  if (url.username || url.password)
    throw new UsageError(
      `${what} "${value}" carries credentials. Leave them out; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead.`,
    );
  return url;
}

/** The region in an AWS queue URL (`https://sqs.eu-west-1.amazonaws.com/…`, or the legacy `eu-west-1.queue.amazonaws.com`). */
function regionOfQueueUrl(url: URL): string | undefined {
  return (
    /^sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(url.hostname)?.[1] ??
    /^([a-z0-9-]+)\.queue\.amazonaws\.com(\.cn)?$/.exec(url.hostname)?.[1]
  );
}

function optionalName(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined;
  // Auto Scaling names are 1 to 255 characters without ":" or control characters (the API's pattern).
  if (typeof value !== 'string' || !/^[^\p{Cc}:]{1,255}$/u.test(value))
    throw new UsageError(`${what} ${JSON.stringify(value)} is not an Auto Scaling name. Use 1 to 255 characters without ":".`);
  return value;
}

/**
 * Checks SQS settings. Nothing here needs real AWS: the endpoint must be on loopback (moto,
 * ElasticMQ, LocalStack) unless `allowRemote` says otherwise, and a real AWS queue URL without an
 * endpoint is remote. `isKnownRegion` tells real regions from typos.
 */
export function parseSqsSettings(
  input: SqsSettingsInput,
  isKnownRegion: (region: string) => boolean,
  label: string | ((key: string) => string) = 'sqs',
): SqsSettings {
  const what = typeof label === 'string' ? label : 'sqs';
  const name = (key: string): string => (typeof label === 'string' ? `${label}.${key}` : label(key));
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new UsageError(
      `${what} must be an object like {"queueUrl": "http://127.0.0.1:9324/000000000000/events", "region": "us-east-1"}.`,
    );
  for (const key of Object.keys(input)) {
    if (!KEYS.includes(key)) throw new UsageError(`${what} has unknown setting "${key}". Known settings: ${KEYS.join(', ')}.`);
  }
  const queue = parseHttpUrl(input.queueUrl, name('queueUrl'), 'http://127.0.0.1:9324/000000000000/aemm-events');
  if (queue.pathname.split('/').filter(Boolean).length === 0) {
    throw new UsageError(
      `${name('queueUrl')} "${String(input.queueUrl)}" names no queue. Give the queue's full URL, e.g. http://127.0.0.1:9324/000000000000/aemm-events.`,
    );
  }
  const endpoint =
    input.endpoint === undefined ? new URL(queue.origin) : parseHttpUrl(input.endpoint, name('endpoint'), 'http://127.0.0.1:9324');
  if (input.allowRemote !== undefined && typeof input.allowRemote !== 'boolean')
    throw new UsageError(`${name('allowRemote')} must be true or false.`);
  const allowRemote = input.allowRemote === true;
  const host = endpoint.hostname.replace(/^\[|\]$/g, '');
  if (!allowRemote && !isLoopback(host)) {
    const via = input.endpoint === undefined ? `the queue URL's host ${endpoint.host} (no endpoint was given)` : `${endpoint.host}`;
    throw new UsageError(
      `Refusing to send events to ${via}: aemm never needs real AWS. Point the endpoint at a local SQS such as moto (--sqs-endpoint http://127.0.0.1:5000), or add --sqs-allow-remote (allowRemote) if you mean it.`,
    );
  }
  let region: string | undefined;
  if (input.region !== undefined) {
    if (typeof input.region !== 'string' || !isKnownRegion(input.region))
      throw new UsageError(`${name('region')} ${JSON.stringify(input.region)} is not an AWS region. Use one like us-east-1 or eu-west-1.`);
    region = input.region;
  } else {
    region = regionOfQueueUrl(queue);
    if (region !== undefined && !isKnownRegion(region))
      throw new UsageError(`${name('queueUrl')} names region "${region}", which is not an AWS region. Fix the URL or give a region.`);
  }
  const groupName = optionalName(input.autoScalingGroupName, name('autoScalingGroupName'));
  const hookName = optionalName(input.lifecycleHookName, name('lifecycleHookName'));
  if (
    input.notificationMetadata !== undefined &&
    (typeof input.notificationMetadata !== 'string' || input.notificationMetadata.length > 1023)
  ) {
    throw new UsageError(`${name('notificationMetadata')} must be text of at most 1023 characters.`);
  }
  return {
    queueUrl: queue.href,
    endpoint: endpoint.origin,
    ...(region === undefined ? {} : { region }),
    allowRemote,
    hook: {
      ...(groupName === undefined ? {} : { groupName }),
      ...(hookName === undefined ? {} : { hookName }),
      ...(input.notificationMetadata === undefined ? {} : { notificationMetadata: input.notificationMetadata as string }),
    },
  };
}
