import type { InstanceSpec } from '../instance-spec.js';
import { euWest1Brokers } from './eu-west-1-brokers.js';

const { clientSubnet, replicationSubnet, ...shared } = euWest1Brokers;

/** An x86 Nitro general-purpose broker: m7i.large in eu-west-1a, two ENIs, partition 1 of a partition placement group. */
export const m7iLargeSpec: InstanceSpec = {
  ...shared,
  recordedAt: '2026-03-02T09:40:11Z',
  instanceId: 'i-0a7c3e91f25b84d60',
  instanceType: 'm7i.large',
  architecture: 'x86_64',
  amiId: 'ami-0c1f7b3e5d9a20468',
  reservationId: 'r-0e4d1c7b9a2f35860',
  launchTime: '2026-03-02T08:14:27Z',
  partitionNumber: 1,
  credentialsUpdatedAt: '2026-03-02T09:15:48Z',
  networkInterfaces: [
    {
      ...clientSubnet,
      mac: '06:3a:9f:41:d2:7b',
      deviceNumber: 0,
      interfaceId: 'eni-0b8e2f4c6a1d39570',
      privateIpv4s: ['10.42.17.86'],
      publicIpv4: '203.0.113.24',
      ipv6s: ['2001:db8:42:10:6f2a:91c4:3b7e:d015'],
    },
    {
      ...replicationSubnet,
      mac: '06:c4:18:7e:a9:53',
      deviceNumber: 1,
      interfaceId: 'eni-07d3a9c5e1f2b4680',
      privateIpv4s: ['10.42.70.14'],
    },
  ],
};
