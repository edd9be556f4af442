import type { InstanceSpec } from './instance-spec.js';

// Ids, addresses and names follow AEMM's defaults (pkg/config/defaults/aemm-metadata-default-values.json)
// wherever AEMM has one, so its users see familiar values. Where AEMM's defaults disagree with each
// other (three different account ids, a subnet CIDR that does not contain the private IP) the
// values here are chosen to be mutually consistent instead.
const ACCOUNT_ID = '515336597381';
const VPC_ID = 'vpc-d295a6a7';
const VPC_IPV4_CIDR = '172.16.0.0/16';
const VPC_IPV6_CIDR = '2001:db8:8::/56';
const SECURITY_GROUP = { id: 'sg-0b07f8f6cb485d4df', name: 'ura-launch-wizard-harry-1' };

// AEMM's default public key; its comment (`test`) doubles as the key pair name, as on EC2.
const OPENSSH_KEY =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC/JxGByvHDHgQAU+0nRFWdvMPi22OgNUn9ansrI8QN1ZJGxD1ML8DRnJ3Q3zFKqqjGuc' +
  'fNWW0xpVib+ttkIBp8G9P/EOcX9C3FF63O3SnnIUHJsp5faRAZsTJPx0G5HUbvhBvnAcCtSqQgmr02c1l582vAWx48pOmeXXMkl9qe9V/s7' +
  'K3utmeZkRLo9DqnbsDlg5GWxLC/rWKYaZR66CnMEyZ7yBy3v3abKaGGRovLkHNAgWjSSgmUTI1nT5/S2OLxxuDnsC7+BiABLPaqlIE70Szc' +
  'WZ0swx68Bo2AY9T9ymGqeAM/1T4yRtg0sPB98TpT7WrY5A3iia2UVtLO/xcTt test';

const USER_DATA = [
  '#cloud-config',
  'hostname: aemm-default',
  'packages:',
  '  - jq',
  'runcmd:',
  '  - [ sh, -c, "echo hello from aemm > /tmp/aemm-hello" ]',
  '',
].join('\n');

/** The embedded default instance: an on-demand m5.large in us-east-1a with a role, key pair, tags and two ENIs. */
export const defaultInstanceSpec: InstanceSpec = {
  recordedAt: '2026-01-15T10:02:38Z',
  instanceId: 'i-1234567890abcdef0',
  instanceType: 'm5.large',
  architecture: 'x86_64',
  amiId: 'ami-0a887e401f7654935',
  amiLaunchIndex: 0,
  reservationId: 'r-046cb3eca3e201d2f',
  accountId: ACCOUNT_ID,
  region: 'us-east-1',
  availabilityZone: 'us-east-1a',
  availabilityZoneId: 'use1-az4',
  launchTime: '2026-01-15T09:30:12Z',
  lifecycle: 'on-demand',
  system: 'nitro',
  networkInterfaces: [
    {
      mac: '0e:49:61:0f:c3:11',
      deviceNumber: 0,
      interfaceId: 'eni-0f95d3625f5c521cc',
      privateIpv4s: ['172.16.34.43'],
      publicIpv4: '192.0.2.54',
      ipv6s: ['2001:db8:8:4::2'],
      subnetId: 'subnet-0ac62554',
      subnetIpv4CidrBlock: '172.16.32.0/20',
      subnetIpv6CidrBlocks: ['2001:db8:8:4::/64'],
      vpcId: VPC_ID,
      vpcIpv4CidrBlocks: [VPC_IPV4_CIDR],
      vpcIpv6CidrBlocks: [VPC_IPV6_CIDR],
      securityGroups: [SECURITY_GROUP],
    },
    {
      mac: '0e:d4:b2:7a:15:9f',
      deviceNumber: 1,
      interfaceId: 'eni-04c2f1b9a83e6d7a5',
      privateIpv4s: ['172.16.50.117'],
      subnetId: 'subnet-07e9b4c1d2a3f5068',
      subnetIpv4CidrBlock: '172.16.48.0/20',
      vpcId: VPC_ID,
      vpcIpv4CidrBlocks: [VPC_IPV4_CIDR],
      vpcIpv6CidrBlocks: [VPC_IPV6_CIDR],
      securityGroups: [SECURITY_GROUP],
    },
  ],
  iamRole: {
    instanceProfileName: 'baskinc-role',
    instanceProfileId: 'AIPA5BOGHHXZELSK34VU4',
    roleName: 'baskinc-role',
  },
  credentialsUpdatedAt: '2026-01-15T09:31:04Z',
  keyPair: { name: 'test', openSshKey: OPENSSH_KEY },
  tags: { Name: 'aemm-default', Environment: 'test', Team: 'platform' },
  blockDeviceMapping: { ami: '/dev/xvda', root: '/dev/xvda', ebs1: 'sdb' },
  userData: USER_DATA,
  events: { history: [], scheduled: [] },
};
