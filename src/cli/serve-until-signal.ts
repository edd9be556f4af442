import { basename } from 'node:path';
import { DEFAULT_CASSETTE_PATH, loadCassette } from '../cassette/load-cassette.js';
import { loadScenario } from '../cassette/load-scenario.js';
import type { LayerSettings } from '../core/layers/layer-settings.js';
import type { ReplayStatus } from '../core/replay-engine.js';
import { isLoopback } from '../core/is-loopback.js';
import { startServer } from '../server/start-server.js';
import { colors } from './colors.js';
import { flushCompileCache } from './compile-cache.js';
import { loadLayerFiles } from './load-layer-files.js';
import { renderReplayBanner, renderRequestLine } from './render-replay.js';
import { chooseCassette } from './shipped-recordings.js';
import { waitForSignal } from './wait-for-signal.js';
import type { EventBridgeOptions } from '../eventbridge/sqs/start-event-bridge.js';
import type { SqsSettingsInput } from '../eventbridge/sqs-settings.js';
import { takeSqsSections } from '../eventbridge/take-sqs-sections.js';
import { renderEventBridgeReport } from './render-event-bridge-report.js';
import { SQS_FLAG_NAMES } from './sqs-flags.js';

/** What `aemm replay` was asked to do. */
export interface ReplayRequest {
  cassettePath?: string;
  port: number;
  hostname: string;
  /** True/false when the flag was given; undefined leaves it to layer files (default optional). */
  imdsv2?: boolean;
  quiet: boolean;
  /** Print one JSON line once listening instead of the banner, and no request log. */
  json: boolean;
  control?: boolean;
  /** Host names the control API answers besides loopback and the bound address. */
  allowHosts?: readonly string[];
  layerFiles: readonly string[];
  /** Mock settings from flags; stacked after the layer files, so flags win. */
  mocks: LayerSettings;
  /** SQS settings from the `--sqs-*` flags; they win over the scenario's and the layer files' `sqs` sections. */
  sqs?: SqsSettingsInput;
  /** A built-in scenario's name or a scenario file. */
  scenario?: string;
  speed?: number;
  /** NDJSON journal file. */
  journal?: string;
  journalSize?: number;
  readyFile?: string;
}

/** Where each SQS setting of a replay may come from, in the order they stack (later wins). */
interface SqsSources {
  layerFiles?: SqsSettingsInput;
  /** The scenario's `sqs` section, and the scenario's name for messages. */
  scenario?: { name: string; sqs?: SqsSettingsInput };
  flags?: SqsSettingsInput;
}

/** The EventBridge options of a replay, checked now so that a mistake is one line before anything listens. */
async function toEventBridgeOptions(sources: SqsSources, quiet: boolean): Promise<EventBridgeOptions | undefined> {
  const { layerFiles, flags } = sources;
  const scenario = sources.scenario?.sqs;
  if (!layerFiles && !scenario && !flags) return undefined;
  const merged: SqsSettingsInput = { ...layerFiles, ...scenario, ...flags };
  // A mistake is named where its value came from: the flag, the scenario or a layer file.
  const label = (key: string): string => {
    if (flags && key in flags && SQS_FLAG_NAMES[key]) return SQS_FLAG_NAMES[key]!;
    if (scenario && key in scenario) return `sqs.${key} (scenario "${sources.scenario!.name}")`;
    if ((layerFiles && key in layerFiles) || !SQS_FLAG_NAMES[key]) return `sqs.${key} (layer file)`;
    // Given nowhere (a queue URL missing, say): the flag is the way to give it.
    return SQS_FLAG_NAMES[key]!;
  };
  // The SDK warns on Node 20 about its own releases after January 2027; the version we depend on runs on 20.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { checkEventBridgeOptions } = await import('../eventbridge/sqs/start-event-bridge.js');
  checkEventBridgeOptions(merged, label);
  return {
    ...merged,
    onReport(report) {
      const line = renderEventBridgeReport(report, new Date());
      if (report.type === 'sent') {
        if (!quiet) process.stdout.write(`${line}\n`);
      } else process.stderr.write(`${line}\n`);
    },
  };
}

