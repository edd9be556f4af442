// The `ec2-imds-replay/msw` entry: msw handlers for IMDS and the embedded recording. Nothing on this path may
// import node:* — it is bundled for the browser (test/msw/browser-bundle.test.ts checks).
export { imdsHandlers, DEFAULT_BASE_URLS, type ImdsHandlers, type ImdsHandlersOptions, type MissPolicy } from './imds-handlers.js';
export { defaultCassette } from './default-cassette.js';
export { CASSETTE_FORMAT, type Cassette, type CassetteMeta, type Entry } from '../core/cassette.js';
export { AemmError, CassetteError, UsageError } from '../core/errors.js';
export type { Layer, LayerContext, Patch } from '../core/layer.js';
export type { ReplayControl, ReplayEngine, ReplayStatus } from '../core/replay-engine.js';
export type { ImdsRequest, ImdsResponse, TokenMode } from '../core/resolve-request.js';
export type { EventBridgeEvent } from '../eventbridge/build-eventbridge-event.js';
export type { EventStream } from '../eventbridge/create-event-stream.js';
export {
  createJournal,
  JournalAssertionError,
  type Journal,
  type JournalEntry,
  type JournalFilter,
  type WaitForOptions,
} from '../core/journal/create-journal.js';
export { BUILTIN_SCENARIOS, BUILTIN_SCENARIO_NAMES } from '../core/scenarios/builtin-scenarios.js';
export { parseScenario, ScenarioError } from '../core/scenarios/parse-scenario.js';
export type { InstanceState, RequestMatch, RequestRule, Scenario, ScenarioStep, StepTiming, TokenUse } from '../core/scenarios/scenario.js';
export type { FiredStep, StepStatus } from '../core/scenarios/create-scenario-runner.js';
export type { ScenarioTimeline, SessionControl, SessionStatus } from '../core/scenarios/create-replay-session.js';
