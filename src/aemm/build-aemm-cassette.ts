import { decodeBase64, encodeBase64 } from '../core/base64.js';
import { CASSETTE_FORMAT, type Cassette, type Entry } from '../core/cassette.js';
import { UsageError } from '../core/errors.js';
import { formatGoJson, type GoJsonValue } from '../core/profiles/format-go-json.js';
import { getAemmValue, isAemmTree, type AemmNode, type AemmTree } from './aemm-tree.js';

/** A Go struct field AEMM decodes a JSON value into: mapstructure finds it by name, any case; json writes it as `json`. */
interface GoField {
  name: string;
  json?: string;
  /** `nullable`: a Go pointer (null when unset); `strings`: a []string; else a nested struct. */
  kind?: 'nullable' | 'strings' | readonly GoField[];
}

/** Notice values AEMM's config fixes (`spot.time`, `spot.rebalance-rec-time`); the aemm profile prefers them to the request time. */
export interface AemmNoticeLiterals {
  action: string;
  spotTime?: string;
  rebalanceRecTime?: string;
}

const fields = (...names: string[]): GoField[] => names.map((name) => ({ name }));
const IAM_INFO = fields('Code', 'LastUpdated', 'InstanceProfileArn', 'InstanceProfileId');
const CREDENTIALS = fields('Code', 'LastUpdated', 'Type', 'AccessKeyId', 'SecretAccessKey', 'Token', 'Expiration');
// The accelerator's config keys are its JSON names, and AEMM fills the document from them.
const ACCELERATOR: readonly GoField[] = [
  {
    name: 'version_2018_04_12',
    kind: [{ name: 'elastic-inference-accelerator-id' }, { name: 'elastic-inference-accelerator-type' }],
  },
];
const nullable = (name: string): GoField => ({ name, kind: 'nullable' });
const IDENTITY_DOCUMENT: readonly GoField[] = [
  { name: 'accountId' },
  { name: 'imageId' },
  { name: 'availabilityZone' },
  nullable('ramdiskId'),
  nullable('kernelId'),
  nullable('devpayProductCodes'),
  { name: 'marketplaceProductCodes', kind: 'strings' },
  { name: 'version' },
  { name: 'privateIp' },
  nullable('billingProducts'),
  { name: 'instanceId' },
  { name: 'pendingTime' },
  { name: 'architecture' },
  { name: 'instanceType' },
  { name: 'region' },
];

/** Keys present in both AEMM's Paths and Values structs: the static metadata it serves (order of its struct). */
const STATIC_KEYS = [
  'ami-id',
  'ami-launch-index',
  'ami-manifest-path',
  'block-device-mapping-ami',
  'block-device-mapping-ebs',
  'block-device-mapping-ephemeral',
  'block-device-mapping-root',
  'block-device-mapping-swap',
  'elastic-inference-accelerator',
  'elastic-inference-associations',
  'hostname',
  'iam-info',
  'iam-security-credentials-role',
  'iam-security-credentials',
  'instance-action',
  'instance-id',
  'instance-life-cycle',
  'instance-type',
  'kernel-id',
  'local-hostname',
  'local-ipv4',
  'mac',
  'mac-device-number',
  'mac-network-interface-id',
  'mac-network-interface-card-index',
  'mac-ipv4-associations',
  'mac-ipv6-associations',
  'mac-local-hostname',
  'mac-local-ipv4s',
  'mac-mac',
  'mac-owner-id',
  'mac-public-hostname',
  'mac-public-ipv4s',
  'mac-security-groups',
  'mac-security-group-ids',
  'mac-subnet-id',
  'mac-subnet-ipv4-cidr-block',
  'mac-subnet-ipv6-cidr-blocks',
  'mac-vpc-id',
  'mac-vpc-ipv4-cidr-block',
  'mac-vpc-ipv4-cidr-blocks',
  'mac-vpc-ipv6-cidr-blocks',
  'placement-availability-zone',
  'placement-availability-zone-id',
  'placement-group-name',
  'placement-host-id',
  'placement-partition-number',
  'placement-region',
  'product-codes',
  'public-hostname',
  'public-ipv4',
  'public-key',
  'ramdisk-id',
  'reservation-id',
  'security-groups',
  'services-domain',
  'services-partition',
  'tags-instance-name',
  'tags-instance-test',
];
const STRUCTS: Readonly<Record<string, readonly GoField[]>> = {
  'iam-info': IAM_INFO,
  'iam-security-credentials': CREDENTIALS,
  'elastic-inference-accelerator': ACCELERATOR,
};
const DYNAMIC_KEYS = ['instance-identity-document', 'instance-identity-pkcs', 'instance-identity-signature', 'fws-instance-monitoring'];
/** The one path AEMM answers with compact JSON as text/plain; it matches the literal, so a moved path gets indented JSON. */
const JSON_TEXT_PATH = '/latest/meta-data/elastic-inference/associations/eia-bfa21c7904f64a82a21b9f4540169ce1';
const SPOT_ACTION = '/latest/meta-data/spot/instance-action';
const TIME_FIXED = '2020-04-02T18:50:40Z';

