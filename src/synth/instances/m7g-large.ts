import type { InstanceSpec } from '../instance-spec.js';
import { euWest1Brokers } from './eu-west-1-brokers.js';

const { clientSubnet, replicationSubnet, ...shared } = euWest1Brokers;

/** The Graviton twin of `m7iLargeSpec`: m7g.large (arm64, the arm64 build of the same AMI), partition 2, same ENI layout. */
export const m7gLargeSpec: InstanceSpec = {
  ...shared,
  recordedAt: '2026-03-02T09:41:02Z',
  instanceId: 'i-0e2b6d84c1f9a3752',
  instanceType: 'm7g.large',
  architecture: 'arm64',
  amiId: 'ami-0f4e8a2c6b1d39057',
  reservationId: 'r-03b9f1e6d2c8a4705',
  launchTime: '2026-03-02T08:14:31Z',
  partitionNumber: 2,
  credentialsUpdatedAt: '2026-03-02T09:15:52Z',
  networkInterfaces: [
    {
      ...clientSubnet,
      mac: '06:7d:2e:b5:90:c8',
      deviceNumber: 0,
      interfaceId: 'eni-0a5f3d7b9c1e28460',
      privateIpv4s: ['10.42.18.203'],
      publicIpv4: '203.0.113.77',
      ipv6s: ['2001:db8:42:10:d4e1:7a9b:25c6:8f30'],
    },
    {
      ...replicationSubnet,
      mac: '06:91:ab:3c:e4:0f',
      deviceNumber: 1,
      interfaceId: 'eni-0c6e8a1b3d5f79240',
      privateIpv4s: ['10.42.71.139'],
    },
  ],
};
