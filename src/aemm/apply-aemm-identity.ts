import { createHash } from 'node:crypto';
import type { Cassette, Entry } from '../core/cassette.js';
import { UsageError } from '../core/errors.js';

/** The identity of the node a pod runs on, from the downward API (`AEMM_IDENTITY_*`). */
export interface AemmIdentity {
  /** The node's name: the hostname, and the seed of a stable instance id. */
  nodeName?: string;
  /** The node's private IPv4 address. */
  privateIp?: string;
}

const META = '/latest/meta-data';
const DOCUMENT = '/latest/dynamic/instance-identity/document';
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const HOSTNAME = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/i;

/** A stable, well-formed instance id for a node name: `i-` and 17 hex digits of its SHA-256. */
export function toInstanceId(nodeName: string): string {
  return `i-${createHash('sha256').update(nodeName).digest('hex').slice(0, 17)}`;
}

function withBody(entry: Entry | undefined, body: string): Entry {
  return { status: 200, headers: entry?.headers ?? { 'content-type': 'text/plain' }, body };
}

/** Replaces one string field of a JSON document in place, keeping the document's own spacing. */
function replaceField(document: string, field: string, value: string): string {
  return document.replace(new RegExp(`("${field}"\\s*:\\s*)"[^"]*"`), (_match, prefix: string) => `${prefix}${JSON.stringify(value)}`);
}

/**
 * The cassette as the node would serve it: instance id and hostnames from the node name, the
 * private IP on the primary interface, and both in the identity document. Everything else stays.
 */
export function applyAemmIdentity(cassette: Cassette, identity: AemmIdentity): Cassette {
  const { nodeName, privateIp } = identity;
  if (nodeName === undefined && privateIp === undefined) return cassette;
  if (nodeName !== undefined && !HOSTNAME.test(nodeName)) {
    throw new UsageError(
      `AEMM_IDENTITY_NODE_NAME "${nodeName}" is not a host name. Set it from the downward API (spec.nodeName) or unset it.`,
    );
  }
  if (privateIp !== undefined && !IPV4.test(privateIp)) {
    throw new UsageError(
      `AEMM_IDENTITY_PRIVATE_IP "${privateIp}" is not an IPv4 address. Set it from the downward API (status.hostIP) or unset it.`,
    );
  }
  const entries = { ...cassette.entries };
  const set = (key: string, body: string): void => {
    if (entries[key]?.status === 200) entries[key] = withBody(entries[key], body);
  };
  const mac = entries[`${META}/mac`]?.body;
  const primary = mac === undefined ? undefined : `${META}/network/interfaces/macs/${mac}`;
  let document = entries[DOCUMENT]?.body;
  if (nodeName !== undefined) {
    const instanceId = toInstanceId(nodeName);
    set(`${META}/instance-id`, instanceId);
    set(`${META}/hostname`, nodeName);
    set(`${META}/local-hostname`, nodeName);
    if (primary) set(`${primary}/local-hostname`, nodeName);
    if (document !== undefined) document = replaceField(document, 'instanceId', instanceId);
  }
  if (privateIp !== undefined) {
    set(`${META}/local-ipv4`, privateIp);
    if (primary) set(`${primary}/local-ipv4s`, privateIp);
    if (document !== undefined) document = replaceField(document, 'privateIp', privateIp);
  }
  if (document !== undefined) set(DOCUMENT, document);
  return { ...cassette, entries };
}