function toText(node: AemmNode | undefined, where: string): string {
  if (isAemmTree(node)) throw new UsageError(`Config value ${where} must be text, not an object. Fix it in the config file.`);
  if (Array.isArray(node)) throw new UsageError(`Config value ${where} must be text, not a list. Fix it in the config file.`);
  if (node === undefined || node === null) return '';
  if (typeof node === 'boolean') return node ? '1' : '0';
  return String(node);
}

/** Stands for a list inside an indented document until it is laid out compactly (a NUL cannot come from a config value unescaped). */
const COMPACT_LIST = '\u0000aemm-compact-list:';

/** A []string field as mapstructure fills it (one value becomes a list of one); held as a marker that `jsonEntry` lays out on one line, as AEMM serves it. */
function toStrings(node: AemmNode | undefined, where: string): string | null {
  if (node === undefined || node === null) return null;
  const items = Array.isArray(node) ? node : [node];
  return `${COMPACT_LIST}${formatGoJson(
    items.map((item, i) => toText(item, `${where}[${i}]`)),
    { indent: '' },
  )}`;
}

function decodeStruct(node: AemmNode | undefined, spec: readonly GoField[], where: string): GoJsonValue {
  if (node !== undefined && node !== null && !isAemmTree(node)) {
    throw new UsageError(`Config value ${where} must be an object like AEMM's default. Fix it in the config file.`);
  }
  const source: AemmTree = node ?? {};
  const value: Record<string, GoJsonValue> = {};
  for (const field of spec) {
    const child = source[field.name.toLowerCase()];
    const key = field.json ?? field.name;
    if (field.kind === 'strings') value[key] = toStrings(child, `${where}.${field.name}`);
    else if (field.kind === 'nullable') value[key] = child === undefined || child === null ? null : toText(child, `${where}.${field.name}`);
    else if (field.kind) value[key] = decodeStruct(child, field.kind, `${where}.${field.name}`);
    else value[key] = toText(child, `${where}.${field.name}`);
  }
  return value;
}

function text(body: string): Entry {
  return { status: 200, headers: { 'content-type': 'text/plain' }, body };
}

function jsonEntry(value: GoJsonValue): Entry {
  const body = formatGoJson(value, { indent: '\t' }).replace(
    /"\\u0000aemm-compact-list:((?:[^"\\]|\\.)*)"/g,
    (_marker, list: string) => JSON.parse(`"${list}"`) as string,
  );
  return { status: 200, headers: { 'content-type': 'application/json' }, body };
}