/** The line `aemm replay --json` prints once it listens: everything a script needs instead of the banner. */
export interface ReplayReady {
  event: 'listening';
  url: string;
  port: number;
  hostname: string;
  /** The file served. */
  cassette: string;
  /** The shipped recording's name, or null for a file path. */
  name: string | null;
  tokens: 'optional' | 'required';
  layers: string[];
  mocks: ReplayStatus['mocks'];
  /** The control API's base URL, or null when it is off. */
  control: string | null;
  /** `meta.incomplete` of the cassette, or false. */
  incomplete: unknown;
}

/** What `aemm replay` resolves with once stopped (its last JSON line with --json). */
export interface ReplayResult {
  event: 'stopped';
  url: string;
  requests: number;
}

/**
 * Starts the replay server, prints the banner and request log (or, with `json`, one ReplayReady
 * line and no log), and resolves after SIGINT/SIGTERM closed it.
 */
export async function serveUntilSignal(request: ReplayRequest): Promise<ReplayResult> {
  const choice =
    request.cassettePath === undefined
      ? {
          path: DEFAULT_CASSETTE_PATH,
          label: `${basename(DEFAULT_CASSETTE_PATH)} (embedded)`,
          name: basename(DEFAULT_CASSETTE_PATH, '.json'),
        }
      : await chooseCassette(request.cassettePath);
  const cassette = await loadCassette(choice.path);
  const { mocks: fileMocks, sqs: fileSqs } = takeSqsSections(await loadLayerFiles(request.layerFiles));
  // Loaded here rather than by the server, so that its sqs section is checked with the flags.
  const scenario = request.scenario === undefined ? undefined : await loadScenario(request.scenario);
  const eventBridge = await toEventBridgeOptions({ layerFiles: fileSqs, scenario, flags: request.sqs }, request.quiet || request.json);
  const logRequests = !request.quiet && !request.json;
  const server = await startServer({
    cassette,
    port: request.port,
    hostname: request.hostname,
    imdsv2: request.imdsv2 ? 'required' : undefined,
    mocks: [...fileMocks, request.mocks],
    ...(eventBridge ? { eventBridge } : {}),
    control: request.control,
    allowHosts: request.allowHosts,
    scenario,
    speed: request.speed,
    journal: request.journal,
    journalSize: request.journalSize,
    readyFile: request.readyFile,
    onRequest: logRequests ? (log) => process.stdout.write(`${renderRequestLine(log, new Date())}\n`) : undefined,
  });
  // Listen for signals before the banner shows the URL, so a quick Ctrl-C still exits cleanly.
  const stopped = waitForSignal();
  if (!isLoopback(request.hostname)) {
    process.stderr.write(
      `${colors.yellow('Warning:')} listening on ${request.hostname}, beyond loopback: other machines can read these credentials.\n`,
    );
    if (server.controlApi)
      process.stderr.write(`${colors.yellow('Warning:')} the control API is on: other machines can trigger events and faults.\n`);
  }
  // The start's compiled code is kept before the server says it listens, so a script that kills it then loses nothing.
  flushCompileCache();
  const status = server.control.status();
  if (request.json) {
    const ready: ReplayReady = {
      event: 'listening',
      url: server.url,
      port: server.port,
      hostname: server.hostname,
      cassette: choice.path,
      name: choice.name ?? null,
      tokens: status.imdsv2,
      layers: status.layers,
      mocks: status.mocks,
      control: server.controlApi ? `${server.url}/__aemm/` : null,
      incomplete: cassette.meta.incomplete ?? false,
    };
    process.stdout.write(`${JSON.stringify(ready)}\n`);
  } else {
    process.stdout.write(
      `${renderReplayBanner({ url: server.url, cassetteName: choice.label, cassette, status, controlApi: server.controlApi, eventsTo: server.eventBridge?.status().queueUrl, journal: request.journal })}\n`,
    );
  }
  await stopped;
  await server.close();
  const { requests } = server;
  if (!request.json) process.stdout.write(`${colors.dim(`stopped after ${requests} request${requests === 1 ? '' : 's'}`)}\n`);
  return { event: 'stopped', url: server.url, requests };
}
