import { delay, http, HttpResponse, type HttpHandler } from 'msw';
import { UsageError } from '../core/errors.js';
import { createJournal, type Journal, type JournalEntry, type WaitForOptions } from '../core/journal/create-journal.js';
import { createReplayEngine, type ReplayEngine, type ReplayEngineOptions } from '../core/replay-engine.js';
import { createReplaySession, type ReplaySession, type SessionControl } from '../core/scenarios/create-replay-session.js';
import type { FiredStep } from '../core/scenarios/create-scenario-runner.js';
import { createSpeedClock } from '../core/scenarios/create-speed-clock.js';
import type { Scenario } from '../core/scenarios/scenario.js';
import { toScenario } from '../core/scenarios/to-scenario.js';
import type { ImdsRequest, ImdsResponse } from '../core/resolve-request.js';
import { validateCassette } from '../core/validate-cassette.js';
import type { EventBridgeEvent } from '../eventbridge/build-eventbridge-event.js';
import { createEventStream, type EventStream } from '../eventbridge/create-event-stream.js';
import { createEventTwin, type EventTwin } from '../eventbridge/create-event-twin.js';
import type { LifecycleHook } from '../eventbridge/list-occurrences.js';
import { toLifecycleHook } from '../eventbridge/to-lifecycle-hook.js';
import { createImdsMatcher } from './match-imds-request.js';
import { toHttpResponse, toImdsRequest } from './msw-adapter.js';

/**
 * What to do with an IMDS request the cassette (with its layers) has no answer for:
 * `not-found` answers IMDS's own 404 page, as `aemm replay` does; `passthrough` leaves it to the
 * handlers after these and, when none answers, lets msw perform it for real (a fallback to a real
 * or replayed IMDS at that address); `error` prints what is missing and fails the request with a
 * network error.
 */
export type MissPolicy = 'not-found' | 'passthrough' | 'error';

/** Options of `imdsHandlers`: the replay engine's own (cassette, layers, imdsv2, …) plus where and how to intercept. */
export interface ImdsHandlersOptions extends Omit<ReplayEngineOptions, 'secret' | 'clock'> {
  /** Origins to answer on; default the IPv4 and IPv6 IMDS addresses. */
  baseUrls?: readonly string[];
  /** What a request the cassette cannot answer (404) gets; default `not-found`. */
  onMiss?: MissPolicy;
  /** Wall clock in epoch ms, default `Date.now()`; `control.advance` moves the replay clock from it. */
  clock?: () => number;
  /** Token signing key; random per handler set when absent. */
  secret?: string;
  /** Called with each EventBridge event the notices cause, at the replay moment they show (as `aemm replay --sqs-queue-url` would send it). */
  onEvent?: (event: EventBridgeEvent) => void;
  /** The Auto Scaling group and hook that a scale-in's lifecycle event names. */
  lifecycleHook?: Partial<LifecycleHook>;
  /** A scenario to play on the handlers' clock: a built-in's name, a scenario file's JSON, or a parsed scenario. */
  scenario?: string | Scenario | Record<string, unknown>;
  /** Run the replay clock this many times faster than `clock` (default 1). */
  speed?: number;
  /** Requests the journal keeps (default 1000). */
  journalSize?: number;
}

/** The journal as tests get it: `waitFor` gives up after `timeoutMs` of wall time (default 5000) unless given a `signal`. */
export interface TestJournal extends Journal {
  waitFor(options: WaitForOptions & { timeoutMs?: number }): Promise<JournalEntry[]>;
}

/** Handlers for `setupServer(...handlers)` / `setupWorker(...handlers)` and the control over the instance they serve. */
export interface ImdsHandlers {
  handlers: HttpHandler[];
  /** Time travel, token mode, the mock layers, and `signal` for scenario steps waiting on a control call. */
  control: SessionControl;
  engine: ReplayEngine;
  /** Every request these handlers answered, with waits and assertions for tests (`waitFor`, `expectPolled`). */
  journal: TestJournal;
  /** Calls `listener` for every scenario step that fires, with its replay-clock instant; returns the unsubscribe function. */
  onStep(listener: (fired: FiredStep) => void): () => void;
  /**
   * The EventBridge events the notices cause, as an async iterable (each `for await` starts from
   * the first); `events.emitted` lists them. Watching starts the first time this is read.
   */
  readonly events: EventStream;
}

