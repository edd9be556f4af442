import { DEFAULT_CASSETTE_PATH, loadCassette } from '../cassette/load-cassette.js';
import { parseDuration } from '../core/parse-duration.js';
import { parseInstant, type LayerSettings } from '../core/layers/layer-settings.js';
import { createReplayEngine } from '../core/replay-engine.js';
import type { EventBridgeEvent } from '../eventbridge/build-eventbridge-event.js';
import { createEventTwin } from '../eventbridge/create-event-twin.js';
import type { LifecycleHook } from '../eventbridge/list-occurrences.js';
import { takeSqsSections } from '../eventbridge/take-sqs-sections.js';
import { loadLayerFiles } from './load-layer-files.js';

/** What `aemm events preview` was asked for. */
export interface PreviewRequest {
  cassettePath?: string;
  layerFiles: readonly string[];
  /** Mock settings from flags, stacked after the files. */
  mocks: LayerSettings;
  /** The replay's start: an RFC 3339 instant or epoch ms; default now. */
  start?: string | number;
  /** How far past the start to look (default 30 days). */
  horizon?: string;
  hook?: Partial<LifecycleHook>;
}

/**
 * The EventBridge events a replay with these layers would send, oldest first, without a server
 * or SQS: the engine runs on a clock that stands at `start`, then jumps to the end of the horizon.
 */
export async function previewEvents(request: PreviewRequest): Promise<EventBridgeEvent[]> {
  const cassettePath = request.cassettePath ?? DEFAULT_CASSETTE_PATH;
  const cassette = await loadCassette(cassettePath, 'Check the path, or leave it out to use the embedded default recording.');
  const { mocks, sqs } = takeSqsSections(await loadLayerFiles(request.layerFiles));
  const start = request.start === undefined ? Date.now() : parseInstant(request.start, '--start');
  const horizon = parseDuration(request.horizon ?? '30d', '--horizon');
  // Not a served replay: no token is ever issued, so the signing key does not matter.
  const engine = createReplayEngine({ cassette, mocks: [...mocks, request.mocks], clock: () => start, secret: 'aemm-events-preview' });
  const events: EventBridgeEvent[] = [];
  const hook = {
    ...(typeof sqs?.autoScalingGroupName === 'string' ? { groupName: sqs.autoScalingGroupName } : {}),
    ...(typeof sqs?.lifecycleHookName === 'string' ? { hookName: sqs.lifecycleHookName } : {}),
    ...(typeof sqs?.notificationMetadata === 'string' ? { notificationMetadata: sqs.notificationMetadata } : {}),
    ...request.hook,
  };
  const twin = createEventTwin({ engine, hook, pollMs: 0, source: `cassette "${request.cassettePath ?? 'default.json (embedded)'}"`, onEvent: (event) => events.push(event) });
  twin.control.setTime(start + horizon);
  twin.close();
  return events;
}
