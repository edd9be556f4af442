import type { Layer } from '../layer.js';
import type { AsgConfig } from './layer-settings.js';

/** Auto Scaling target lifecycle state: `InService` until the trigger, then the target state (docs/imds-behaviour.md §5). */
export function createAsgLayer(asg: AsgConfig): Layer {
  return { name: 'asg', notice: { kind: 'asg', at: asg.at, state: asg.state } };
}
