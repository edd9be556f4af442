import { CASSETTE_FORMAT } from '../core/cassette.js';
import type { Cassette, Entry } from '../core/cassette.js';
import { encodeBase64 } from '../core/base64.js';
import { IMDS_VERSIONS } from '../core/versions.js';
import { createFakeCredentials } from './create-fake-credentials.js';
import { createFakeIdentitySignatures } from './create-fake-identity-signatures.js';
import { formatImdsJson } from '../core/format-imds-json.js';
import type { ImdsJsonValue } from '../core/format-imds-json.js';
import { formatNoticeJson } from '../core/format-notice-json.js';
import type { IamRoleSpec, InstanceSpec, MaintenanceEventSpec, NetworkInterfaceSpec, SpotInterruptionSpec } from './instance-spec.js';

export type { InstanceSpec } from './instance-spec.js';

interface TreeDir {
  kind: 'dir';
  children: ReadonlyMap<string, TreeNode>;
  /** The directory's own body: its children's names, one a line. */
  listing: string;
}

interface TreeLeaf {
  kind: 'leaf';
  entry: Entry;
}

type TreeNode = TreeDir | TreeLeaf;

// Children left undefined are simply not served, which keeps optional categories terse below.
type Children = Readonly<Record<string, TreeNode | undefined>>;

const TEXT: Readonly<Record<string, string>> = { 'content-type': 'text/plain' };
const CREDENTIALS_LIFETIME_MS = 6 * 60 * 60 * 1000;

/** Generates a complete, self-consistent cassette for the instance `spec` describes; pure and deterministic. */
export function synthesizeCassette(spec: InstanceSpec): Cassette {
  const identityDocument = buildIdentityDocument(spec);
  const signatures = createFakeIdentitySignatures(identityDocument, `${spec.instanceId}|${spec.launchTime}`);
  const userData = spec.userData === undefined ? undefined : toUserDataLeaf(spec.userData);

  const latest = dir(
    {
      dynamic: dir({
        'instance-identity': dir({
          document: text(identityDocument),
          pkcs7: text(signatures.pkcs7),
          rsa2048: text(signatures.rsa2048),
          signature: text(signatures.signature),
        }),
      }),
      'meta-data': buildMetaData(spec),
      'user-data': userData,
    },
    // `latest/` names its directories without a trailing slash (docs/imds-behaviour.md §1).
    { bareNames: true },
  );

  const entries: Record<string, Entry> = { '/': textEntry(IMDS_VERSIONS.join('\n')) };
  flattenTree('/latest/', latest, entries);
  return {
    format: CASSETTE_FORMAT,
    meta: {
      recordedAt: spec.recordedAt,
      source: 'synthetic',
      recorder: 'aemm synth',
      instanceType: spec.instanceType,
      region: spec.region,
      availabilityZone: spec.availabilityZone,
      redacted: [],
      synthetic: true,
    },
    entries,
  };
}

