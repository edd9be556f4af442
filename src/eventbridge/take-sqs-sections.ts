import { UsageError } from '../core/errors.js';
import type { LayerSettings } from '../core/layers/layer-settings.js';
import type { SqsSettingsInput } from './sqs-settings.js';

/**
 * Splits the `sqs` sections off layer-file settings: the mock layers never see them, and the
 * sections stack like the rest (a later file's keys win). Undefined when no section names SQS.
 */
export function takeSqsSections(inputs: readonly unknown[]): { mocks: LayerSettings[]; sqs?: SqsSettingsInput } {
  let sqs: SqsSettingsInput | undefined;
  const mocks = inputs.map((input) => {
    // Anything else is the layer settings' own business: they are checked, with their errors, later.
    if (typeof input !== 'object' || input === null || !('sqs' in input)) return input as LayerSettings;
    const { sqs: section, ...rest } = input as { sqs: unknown };
    if (typeof section !== 'object' || section === null || Array.isArray(section)) {
      throw new UsageError('sqs must be an object like {"queueUrl": "http://127.0.0.1:9324/000000000000/events", "region": "us-east-1"}.');
    }
    sqs = { ...sqs, ...(section as SqsSettingsInput) };
    return rest as LayerSettings;
  });
  return sqs === undefined ? { mocks } : { mocks, sqs };
}
