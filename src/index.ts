export { CASSETTE_FORMAT, type Cassette, type CassetteMeta, type Entry } from './core/cassette.js';
export { AemmError, CassetteError, UsageError } from './core/errors.js';
export type { Layer, LayerContext, Patch } from './core/layer.js';
export { createFreshCredentialsLayer } from './core/layers/fresh-credentials.js';
export {
  resolveRequest,
  type ImdsRequest,
  type ImdsResponse,
  type Profile,
  type ProfileName,
  type ResolveOptions,
  type TokenMode,
} from './core/resolve-request.js';
export { validateCassette } from './core/validate-cassette.js';
export { IMDS_VERSIONS } from './core/versions.js';
export { DEFAULT_CASSETTE_PATH, loadCassette, parseCassette } from './cassette/load-cassette.js';
export { writeCassette } from './cassette/write-cassette.js';
export { startServer, type ImdsServer, type RequestLog, type ServerOptions } from './server/start-server.js';
export {
  createReplayEngine,
  type ReplayControl,
  type ReplayEngine,
  type ReplayEngineOptions,
  type ReplayStatus,
} from './core/replay-engine.js';
export { parseDuration } from './core/parse-duration.js';
export { createLayers } from './core/layers/create-layers.js';
export {
  mergeLayerConfigs,
  normalizeLayerSettings,
  parseLayerSettings,
  type AsgSettings,
  type Duration,
  type EventSettings,
  type FaultSettings,
  type Instant,
  type LayerConfig,
  type LayerSettings,
  type RebalanceSettings,
  type SpotSettings,
  type TagsSettings,
  type ThrottleSettings,
  type TriggerSettings,
} from './core/layers/layer-settings.js';
export {
  ASG_STATES,
  CONTROL_VERBS,
  EVENT_CODES,
  EVENT_STATES,
  LAYER_KINDS,
  SPOT_ACTIONS,
  TAGS_MODES,
  TOKEN_MODES,
  type AsgState,
  type ControlVerb,
  type EventCode,
  type EventState,
  type LayerKind,
  type SpotAction,
  type TagsMode,
} from './core/vocabulary.js';
export type { Notice, SpotNotice, RebalanceNotice, EventsNotice, MaintenanceEvent, AsgNotice } from './core/notice.js';
export type { LayerStatus } from './core/replay-engine.js';
export type { Intercept, InterceptRequest } from './core/layer.js';
export {
  diffCassettes,
  DIFF_FORMAT,
  type CassetteDiff,
  type CategoryCount,
  type Change,
  type ChangeDetail,
  type DiffOptions,
} from './differ/diff-cassettes.js';
export { inspectCassette, INSPECT_FORMAT, type CassetteInspection, type InspectNode } from './differ/inspect-cassette.js';
export { crawlImds, type CrawlOptions, type CrawlResult } from './recorder/crawl-imds.js';
export {
  startRecordingProxy,
  RECORD_MODES,
  type RecordMode,
  type RecordingProxy,
  type RecordingProxyOptions,
  type RecordingProxyStats,
  type ProxyRequestLog,
} from './recorder/start-recording-proxy.js';
export { createRedactor, REDACTED_PLACEHOLDER, type Redactor, type RedactorOptions } from './recorder/create-redactor.js';
export { recordCassette, type RecordRequest, type RecordHooks, type RecordSummary } from './recorder/record-cassette.js';
export { runAemm, type AemmIo } from './aemm/run-aemm.js';
export { loadAemmConfig, type AemmConfig, type AemmSettings } from './aemm/load-aemm-config.js';
export { buildAemmCassette } from './aemm/build-aemm-cassette.js';
export { toAemmMocks } from './aemm/to-aemm-mocks.js';
export { isLoopback } from './core/is-loopback.js';
export type { EventBridgeEvent } from './eventbridge/build-eventbridge-event.js';
export type { EventBridge, EventBridgeOptions, EventBridgeReport, EventBridgeStatus } from './eventbridge/sqs/start-event-bridge.js';
export {
  createJournal,
  JournalAssertionError,
  toJournalLine,
  type Journal,
  type JournalEntry,
  type JournalFilter,
  type JournalRecord,
  type WaitForOptions,
} from './core/journal/create-journal.js';
export { BUILTIN_SCENARIOS, BUILTIN_SCENARIO_NAMES } from './core/scenarios/builtin-scenarios.js';
export { parseScenario, ScenarioError } from './core/scenarios/parse-scenario.js';
export { loadScenario } from './cassette/load-scenario.js';
export {
  createReplaySession,
  type ReplaySession,
  type ReplaySessionOptions,
  type ScenarioTimeline,
  type SessionControl,
  type SessionStatus,
} from './core/scenarios/create-replay-session.js';
export { createScenarioRunner, type FiredStep, type ScenarioRunner, type StepStatus } from './core/scenarios/create-scenario-runner.js';
export { createSpeedClock } from './core/scenarios/create-speed-clock.js';
export {
  SCENARIO_FORMAT,
  type InstanceState,
  type RequestMatch,
  type RequestRule,
  type Scenario,
  type ScenarioStep,
  type StepTiming,
  type TokenUse,
} from './core/scenarios/scenario.js';