function buildMetaData(spec: InstanceSpec): TreeDir {
  const [primary] = spec.networkInterfaces;
  const partition = toPartition(spec.region);
  const primaryIpv4 = primary.privateIpv4s[0];
  const primaryIpv6 = primary.ipv6s?.[0];
  const localHostname = toLocalHostname(spec, primaryIpv4);
  const credentialsUpdatedAt = spec.credentialsUpdatedAt ?? spec.recordedAt;
  const credentialSeed = `${spec.accountId}|${spec.instanceId}|${credentialsUpdatedAt}`;

  return dir({
    'ami-id': text(spec.amiId),
    'ami-launch-index': text(String(spec.amiLaunchIndex ?? 0)),
    'ami-manifest-path': text('(unknown)'),
    'block-device-mapping': dir(mapValues(spec.blockDeviceMapping, text)),
    events: dir({
      maintenance: dir({
        history: text(formatImdsJson((spec.events?.history ?? []).map(toEventJson))),
        scheduled: text(formatImdsJson((spec.events?.scheduled ?? []).map(toEventJson))),
      }),
      recommendations:
        spec.rebalanceNoticeTime === undefined
          ? undefined
          : dir({ rebalance: text(formatNoticeJson({ noticeTime: spec.rebalanceNoticeTime })) }),
    }),
    hostname: text(localHostname),
    iam: spec.iamRole && buildIam(spec, spec.iamRole, partition, credentialsUpdatedAt, credentialSeed),
    'identity-credentials': dir({
      ec2: dir({
        info: text(formatImdsJson({ Code: 'Success', LastUpdated: credentialsUpdatedAt, AccountId: spec.accountId })),
        'security-credentials': dir({
          'ec2-instance': text(formatCredentials(`${credentialSeed}|ec2-instance`, credentialsUpdatedAt)),
        }),
      }),
    }),
    'instance-action': text('none'),
    'instance-id': text(spec.instanceId),
    'instance-life-cycle': text(spec.lifecycle),
    'instance-type': text(spec.instanceType),
    ipv6: primaryIpv6 === undefined ? undefined : text(primaryIpv6),
    'kernel-id': optionalText(spec.kernelId),
    'local-hostname': text(localHostname),
    'local-ipv4': optionalText(primaryIpv4),
    mac: text(primary.mac),
    metrics: dir({ vhostmd: text('<?xml version="1.0" encoding="UTF-8"?>') }),
    network: dir({
      interfaces: dir({
        macs: dir(Object.fromEntries(spec.networkInterfaces.map((eni) => [eni.mac, buildInterface(spec, eni)]))),
      }),
    }),
    placement: dir({
      'availability-zone': text(spec.availabilityZone),
      'availability-zone-id': text(spec.availabilityZoneId),
      'group-name': optionalText(spec.placementGroupName),
      'host-id': optionalText(spec.hostId),
      'partition-number': optionalText(spec.partitionNumber?.toString()),
      region: text(spec.region),
    }),
    'product-codes': optionalLines(spec.productCodes),
    profile: text('default-hvm'),
    'public-hostname': primary.publicIpv4 === undefined ? undefined : text(toPublicHostname(primary.publicIpv4, spec.region)),
    'public-ipv4': optionalText(primary.publicIpv4),
    'public-keys': spec.keyPair && buildPublicKeys(spec.keyPair.name, spec.keyPair.openSshKey),
    'ramdisk-id': optionalText(spec.ramdiskId),
    'reservation-id': text(spec.reservationId),
    'security-groups': text(primary.securityGroups.map((group) => group.name).join('\n')),
    services: dir({
      domain: text(partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com'),
      partition: text(partition),
    }),
    spot: spec.spotInterruption && buildSpot(spec.spotInterruption),
    system: text(spec.system ?? 'nitro'),
    tags: spec.tags && dir({ instance: dir(mapValues(spec.tags, text)) }),
  });
}

function buildIam(spec: InstanceSpec, role: IamRoleSpec, partition: string, updatedAt: string, credentialSeed: string): TreeDir {
  const arn = role.instanceProfileArn ?? `arn:${partition}:iam::${spec.accountId}:instance-profile/${role.instanceProfileName}`;
  const info = {
    Code: 'Success',
    LastUpdated: updatedAt,
    InstanceProfileArn: arn,
    InstanceProfileId: role.instanceProfileId,
  };
  // Deliberately no `security-credentials-extended/`: SDKs that try it first fall back only on 404.
  return dir({
    info: text(formatImdsJson(info)),
    'security-credentials': dir({
      [role.roleName]: text(formatCredentials(`${credentialSeed}|iam|${role.roleName}`, updatedAt)),
    }),
  });
}

function buildSpot(interruption: SpotInterruptionSpec): TreeDir {
  return dir({
    'instance-action': text(formatNoticeJson({ action: interruption.action, time: interruption.time })),
    // The legacy leaf is documented for instances marked to be stopped or terminated (docs/imds-behaviour.md §5).
    'termination-time': interruption.action === 'hibernate' ? undefined : text(interruption.time),
  });
}

function buildPublicKeys(name: string, openSshKey: string): TreeDir {
  // The listing names keys as `<index>=<name>` while the directory itself is `<index>/` (docs/imds-behaviour.md §4).
  return dir({ '0': dir({ 'openssh-key': text(openSshKey) }) }, { listing: `0=${name}` });
}

function buildInterface(spec: InstanceSpec, eni: NetworkInterfaceSpec): TreeDir {
  const primaryIpv4 = eni.privateIpv4s[0];
  const multiCard = (spec.networkCardCount ?? 1) > 1;
  // A public IPv4 is always associated with a private one, so an IPv6-only interface has none.
  const publicIpv4 = primaryIpv4 === undefined ? undefined : eni.publicIpv4;
  return dir({
    'device-number': text(String(eni.deviceNumber)),
    'interface-id': text(eni.interfaceId),
    'ipv4-associations': publicIpv4 === undefined || primaryIpv4 === undefined ? undefined : dir({ [publicIpv4]: text(primaryIpv4) }),
    'ipv4-prefix': optionalLines(eni.ipv4Prefixes),
    'ipv6-prefix': optionalLines(eni.ipv6Prefixes),
    ipv6s: optionalLines(eni.ipv6s),
    'local-hostname': text(toLocalHostname(spec, primaryIpv4)),
    'local-ipv4s': optionalLines(eni.privateIpv4s),
    mac: text(eni.mac),
    // Real IMDS calls it `network-card` and 404s it on single-card types (docs/imds-behaviour.md §4).
    'network-card': multiCard ? text(String(eni.networkCard ?? 0)) : undefined,
    'owner-id': text(eni.ownerId ?? spec.accountId),
    'public-hostname': publicIpv4 === undefined ? undefined : text(toPublicHostname(publicIpv4, spec.region)),
    'public-ipv4s': optionalText(publicIpv4),
    'security-group-ids': text(eni.securityGroups.map((group) => group.id).join('\n')),
    'security-groups': text(eni.securityGroups.map((group) => group.name).join('\n')),
    'subnet-id': text(eni.subnetId),
    'subnet-ipv4-cidr-block': text(eni.subnetIpv4CidrBlock),
    'subnet-ipv6-cidr-blocks': optionalLines(eni.subnetIpv6CidrBlocks),
    'vpc-id': text(eni.vpcId),
    'vpc-ipv4-cidr-block': text(eni.vpcIpv4CidrBlocks[0]),
    'vpc-ipv4-cidr-blocks': text(eni.vpcIpv4CidrBlocks.join('\n')),
    'vpc-ipv6-cidr-blocks': optionalLines(eni.vpcIpv6CidrBlocks),
  });
}

function buildIdentityDocument(spec: InstanceSpec): string {
  const [primary] = spec.networkInterfaces;
  // Key order follows real captures, not the user guide's example (docs/imds-behaviour.md §4).
  return formatImdsJson({
    accountId: spec.accountId,
    architecture: spec.architecture,
    availabilityZone: spec.availabilityZone,
    billingProducts: toJsonList(spec.billingProducts),
    devpayProductCodes: null,
    marketplaceProductCodes: toJsonList(spec.productCodes),
    imageId: spec.amiId,
    instanceId: spec.instanceId,
    instanceType: spec.instanceType,
    kernelId: spec.kernelId ?? null,
    pendingTime: spec.launchTime,
    privateIp: primary.privateIpv4s[0] ?? null,
    ramdiskId: spec.ramdiskId ?? null,
    region: spec.region,
    version: '2017-09-30',
  });
}

function formatCredentials(seed: string, updatedAt: string): string {
  const secrets = createFakeCredentials(seed);
  return formatImdsJson({
    Code: 'Success',
    LastUpdated: updatedAt,
    Type: 'AWS-HMAC',
    AccessKeyId: secrets.accessKeyId,
    SecretAccessKey: secrets.secretAccessKey,
    Token: secrets.token,
    Expiration: addMilliseconds(updatedAt, CREDENTIALS_LIFETIME_MS),
  });
}

function toEventJson(event: MaintenanceEventSpec): ImdsJsonValue {
  return {
    NotBefore: event.notBefore,
    Code: event.code,
    Description: event.description,
    EventId: event.eventId,
    NotAfter: event.notAfter,
    State: event.state,
  };
}

function toUserDataLeaf(userData: string | Uint8Array): TreeLeaf {
  const headers = { 'content-type': 'application/octet-stream' };
  if (typeof userData === 'string') return { kind: 'leaf', entry: { status: 200, headers, body: userData } };
  const decoded = decodeUtf8(userData);
  const entry: Entry =
    decoded === undefined ? { status: 200, headers, bodyBase64: encodeBase64(userData) } : { status: 200, headers, body: decoded };
  return { kind: 'leaf', entry };
}

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function toLocalHostname(spec: InstanceSpec, privateIpv4: string | undefined): string {
  // us-east-1 predates the regional naming scheme and keeps `ec2.internal`.
  const domain = spec.region === 'us-east-1' ? 'ec2.internal' : `${spec.region}.compute.internal`;
  // Without an IPv4 address only resource-based names are possible.
  return privateIpv4 === undefined ? `${spec.instanceId}.${domain}` : `ip-${privateIpv4.replaceAll('.', '-')}.${domain}`;
}

function toPublicHostname(publicIpv4: string, region: string): string {
  const host = `ec2-${publicIpv4.replaceAll('.', '-')}`;
  if (region === 'us-east-1') return `${host}.compute-1.amazonaws.com`;
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `${host}.${region}.compute.${suffix}`;
}

function toPartition(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

function toJsonList(values: readonly string[] | undefined): ImdsJsonValue {
  return values === undefined || values.length === 0 ? null : values;
}

function addMilliseconds(isoTime: string, milliseconds: number): string {
  // IMDS timestamps carry no fractional seconds.
  return new Date(Date.parse(isoTime) + milliseconds).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function mapValues(record: Readonly<Record<string, string>>, toNode: (value: string) => TreeNode): Children {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, toNode(value)]));
}

