import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Cassette } from '../core/cassette.js';
import { describeListenError } from '../core/describe-listen-error.js';
import { UsageError } from '../core/errors.js';
import type { Layer } from '../core/layer.js';
import type { LayerSettings } from '../core/layers/layer-settings.js';
import { createReplayEngine, type ReplayEngine } from '../core/replay-engine.js';
import type { Journal } from '../core/journal/create-journal.js';
import { createReplaySession, type SessionControl } from '../core/scenarios/create-replay-session.js';
import type { FiredStep } from '../core/scenarios/create-scenario-runner.js';
import { createSpeedClock } from '../core/scenarios/create-speed-clock.js';
import { prepareSession, superviseInstance, type SessionServerOptions } from './create-server-session.js';
import { removeReadyFile, writeReadyFile } from './write-ready-file.js';
import type { ProfileName, TokenMode } from '../core/resolve-request.js';
import { loadCassette } from '../cassette/load-cassette.js';
import { validateCassette } from '../core/validate-cassette.js';
import { isLoopback } from '../core/is-loopback.js';
import { createRequestListener, type RequestLog } from './create-request-listener.js';
import type { EventBridge, EventBridgeOptions } from '../eventbridge/sqs/start-event-bridge.js';
import { takeSqsSections } from '../eventbridge/take-sqs-sections.js';
import type { SqsSettingsInput } from '../eventbridge/sqs-settings.js';

export type { RequestLog } from './create-request-listener.js';

/** Layer settings as a server takes them: a layer file's `sqs` section (the EventBridge twin's) included. */
export type ServerLayerSettings = LayerSettings & { sqs?: SqsSettingsInput };

/** Options of `startServer`; everything is optional. */
export interface ServerOptions extends SessionServerOptions {
  /** A cassette object or a path to one; the embedded default recording when absent. */
  cassette?: Cassette | string;
  /** TCP port, default 1338; 0 picks a free one. */
  port?: number;
  /** Address to bind, default 127.0.0.1. */
  hostname?: string;
  /** `required` (or true) makes every request need an IMDSv2 token; overrides `imdsv2` in `mocks`. */
  imdsv2?: TokenMode | boolean;
  /** Layers of your own on top of the cassette, after fresh credentials; later ones win. */
  layers?: readonly Layer[];
  /** Mock layers to start with (layer-file settings: spot, events, asg, tags, faults, …); stacked in order. */
  mocks?: ServerLayerSettings | readonly ServerLayerSettings[];
  /** Serve the control API under /__aemm/ (default: only when listening on loopback). */
  control?: boolean;
  /** Host names the control API answers besides loopback names and the bound address (`--allow-host`). */
  allowHosts?: readonly string[];
  /** Rewrite credential timestamps to the current hour (default true). */
  freshCredentials?: boolean;
  /** Which server to imitate byte for byte: `imds` (default) or `aemm` (AEMM v1.12's listings, JSON and error pages). */
  profile?: ProfileName;
  /** Replay clock in epoch milliseconds, default Date.now. */
  clock?: () => number;
  /** Token signing key; random per server when absent. */
  secret?: string;
  /** Called after each response is written. */
  onRequest?: (log: RequestLog) => void;
  /** Time each request for `onRequest`'s `ms` (default true); false leaves `ms` at 0 and saves two clock reads per request. */
  timeRequests?: boolean;
  /**
   * A client still sending its headers after `headersMs` (default 10 s), or its whole request
   * after `requestMs` (default 30 s), gets 408 and loses its connection (checked every second).
   */
  timeouts?: { headersMs?: number; requestMs?: number };
  /**
   * Also send every notice, as the EventBridge event AWS would deliver, to this SQS queue; an
   * `sqs` section in `mocks` or in the scenario does the same (these options win over both).
   */
  eventBridge?: EventBridgeOptions;
}

/** A running replay server. */
export interface ImdsServer {
  /** Base URL, e.g. `http://127.0.0.1:1338`. */
  url: string;
  port: number;
  hostname: string;
  cassette: Cassette;
  /** Run-time control: time travel, token mode, the mock layers, and `signal` for scenario steps. */
  control: SessionControl;
  /** The request journal (the latest requests in memory), unless turned off. */
  journal?: Journal;
  /** Calls `listener` for every scenario step that fires, with its replay-clock instant; returns the unsubscribe function. */
  onStep(listener: (fired: FiredStep) => void): () => void;
  /** The engine behind the server: `engine.notices()` reads the notices that show now. */
  engine: ReplayEngine;
  /** Whether the HTTP control API under /__aemm/ is served. */
  controlApi: boolean;
  /** The EventBridge twin delivering to SQS, when `eventBridge` (or an `sqs` section) asked for one. */
  eventBridge?: EventBridge;
  /** Requests answered so far (control requests included). */
  readonly requests: number;
  server: Server;
  /** Stops listening and closes every open connection. */
  close(): Promise<void>;
  /** `await using imds = await startServer()` closes the server when the scope ends. */
  [Symbol.asyncDispose](): Promise<void>;
}

function formatHost(hostname: string): string {
  return hostname.includes(':') ? `[${hostname}]` : hostname;
}

function listen(server: Server, port: number, hostname: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(describeListenError(error.code, port, hostname) ?? error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, hostname);
  });
}

