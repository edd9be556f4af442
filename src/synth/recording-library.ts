import { defaultInstanceSpec } from './default-instance.js';
import type { InstanceSpec } from './instance-spec.js';
import { m7gLargeSpec } from './instances/m7g-large.js';
import { m7iLargeSpec } from './instances/m7i-large.js';
import { p5x48LargeSpec } from './instances/p5-48xlarge.js';
import { t3SpotInterruptedSpec } from './instances/t3-spot-interrupted.js';

/** Every shipped synthetic recording: file name in `recordings/` → the instance it is generated from. */
export const recordingLibrary: Readonly<Record<string, InstanceSpec>> = {
  'default.json': defaultInstanceSpec,
  'm7i-large.json': m7iLargeSpec,
  'm7g-large.json': m7gLargeSpec,
  'p5-48xlarge.json': p5x48LargeSpec,
  't3-spot-interrupted.json': t3SpotInterruptedSpec,
};