function dir(children: Children, options: { listing?: string; bareNames?: boolean } = {}): TreeDir {
  const present = new Map<string, TreeNode>();
  for (const [name, node] of Object.entries(children)) if (node !== undefined) present.set(name, node);
  const names = sortedNames(present);
  const listing =
    options.listing ?? names.map(([name, node]) => (node.kind === 'dir' && options.bareNames !== true ? `${name}/` : name)).join('\n');
  return { kind: 'dir', children: present, listing };
}

function text(body: string): TreeLeaf {
  return { kind: 'leaf', entry: textEntry(body) };
}

function optionalText(body: string | undefined): TreeLeaf | undefined {
  return body === undefined ? undefined : text(body);
}

function optionalLines(values: readonly string[] | undefined): TreeLeaf | undefined {
  return values === undefined || values.length === 0 ? undefined : text(values.join('\n'));
}

function textEntry(body: string): Entry {
  return { status: 200, headers: { ...TEXT }, body };
}

function sortedNames(children: ReadonlyMap<string, TreeNode>): [string, TreeNode][] {
  // Listings are sorted by the line as printed (with the `/`), in plain code-point order.
  const printed = (name: string, node: TreeNode): string => (node.kind === 'dir' ? `${name}/` : name);
  return [...children].sort(([a, nodeA], [b, nodeB]) => comparePrinted(printed(a, nodeA), printed(b, nodeB)));
}

function comparePrinted(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function flattenTree(path: string, node: TreeDir, entries: Record<string, Entry>): void {
  entries[path] = textEntry(node.listing);
  for (const [name, child] of sortedNames(node.children)) {
    if (child.kind === 'dir') flattenTree(`${path}${name}/`, child, entries);
    else entries[`${path}${name}`] = child.entry;
  }
}
