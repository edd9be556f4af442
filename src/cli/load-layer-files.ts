import { readFile } from 'node:fs/promises';
import { AemmError, UsageError } from '../core/errors.js';
import { normalizeLayerSettings, type LayerSettings } from '../core/layers/layer-settings.js';
import { takeSqsSections } from '../eventbridge/take-sqs-sections.js';

/** Reads layer files (JSON mock settings), checking each so that an error names its file. */
export async function loadLayerFiles(paths: readonly string[], flag = '--layers'): Promise<LayerSettings[]> {
  const inputs: LayerSettings[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UsageError(
        `Layer file "${path}" ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}. Check the ${flag} path.`,
      );
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`Layer file "${path}" is not valid JSON (${(error as Error).message}). Fix it and try again.`);
    }
    try {
      // An `sqs` section is the EventBridge twin's, not a layer's; the replay checks it once every source is merged.
      const { mocks } = takeSqsSections([value]);
      normalizeLayerSettings(mocks[0], 0);
    } catch (error) {
      if (error instanceof AemmError) throw new UsageError(`Layer file "${path}": ${error.message}`);
      throw error;
    }
    inputs.push(value as LayerSettings);
  }
  return inputs;
}