/** The addresses real IMDS answers on (docs/imds-behaviour.md §1). */
export const DEFAULT_BASE_URLS: readonly string[] = ['http://169.254.169.254', 'http://[fd00:ec2::254]'];

const MISS_POLICIES: readonly MissPolicy[] = ['not-found', 'passthrough', 'error'];

function randomBytes(count: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(count));
}

function createSecret(): string {
  return Array.from(randomBytes(32), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function checkOptions(options: ImdsHandlersOptions): void {
  if (typeof options !== 'object' || options === null || typeof options.cassette !== 'object' || options.cassette === null) {
    throw new UsageError(
      'imdsHandlers needs a cassette object. Pass { cassette: defaultCassette } from "ec2-imds-replay/msw", a JSON import, or await loadCassette(path) from "ec2-imds-replay/msw/node".',
    );
  }
  if (options.onMiss !== undefined && !MISS_POLICIES.includes(options.onMiss)) {
    throw new UsageError(`onMiss "${String(options.onMiss)}" is unknown. Use "not-found", "passthrough" or "error".`);
  }
  if (options.imdsv2 !== undefined && options.imdsv2 !== 'optional' && options.imdsv2 !== 'required') {
    throw new UsageError(`imdsv2 "${String(options.imdsv2)}" is unknown. Use "optional" or "required".`);
  }
  if (options.clock !== undefined && typeof options.clock !== 'function') {
    throw new UsageError('clock is not a function. Pass a function returning epoch milliseconds, like () => Date.now().');
  }
  if (options.secret !== undefined && (typeof options.secret !== 'string' || options.secret === '')) {
    throw new UsageError('secret is empty or not a string. Pass a non-empty string, or leave it out for a random one.');
  }
}

/**
 * msw request handlers that answer IMDS requests from a cassette exactly as `aemm replay` would,
 * in Node (`msw/node`) and in the browser (`msw/browser`), plus the control over their clock,
 * token mode and layers.
 */
export function imdsHandlers(options: ImdsHandlersOptions): ImdsHandlers {
  checkOptions(options);
  const {
    baseUrls = DEFAULT_BASE_URLS,
    onMiss = 'not-found',
    clock,
    secret,
    cassette,
    onEvent,
    lifecycleHook,
    scenario,
    speed = 1,
    journalSize,
    ...engineOptions
  } = options;
  // Scenario files carry a `format`; a parsed Scenario (from loadScenario) does not.
  const parsedScenario =
    scenario === undefined
      ? undefined
      : typeof scenario === 'string' || 'format' in scenario
        ? toScenario(scenario as string | Record<string, unknown>, 'imdsHandlers({ scenario })')
        : (scenario as Scenario);
  const wall = clock ?? (() => Date.now());
  const engine = createReplayEngine({
    ...engineOptions,
    cassette: validateCassette(cassette, 'imdsHandlers({ cassette })'),
    clock: createSpeedClock(wall, speed),
    secret: secret ?? createSecret(),
  });
  const match = createImdsMatcher(baseUrls);

  // The EventBridge side starts only when asked for (onEvent, or reading `events`): it needs an identity document.
  let twin: EventTwin | undefined;
  let stream: ReturnType<typeof createEventStream> | undefined;
  // The session the twin follows (a scenario taking the instance away sends its state changes).
  const followed: { session?: ReplaySession } = {};
  const watch = (): EventTwin => {
    stream ??= createEventStream();
    const events = stream;
    if (!twin) {
      twin = createEventTwin({
        engine,
        hook: { ...toLifecycleHook(parsedScenario?.sqs), ...lifecycleHook },
        source: 'imdsHandlers({ cassette })',
        onEvent: (event) => {
          events.push(event);
          onEvent?.(event);
        },
      });
      if (followed.session) twin.follow(followed.session);
    }
    return twin;
  };
  if (onEvent) watch();
  // Each control verb emits the events it causes before it returns, once the EventBridge side runs.
  const control = Object.fromEntries(
    Object.entries(engine.control).map(([verb, run]) => [
      verb,
      (...args: unknown[]) =>
        twin
          ? (twin.control as unknown as Record<string, (...a: unknown[]) => unknown>)[verb]!(...args)
          : (run as (...a: unknown[]) => unknown)(...args),
    ]),
  ) as unknown as ReplayEngine['control'];
  // Scenario steps change layers through the same control, so they cause their events too.
  const journal = createJournal({ size: journalSize });
  const session = createReplaySession({ engine, control, scenario: parsedScenario, journal, wallClock: wall, speed });
  followed.session = session;
  twin?.follow(session);

  // Deciding in the predicate, not the resolver, matters: msw performs a matched request for real
  // when no handler answers it, while an unmatched one goes to its onUnhandledRequest policy.
  const predicate = ({ request }: { request: Request }) => {
    const target = match(request);
    return target ? { matches: true, params: { path: target.path, host: target.host } } : false;
  };
  const respond = (request: ImdsRequest, url: string, response: ImdsResponse): HttpResponse<Uint8Array> | undefined => {
    if (response.miss && onMiss !== 'not-found') {
      // Returning nothing lets the handlers after ours answer; with none, msw sends it on as is.
      if (onMiss === 'passthrough') return undefined;
      console.error(
        `[aemm] ${request.method} ${url} has no answer in the cassette (onMiss: "error"). ` +
          'Add the entry or a layer that serves it, or use onMiss: "not-found" to answer 404 as IMDS does.',
      );
      return HttpResponse.error();
    }
    return toHttpResponse(response);
  };
  // Fault layers may delay an answer or withhold it; a dropped connection is a network error here.
  const respondLater = async (request: ImdsRequest, url: string, response: ImdsResponse): Promise<HttpResponse<Uint8Array> | undefined> => {
    if (response.delayMs) await delay(response.delayMs);
    if (response.abort === 'hang') await delay('infinite');
    if (response.abort === 'drop') return HttpResponse.error();
    return respond(request, url, response);
  };

  const handler = http.all(predicate, ({ request, params }) => {
    const imdsRequest = toImdsRequest(request, { path: String(params.path), host: String(params.host) });
    // The address the client meant, also for `//latest/…` requests that msw shows as host "latest".
    const url = `${request.url.startsWith('https:') ? 'https' : 'http'}://${imdsRequest.headers.host}${imdsRequest.path}`;
    // A notice a client can see has had its event already, even between the watcher's looks.
    twin?.check();
    const response: ImdsResponse = session.resolve(imdsRequest, imdsRequest.method === 'PUT' ? randomBytes(8) : undefined);
    if (response.delayMs || response.abort) return respondLater(imdsRequest, url, response);
    return respond(imdsRequest, url, response);
  });
  const testJournal: TestJournal = {
    ...journal,
    get size() {
      return journal.size;
    },
    get total() {
      return journal.total;
    },
    waitFor({ timeoutMs = 5000, signal, ...wait }) {
      if (signal) return journal.waitFor({ ...wait, signal });
      // A timer of our own: AbortSignal.timeout's does not keep the process alive, so a test awaiting
      // a request that never comes could end with its promise pending instead of failing.
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      return journal.waitFor({ ...wait, signal: controller.signal }).finally(() => clearTimeout(timer));
    },
  };
  return {
    handlers: [handler],
    control: session.control,
    // The engine as the handlers use it: its control is the one that also emits events.
    engine: { ...engine, control },
    journal: testJournal,
    onStep: (listener) => session.onStep(listener),
    get events() {
      watch();
      return stream!.stream;
    },
  };
}
