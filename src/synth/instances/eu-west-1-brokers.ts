import type { InstanceSpec, NetworkInterfaceSpec, SecurityGroupSpec } from '../instance-spec.js';

/** The subnet-level half of an interface: everything but its own ids and addresses. */
type SubnetPlacement = Omit<NetworkInterfaceSpec, 'mac' | 'deviceNumber' | 'interfaceId' | 'privateIpv4s' | 'publicIpv4' | 'ipv6s'>;

/** The fields both brokers share, and the two subnets their interfaces sit in. */
type BrokerSetup = Pick<
  InstanceSpec,
  | 'accountId'
  | 'region'
  | 'availabilityZone'
  | 'availabilityZoneId'
  | 'placementGroupName'
  | 'lifecycle'
  | 'system'
  | 'iamRole'
  | 'tags'
  | 'blockDeviceMapping'
  | 'userData'
  | 'events'
> & { clientSubnet: SubnetPlacement; replicationSubnet: SubnetPlacement };

const ACCOUNT_ID = '444455556666';
const VPC = { id: 'vpc-0a1b2c3d4e5f60718', ipv4: '10.42.0.0/16', ipv6: '2001:db8:42::/56' };
const BROKER_GROUP: SecurityGroupSpec = { id: 'sg-0c1d2e3f4a5b6c7d8', name: 'kafka-broker' };
const REPLICATION_GROUP: SecurityGroupSpec = { id: 'sg-0d2e3f4a5b6c7d8e9', name: 'kafka-replication' };

const USER_DATA = [
  '#cloud-config',
  'package_update: true',
  'packages:',
  '  - java-21-amazon-corretto-headless',
  'runcmd:',
  '  - [ systemctl, enable, --now, kafka ]',
  '',
].join('\n');

/** What the broker pair in eu-west-1 shares; only ids, addresses and the architecture differ between them. */
export const euWest1Brokers: BrokerSetup = {
  accountId: ACCOUNT_ID,
  region: 'eu-west-1',
  availabilityZone: 'eu-west-1a',
  availabilityZoneId: 'euw1-az2',
  placementGroupName: 'kafka-brokers',
  lifecycle: 'on-demand',
  system: 'nitro',
  iamRole: { instanceProfileName: 'kafka-broker', instanceProfileId: 'AIPAWJ4RYQ7D2XK5MZ3NB', roleName: 'kafka-broker' },
  tags: { Name: 'kafka-broker', Environment: 'production', Cluster: 'orders-stream' },
  blockDeviceMapping: { ami: '/dev/xvda', root: '/dev/xvda', ebs1: 'sdf' },
  userData: USER_DATA,
  events: { history: [], scheduled: [] },
  /** eth0: the client-facing subnet, with a public address and IPv6. */
  clientSubnet: {
    subnetId: 'subnet-0f1e2d3c4b5a69788',
    subnetIpv4CidrBlock: '10.42.16.0/20',
    subnetIpv6CidrBlocks: ['2001:db8:42:10::/64'],
    vpcId: VPC.id,
    vpcIpv4CidrBlocks: [VPC.ipv4],
    vpcIpv6CidrBlocks: [VPC.ipv6],
    securityGroups: [BROKER_GROUP],
  },
  /** eth1: the replication subnet, IPv4 only. */
  replicationSubnet: {
    subnetId: 'subnet-0c9d8e7f6a5b4c3d2',
    subnetIpv4CidrBlock: '10.42.64.0/20',
    vpcId: VPC.id,
    vpcIpv4CidrBlocks: [VPC.ipv4],
    vpcIpv6CidrBlocks: [VPC.ipv6],
    securityGroups: [REPLICATION_GROUP],
  },
};
