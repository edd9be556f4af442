import { deriveBytes } from '../derive-bytes.js';
import type { InstanceSpec, NetworkInterfaceSpec } from '../instance-spec.js';

const NETWORK_CARDS = 32;
const SUBNET = {
  subnetId: 'subnet-0a2c4e6f8b1d3f5a7',
  subnetIpv4CidrBlock: '10.80.128.0/18',
  vpcId: 'vpc-05e7c9a1b3d5f7092',
  vpcIpv4CidrBlocks: ['10.80.0.0/16'] as [string],
  // EFA traffic needs a group that lets members reach each other; one group on every interface.
  securityGroups: [{ id: 'sg-0e1f2a3b4c5d6e7f8', name: 'efa-cluster' }],
};

function toHex(bytes: Uint8Array): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

function toMac(bytes: Uint8Array): string {
  // Locally administered unicast, like the MACs EC2 hands out (02:…, 06:…, 0a:…, 0e:…).
  const octets = [(bytes[0]! & 0xfc) | 0x02, ...bytes.subarray(1, 6)];
  return octets.map((octet) => octet.toString(16).padStart(2, '0')).join(':');
}

function buildInterfaces(): [NetworkInterfaceSpec, ...NetworkInterfaceSpec[]] {
  const taken = new Set<string>();
  const interfaces = Array.from({ length: NETWORK_CARDS }, (_, card): NetworkInterfaceSpec => {
    const seed = `p5.48xlarge|card-${card}`;
    let ip: string;
    for (let attempt = 0; ; attempt++) {
      const [third = 0, fourth = 0] = deriveBytes(`${seed}|ip|${attempt}`, 2);
      // Inside 10.80.128.0/18, clear of the subnet's reserved first four and last address.
      ip = `10.80.${128 + (third % 64)}.${4 + (fourth % 250)}`;
      if (!taken.has(ip)) break;
    }
    taken.add(ip);
    return {
      ...SUBNET,
      mac: toMac(deriveBytes(`${seed}|mac`, 6)),
      // The EC2 guide's EFA layout: the primary interface is card 0 device 0, every other card carries one at device 1.
      deviceNumber: card === 0 ? 0 : 1,
      networkCard: card,
      interfaceId: `eni-0${toHex(deriveBytes(`${seed}|eni`, 8))}`,
      privateIpv4s: [ip],
    };
  });
  return interfaces as [NetworkInterfaceSpec, ...NetworkInterfaceSpec[]];
}

const USER_DATA = [
  '#!/bin/bash',
  'set -euo pipefail',
  '# Join the training cluster once the EFA devices are up.',
  'fi_info -p efa -t FI_EP_RDM > /var/log/efa-devices.log',
  '/opt/train/bin/join-cluster --cluster llm-train --rank-from-imds',
  '',
].join('\n');

/** A multi-card GPU node: p5.48xlarge in us-east-2b, 32 network cards with one EFA interface each, in a cluster placement group. */
export const p5x48LargeSpec: InstanceSpec = {
  recordedAt: '2026-03-01T22:31:45Z',
  instanceId: 'i-07f3b1d9e5a2c8604',
  instanceType: 'p5.48xlarge',
  architecture: 'x86_64',
  amiId: 'ami-05a9c1e7f3b8d2461',
  reservationId: 'r-0b7d9f1a3c5e70826',
  accountId: '444455556666',
  region: 'us-east-2',
  availabilityZone: 'us-east-2b',
  availabilityZoneId: 'use2-az2',
  placementGroupName: 'llm-train-cpg',
  launchTime: '2026-02-20T14:05:09Z',
  lifecycle: 'on-demand',
  system: 'nitro',
  networkCardCount: NETWORK_CARDS,
  networkInterfaces: buildInterfaces(),
  iamRole: { instanceProfileName: 'llm-train-node', instanceProfileId: 'AIPAWJ4RYQ7D6TB2HV9LC', roleName: 'llm-train-node' },
  credentialsUpdatedAt: '2026-03-01T21:58:02Z',
  tags: { Name: 'llm-train-node-07', Cluster: 'llm-train', Project: 'foundation-models' },
  // Ubuntu-based deep learning AMIs boot from /dev/sda1.
  blockDeviceMapping: { ami: '/dev/sda1', root: '/dev/sda1' },
  userData: USER_DATA,
  events: {
    history: [
      {
        code: 'instance-reboot',
        description: '[Completed] The instance is scheduled for a reboot',
        eventId: 'instance-event-0c5a7e9b1d3f52846',
        notBefore: '24 Feb 2026 03:00:00 GMT',
        notAfter: '24 Feb 2026 05:00:00 GMT',
        state: 'completed',
      },
    ],
    scheduled: [
      {
        code: 'system-maintenance',
        description: 'Scheduled system maintenance',
        eventId: 'instance-event-0f2b4d6a8c1e37590',
        notBefore: '9 Mar 2026 02:00:00 GMT',
        notAfter: '9 Mar 2026 04:00:00 GMT',
        state: 'active',
      },
    ],
  },
};
