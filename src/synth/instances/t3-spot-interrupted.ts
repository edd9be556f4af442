import { encodeBase64 } from '../../core/base64.js';
import { deriveBytes } from '../derive-bytes.js';
import type { InstanceSpec } from '../instance-spec.js';

function buildEd25519Key(comment: string): string {
  // An OpenSSH ed25519 public key blob: string "ssh-ed25519" then the 32-byte key, each length-prefixed.
  const type = new TextEncoder().encode('ssh-ed25519');
  const blob = new Uint8Array(4 + type.length + 4 + 32);
  const view = new DataView(blob.buffer);
  view.setUint32(0, type.length);
  blob.set(type, 4);
  view.setUint32(4 + type.length, 32);
  blob.set(deriveBytes(`t3-spot|${comment}`, 32), 8 + type.length);
  return `ssh-ed25519 ${encodeBase64(blob)} ${comment}`;
}

/**
 * A Spot CI runner the moment after EC2 scheduled its interruption: t3.medium in ap-southeast-2c,
 * a rebalance recommendation first, then a terminate notice two minutes ahead (docs/imds-behaviour.md §5).
 */
export const t3SpotInterruptedSpec: InstanceSpec = {
  recordedAt: '2026-03-03T05:17:42Z',
  instanceId: 'i-0c3e5a7b9d1f24680',
  instanceType: 't3.medium',
  architecture: 'x86_64',
  amiId: 'ami-0d7e9f1a3b5c7e902',
  reservationId: 'r-0f1d3b5a7c9e24681',
  accountId: '444455556666',
  region: 'ap-southeast-2',
  availabilityZone: 'ap-southeast-2c',
  availabilityZoneId: 'apse2-az2',
  launchTime: '2026-03-03T03:52:19Z',
  lifecycle: 'spot',
  system: 'nitro',
  networkInterfaces: [
    {
      mac: '02:5b:c7:e1:38:9d',
      deviceNumber: 0,
      interfaceId: 'eni-0e9a1c3b5d7f80264',
      privateIpv4s: ['172.31.40.17'],
      publicIpv4: '198.51.100.213',
      subnetId: 'subnet-0e7a9c1b3d5f7a9c0',
      subnetIpv4CidrBlock: '172.31.32.0/20',
      vpcId: 'vpc-0b4d6f8a0c2e4a6b8',
      vpcIpv4CidrBlocks: ['172.31.0.0/16'],
      securityGroups: [{ id: 'sg-0a9b8c7d6e5f4a3b2', name: 'ci-runner' }],
    },
  ],
  iamRole: { instanceProfileName: 'ci-runner', instanceProfileId: 'AIPAWJ4RYQ7D3MF8KP2XE', roleName: 'ci-runner' },
  credentialsUpdatedAt: '2026-03-03T04:52:30Z',
  keyPair: { name: 'ci-runners', openSshKey: buildEd25519Key('ci-runners') },
  tags: { Name: 'ci-runner-spot', Purpose: 'ci' },
  blockDeviceMapping: { ami: '/dev/xvda', root: '/dev/xvda' },
  userData: '#!/bin/bash\n/opt/ci/bin/register-runner --ephemeral\n',
  events: { history: [], scheduled: [] },
  rebalanceNoticeTime: '2026-03-03T05:15:08Z',
  spotInterruption: { action: 'terminate', time: '2026-03-03T05:19:40Z' },
};