function pathOf(tree: AemmTree, key: string): string | undefined {
  const path = toText(getAemmValue(tree, key), key);
  if (path === '') return undefined;
  if (!path.startsWith('/') || /\/\/|[?#]/.test(path) || (path.endsWith('/') && path !== '/')) {
    throw new UsageError(`Config value ${key} "${path}" is not a path AEMM can serve. Use an absolute path like /latest/meta-data/ami-id.`);
  }
  return path;
}

/**
 * A listing entry for every directory, as the `imds` profile would list it, so the cassette also
 * replays as a recording; the aemm profile lists from the leaves and ignores these.
 */
function addListings(entries: Record<string, Entry>): void {
  const children = new Map<string, Set<string>>();
  for (const key of Object.keys(entries)) {
    let child = key;
    for (let at = child.lastIndexOf('/', child.length - 2); at > 0; at = child.lastIndexOf('/', child.length - 2)) {
      const dir = child.slice(0, at + 1);
      const name = child.slice(at + 1);
      // A version root lists its directories without the slash (docs/imds-behaviour.md §1).
      const listed = dir.indexOf('/', 1) === dir.length - 1 ? name.replace(/\/$/, '') : name;
      if (!children.has(dir)) children.set(dir, new Set());
      children.get(dir)!.add(listed);
      child = dir;
    }
  }
  for (const [dir, names] of children) entries[dir] = text([...names].sort().join('\n'));
}

/** AEMM's user-data: the value is base64 (Go's StdEncoding, line breaks ignored); anything else serves empty. */
function userDataEntry(value: string): Entry {
  const clean = value.replace(/[\r\n]/g, '');
  const bytes = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(clean) ? decodeBase64(clean) : undefined;
  const headers = { 'content-type': 'application/octet-stream' };
  return bytes && bytes.length > 0 ? { status: 200, headers, bodyBase64: encodeBase64(bytes) } : { status: 200, headers, body: '' };
}

/**
 * The cassette of AEMM's static metadata for a resolved config: `metadata`, `dynamic` and
 * `userdata` paths with AEMM's bytes (tab-indented application/json documents, compact JSON for
 * the accelerator, base64-decoded user-data). Notices are not in it — the mock layers add them —
 * except the times AEMM's config fixes (`literals`), which the aemm profile serves as given.
 */
export function buildAemmCassette(tree: AemmTree, literals?: AemmNoticeLiterals): Cassette {
  const entries: Record<string, Entry> = {};
  const add = (path: string | undefined, entry: Entry): void => {
    // Go's router keeps the first handler registered for a path.
    if (path !== undefined && entries[path] === undefined) entries[path] = entry;
  };
  for (const key of STATIC_KEYS) {
    const path = pathOf(tree, `metadata.paths.${key}`);
    const where = `metadata.values.${key}`;
    const value = getAemmValue(tree, where);
    const spec = STRUCTS[key];
    if (!spec) add(path, text(toText(value, where)));
    else if (path === JSON_TEXT_PATH) add(path, text(formatGoJson(decodeStruct(value, spec, where), { indent: '' })));
    else add(path, jsonEntry(decodeStruct(value, spec, where)));
  }
  for (const key of DYNAMIC_KEYS) {
    const where = `dynamic.values.${key}`;
    const value = getAemmValue(tree, where);
    const path = pathOf(tree, `dynamic.paths.${key}`);
    add(path, key === 'instance-identity-document' ? jsonEntry(decodeStruct(value, IDENTITY_DOCUMENT, where)) : text(toText(value, where)));
  }
  add(
    pathOf(tree, 'userdata.paths.userdata'),
    userDataEntry(toText(getAemmValue(tree, 'userdata.values.userdata'), 'userdata.values.userdata')),
  );
  if (literals?.spotTime) {
    entries[SPOT_ACTION] = jsonEntry({ action: literals.action, time: literals.spotTime });
    entries['/latest/meta-data/spot/termination-time'] = text(literals.spotTime);
  }
  if (literals?.rebalanceRecTime)
    entries['/latest/meta-data/events/recommendations/rebalance'] = jsonEntry({ noticeTime: literals.rebalanceRecTime });
  addListings(entries);
  const value = (key: string): string => toText(getAemmValue(tree, `metadata.values.${key}`), key);
  return {
    format: CASSETTE_FORMAT,
    meta: {
      recordedAt: TIME_FIXED,
      source: 'synthetic',
      recorder: 'ec2-metadata-mock (AEMM v1.12 configuration)',
      instanceType: value('instance-type'),
      region: value('placement-region'),
      availabilityZone: value('placement-availability-zone'),
      redacted: [],
      synthetic: true,
    },
    entries,
  };
}
