export { CASSETTE_FORMAT, type Cassette, type CassetteMeta, type Entry } from './core/cassette.js';
export { AemmError, CassetteError, UsageError } from './core/errors.js';
export type { Layer, LayerContext, Patch } from './core/layer.js';
export { createFreshCredentialsLayer } from './core/layers/fresh-credentials.js';
export { resolveRequest, type ImdsRequest, type ImdsResponse, type Profile, type ProfileName, type ResolveOptions, type TokenMode } from './core/resolve-request.js';
export { validateCassette } from './core/validate-cassette.js';
export { IMDS_VERSIONS } from './core/versions.js';
export { DEFAULT_CASSETTE_PATH, loadCassette, parseCassette } from './cassette/load-cassette.js';
export { writeCassette } from './cassette/write-cassette.js';
export { startServer, type ImdsServer, type RequestLog, type ServerOptions } from './server/start-server.js';
export { createReplayEngine, type ReplayControl, type ReplayEngine, type ReplayEngineOptions, type ReplayStatus } from './core/replay-engine.js';
export { parseDuration } from './core/parse-duration.js';
export { createMockLayers } from './core/layers/create-mock-layers.js';
export {
  ASG_STATES, EVENT_CODES, EVENT_STATES, SPOT_ACTIONS, mergeMockConfigs, normalizeMockConfig,
  type MockConfig, type MockConfigInput,
} from './core/layers/mock-config.js';
export { MOCK_KINDS, type MockKind, type MockStatus } from './core/replay-engine.js';
export type { Intercept, InterceptRequest } from './core/layer.js';
export { diffCassettes, DIFF_FORMAT, type CassetteDiff, type CategoryCount, type Change, type ChangeDetail, type DiffOptions } from './differ/diff-cassettes.js';
export { inspectCassette, INSPECT_FORMAT, type CassetteInspection, type InspectNode } from './differ/inspect-cassette.js';
export { crawlImds, type CrawlOptions, type CrawlResult } from './recorder/crawl-imds.js';
export {
  startRecordingProxy, RECORD_MODES, type RecordMode, type RecordingProxy, type RecordingProxyOptions,
  type RecordingProxyStats, type ProxyRequestLog,
} from './recorder/start-recording-proxy.js';
export { createRedactor, REDACTED_PLACEHOLDER, type Redactor, type RedactorOptions } from './recorder/create-redactor.js';
export { recordCassette, type RecordRequest, type RecordHooks, type RecordSummary } from './recorder/record-cassette.js';
export { runAemm, type AemmIo } from './aemm/run-aemm.js';
export { loadAemmConfig, type AemmConfig, type AemmSettings } from './aemm/load-aemm-config.js';
export { buildAemmCassette } from './aemm/build-aemm-cassette.js';
export { toAemmMocks } from './aemm/to-aemm-mocks.js';
export { isLoopback } from './core/is-loopback.js';
