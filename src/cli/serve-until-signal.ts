import { basename } from 'node:path';
import { DEFAULT_CASSETTE_PATH, loadCassette } from '../cassette/load-cassette.js';
import type { LayerSettings } from '../core/layers/layer-settings.js';
import { isLoopback } from '../core/is-loopback.js';
import { startServer } from '../server/start-server.js';
import { colors } from './colors.js';
import { loadLayerFiles } from './load-layer-files.js';
import { renderReplayBanner, renderRequestLine } from './render-replay.js';
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
  control?: boolean;
  /** Host names the control API answers besides loopback and the bound address. */
  allowHosts?: readonly string[];
  layerFiles: readonly string[];
  /** Mock settings from flags; stacked after the layer files, so flags win. */
  mocks: LayerSettings;
  /** SQS settings from the `--sqs-*` flags; they win over the layer files' `sqs` sections. */
  sqs?: SqsSettingsInput;
  /** A built-in scenario's name or a scenario file. */
  scenario?: string;
  speed?: number;
  /** NDJSON journal file. */
  journal?: string;
  journalSize?: number;
  readyFile?: string;
}

/** The EventBridge options of a replay, checked now so that a mistake is one line before anything listens. */
async function toEventBridgeOptions(fileSqs: SqsSettingsInput | undefined, flagSqs: SqsSettingsInput | undefined, quiet: boolean): Promise<EventBridgeOptions | undefined> {
  if (!fileSqs && !flagSqs) return undefined;
  const merged: SqsSettingsInput = { ...fileSqs, ...flagSqs };
  const fromFile = (key: string): boolean => fileSqs !== undefined && key in fileSqs && !(flagSqs && key in flagSqs);
  const label = (key: string): string => (fromFile(key) || !SQS_FLAG_NAMES[key] ? `sqs.${key} (layer file)` : SQS_FLAG_NAMES[key]!);
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

/** Starts the replay server, prints the banner and request log, and resolves after SIGINT/SIGTERM closed it. */
export async function serveUntilSignal(request: ReplayRequest): Promise<{ url: string; requests: number }> {
  const cassettePath = request.cassettePath ?? DEFAULT_CASSETTE_PATH;
  const cassette = await loadCassette(cassettePath, 'Check the path, or leave it out to replay the embedded default recording.');
  const { mocks: fileMocks, sqs: fileSqs } = takeSqsSections(await loadLayerFiles(request.layerFiles));
  const eventBridge = await toEventBridgeOptions(fileSqs, request.sqs, request.quiet);
  const server = await startServer({
    cassette,
    port: request.port,
    hostname: request.hostname,
    imdsv2: request.imdsv2 ? 'required' : undefined,
    mocks: [...fileMocks, request.mocks],
    ...(eventBridge ? { eventBridge } : {}),
    control: request.control,
    allowHosts: request.allowHosts,
    scenario: request.scenario,
    speed: request.speed,
    journal: request.journal,
    journalSize: request.journalSize,
    readyFile: request.readyFile,
    onRequest: request.quiet ? undefined : (log) => process.stdout.write(`${renderRequestLine(log, new Date())}\n`),
  });
  // Listen for signals before the banner shows the URL, so a quick Ctrl-C still exits cleanly.
  const stopped = waitForSignal();
  const cassetteName = request.cassettePath ? request.cassettePath : `${basename(cassettePath)} (embedded)`;
  if (!isLoopback(request.hostname)) {
    process.stderr.write(`${colors.yellow('Warning:')} listening on ${request.hostname}, beyond loopback: other machines can read these credentials.\n`);
    if (server.controlApi) process.stderr.write(`${colors.yellow('Warning:')} the control API is on: other machines can trigger events and faults.\n`);
  }
  process.stdout.write(`${renderReplayBanner({ url: server.url, cassetteName, cassette, status: server.control.status(), controlApi: server.controlApi, eventsTo: server.eventBridge?.status().queueUrl, journal: request.journal })}\n`);
  await stopped;
  await server.close();
  const { requests } = server;
  process.stdout.write(`${colors.dim(`stopped after ${requests} request${requests === 1 ? '' : 's'}`)}\n`);
  return { url: server.url, requests };
}
