import { DEFAULT_CASSETTE_PATH, loadCassette } from '../cassette/load-cassette.js';
import { loadScenario } from '../cassette/load-scenario.js';
import { parseDuration } from '../core/parse-duration.js';
import { parseInstant, type LayerSettings } from '../core/layers/layer-settings.js';
import { createReplayEngine } from '../core/replay-engine.js';
import { createReplaySession } from '../core/scenarios/create-replay-session.js';
import type { EventBridgeEvent } from '../eventbridge/build-eventbridge-event.js';
import { createEventTwin } from '../eventbridge/create-event-twin.js';
import type { LifecycleHook } from '../eventbridge/list-occurrences.js';
import { takeSqsSections } from '../eventbridge/take-sqs-sections.js';
import { toLifecycleHook } from '../eventbridge/to-lifecycle-hook.js';
import { loadLayerFiles } from './load-layer-files.js';
import { chooseCassette } from './shipped-recordings.js';

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
  /** A built-in scenario's name or a scenario file, played from `start` on top of the layers. */
  scenario?: string;
}

/** The events a preview found, and the scenario step it could not pass, if any. */
export interface PreviewResult {
  events: EventBridgeEvent[];
  /** A step that waits for a control call or for requests, which a preview never sees: the timeline stops there. */
  stoppedAt?: { step: string; waitingFor: string };
}

/**
 * The EventBridge events a replay with these layers (and scenario) would send, oldest first,
 * without a server or SQS: the engine's clock stands at `start` and jumps from one scenario step
 * to the next, so each step fires at its own time, then to the end of the horizon.
 */
export async function previewEvents(request: PreviewRequest): Promise<PreviewResult> {
  const choice =
    request.cassettePath === undefined
      ? { path: DEFAULT_CASSETTE_PATH, label: 'default.json (embedded)' }
      : await chooseCassette(request.cassettePath);
  const cassette = await loadCassette(choice.path, 'Check the path, or leave it out to use the embedded default recording.');
  const { mocks, sqs } = takeSqsSections(await loadLayerFiles(request.layerFiles));
  const scenario = request.scenario === undefined ? undefined : await loadScenario(request.scenario);
  const start = request.start === undefined ? Date.now() : parseInstant(request.start, '--start');
  const horizon = parseDuration(request.horizon ?? '30d', '--horizon');
  // Not a served replay: no token is ever issued, so the signing key does not matter.
  const engine = createReplayEngine({ cassette, mocks: [...mocks, request.mocks], clock: () => start, secret: 'aemm-events-preview' });
  const events: EventBridgeEvent[] = [];
  // Hook names stack as a replay's SQS settings do: layer files, then the scenario, then flags.
  const hook = { ...toLifecycleHook(sqs), ...toLifecycleHook(scenario?.sqs), ...request.hook };
  const twin = createEventTwin({ engine, hook, pollMs: 0, source: `cassette "${choice.label}"`, onEvent: (event) => events.push(event) });
  // The same wiring as a served replay: steps change layers through the twin, which follows the instance state.
  const session = createReplaySession({ engine, control: twin.control, scenario, wallClock: () => start });
  twin.follow(session);
  const end = start + horizon;
  // Each timed step fires at its own instant: the instance going away is dated by the step that took it.
  for (let due = session.nextDueAt(); due !== undefined && due <= end; due = session.nextDueAt()) {
    session.control.setTime(Math.max(due, engine.now()));
    if (session.nextDueAt() === due) break;
  }
  if (engine.now() < end) session.control.setTime(end);
  twin.close();
  const waiting = session.runner?.steps().find((step) => step.state === 'next' && step.waitingFor !== undefined);
  // Events found at one look are in time order; a notice that showed between two steps is found at the next one.
  const sorted = events
    .map((event, index) => ({ event, index }))
    .sort((a, b) => a.event.time.localeCompare(b.event.time) || a.index - b.index)
    .map(({ event }) => event);
  return { events: sorted, ...(waiting ? { stoppedAt: { step: waiting.name, waitingFor: waiting.waitingFor! } } : {}) };
}
