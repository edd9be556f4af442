import type { Layer, Patch } from '../layer.js';
import type { ClientGate } from './client-gate.js';
import type { AsgMock } from './mock-config.js';
import { createTextEntry } from './text-entry.js';

const KEY = '/latest/meta-data/autoscaling/target-lifecycle-state';

/** Auto Scaling target lifecycle state: `InService` until the trigger, then the target state (DOC-ASG). */
export function createAsgLayer(asg: AsgMock, gate: ClientGate): Layer {
  const before: Patch = new Map([[KEY, createTextEntry('InService')]]);
  const after: Patch = new Map([[KEY, createTextEntry(asg.state)]]);
  return {
    name: 'asg',
    patch: ({ now, clientAddress }) => (now >= asg.at && gate.allows(clientAddress) ? after : before),
  };
}