/** Serves a cassette over HTTP the way real IMDS answers, with layers on top. */
export async function startServer(options: ServerOptions = {}): Promise<ImdsServer> {
  const port = options.port ?? 1338;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`Port "${port}" is not a TCP port. Use a whole number from 0 to 65535 (0 picks a free one).`);
  }
  const hostname = options.hostname ?? '127.0.0.1';
  const cassette =
    typeof options.cassette === 'object'
      ? validateCassette(options.cassette, 'startServer({ cassette })')
      : await loadCassette(options.cassette);
  const inputs = options.mocks === undefined ? [] : Array.isArray(options.mocks) ? options.mocks : [options.mocks as ServerLayerSettings];
  const { mocks, sqs } = takeSqsSections(inputs);
  const prepared = await prepareSession(options);
  const engine = createReplayEngine({
    cassette,
    layers: options.layers,
    freshCredentials: options.freshCredentials,
    profile: options.profile,
    mocks,
    imdsv2: options.imdsv2 === undefined ? undefined : options.imdsv2 === true || options.imdsv2 === 'required' ? 'required' : 'optional',
    clock: createSpeedClock(options.clock ?? Date.now, prepared.speed),
    secret: options.secret ?? randomBytes(32).toString('hex'),
  });
  let readiness: Record<string, unknown> | undefined;
  const controlApi = options.control ?? isLoopback(hostname);
  // SQS settings stack: layer files' sections, the scenario's, then eventBridge. SendMessage
  // attempts go in the request journal too, unless the caller names a journal of its own.
  const scenarioSqs = prepared.scenario?.sqs;
  const bridgeOptions =
    sqs || scenarioSqs || options.eventBridge
      ? { ...sqs, ...scenarioSqs, ...(prepared.journal ? { journal: prepared.journal } : {}), ...options.eventBridge }
      : undefined;
  // Loaded only when asked for, so a plain replay never loads the AWS SDK. Bad settings throw here, before listening.
  const eventBridge = bridgeOptions
    ? (await import('../eventbridge/sqs/start-event-bridge.js')).startEventBridge(
        engine,
        bridgeOptions,
        typeof options.cassette === 'string' ? `cassette "${options.cassette}"` : undefined,
      )
    : undefined;
  // Scenario steps change layers through the EventBridge side's control, so they cause their events too.
  const session = createReplaySession({
    engine,
    control: eventBridge?.control,
    scenario: prepared.scenario,
    journal: prepared.journal,
    wallClock: Date.now,
    speed: prepared.speed,
  });
  // A scenario taking the instance away sends its state changes.
  eventBridge?.follow(session);
  const listener = createRequestListener(session, {
    controlApi,
    allowHosts: options.allowHosts,
    onRequest: options.onRequest,
    timeRequests: options.timeRequests,
    journal: session.journal,
    ready: () => readiness && { ...readiness, now: new Date(engine.now()).toISOString() },
  });
  // Node checks the two timeouts below only every connectionsCheckingInterval (30 s by default).
  const server = createServer({ maxHeaderSize: 16_384, connectionsCheckingInterval: 1000 }, listener);
  // Slow or broken clients get a 4xx and lose their socket; everyone else keeps being served.
  server.headersTimeout = options.timeouts?.headersMs ?? 10_000;
  server.requestTimeout = options.timeouts?.requestMs ?? 30_000;
  server.keepAliveTimeout = 5_000;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (socket.writable && !socket.destroyed) {
      const status =
        error.code === 'HPE_HEADER_OVERFLOW'
          ? '431 Request Header Fields Too Large'
          : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? '408 Request Timeout'
            : '400 Bad Request';
      // AEMM's Go server answers a request it cannot parse with its status as plain text, then closes.
      if (options.profile === 'aemm')
        socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${status}`);
      else socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    }
    socket.destroy();
  });

  try {
    await listen(server, port, hostname);
  } catch (error) {
    await eventBridge?.close(0);
    await prepared.journalFile?.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const url = `http://${formatHost(hostname === '0.0.0.0' ? '127.0.0.1' : hostname === '::' ? '::1' : hostname)}:${address.port}`;
  // Ready once the instance first takes connections (a scenario may start with it refusing them).
  const becomeReady = (): void => {
    if (readiness || session.instance() === 'refused') return;
    readiness = { url, port: address.port, pid: process.pid, scenario: prepared.scenario?.name };
    if (prepared.readyFile) writeReadyFile(prepared.readyFile, `${JSON.stringify(readiness)}\n`);
  };
  // A scenario that brings the instance back listens again on the same port.
  server.on('error', (error) => process.emitWarning(`aemm: cannot listen on ${hostname}:${address.port} again: ${error.message}`));
  const supervisor = superviseInstance(server, session, prepared.speed, () => server.listen(address.port, hostname, becomeReady));
  becomeReady();
  const removeOnExit = (): void => {
    if (prepared.readyFile && readiness) removeReadyFile(prepared.readyFile);
  };
  process.once('exit', removeOnExit);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      supervisor.stop();
      listener.cancelDelayed();
      server.close(() => resolve());
      server.closeAllConnections();
    }).then(async () => {
      // Pending events get a last chance; what still fails is reported (onReport 'unsent'), not dropped silently.
      await eventBridge?.close();
      await prepared.journalFile?.close();
      removeOnExit();
      process.off('exit', removeOnExit);
    });
    return closing;
  };
  return {
    url,
    port: address.port,
    hostname,
    cassette,
    control: session.control,
    engine,
    journal: session.journal,
    onStep: (listener) => session.onStep(listener),
    controlApi,
    ...(eventBridge ? { eventBridge } : {}),
    get requests() {
      return listener.requests;
    },
    server,
    close,
    [Symbol.asyncDispose]: close,
  };
}
