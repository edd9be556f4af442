import { UsageError } from '../../core/errors.js';
import { isLoopback } from '../../core/is-loopback.js';
import type { ReplayControl, ReplayEngine, ReplayStatus } from '../../core/replay-engine.js';
import type { EventBridgeEvent } from '../build-eventbridge-event.js';
import { createEventTwin, type EventTwin, type InstanceFeed } from '../create-event-twin.js';
import { createSqsDelivery, type DeliveryReport, type DeliveryStatus, type SqsCredentials } from './create-sqs-delivery.js';
import { isKnownRegion } from './is-known-region.js';
import { readInstanceIdentity } from '../instance-identity.js';
import { parseSqsSettings, type SqsSettings, type SqsSettingsInput } from '../sqs-settings.js';

/** `startServer({ eventBridge })`: where to send the events, plus how to report on them. */
export interface EventBridgeOptions extends SqsSettingsInput {
  /** SigV4 credentials; default AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, else fakes for a loopback endpoint. */
  credentials?: SqsCredentials;
  /** Each event as it is queued for SQS. */
  onEvent?: (event: EventBridgeEvent) => void;
  /** Each delivery outcome, and at close the events that could not be sent. */
  onReport?: (report: EventBridgeReport) => void;
  /** Retry timing, the per-request timeout and the most events kept (defaults 200 ms doubling to 5 s, 5 s, 10,000). */
  retry?: { baseDelayMs?: number; maxDelayMs?: number; timeoutMs?: number; maxPending?: number };
  /** Wall-clock polling for notices that show by the passing of time, default 100 ms. */
  pollMs?: number;
  /** How long closing the server keeps trying to send what is pending (default 2 s). */
  closeTimeoutMs?: number;
  /** The replay's request journal: each SendMessage attempt goes in as a `SendMessage` entry (status 0 without an answer). */
  journal?: JournalSink;
}

/** The part of a request journal the twin writes to. */
export interface JournalSink {
  record(record: {
    at: number;
    wallAt: number;
    method: string;
    path: string;
    token: 'absent';
    status: number;
    layer?: string;
    step?: string;
  }): void;
}

/** A delivery outcome, or the events still unsent when the server closed. */
export type EventBridgeReport = DeliveryReport | { type: 'unsent'; events: EventBridgeEvent[]; lastError?: string };

/** `control.status()` with the EventBridge delivery's own state. */
export interface EventBridgeStatus extends ReplayStatus {
  eventBridge: DeliveryStatus & { instanceId: string; region: string };
}

/** A running EventBridge twin that delivers to SQS. */
export interface EventBridge {
  twin: EventTwin;
  /** The engine's control, emitting events as it changes things; `status()` adds `eventBridge`. */
  control: ReplayControl;
  status(): EventBridgeStatus['eventBridge'];
  /** Waits until every queued event was sent, or `timeoutMs` passed; true when nothing is pending. */
  flush(timeoutMs: number): Promise<boolean>;
  /**
   * Follows a replay session: its instance state (a scenario taking the instance away sends the
   * state changes) and its request journal, unless `journal` was given.
   */
  follow(session: InstanceFeed & { journal?: JournalSink }): void;
  /** Stops watching, tries to send what is pending for up to `timeoutMs`, and returns what never went. */
  close(timeoutMs?: number): Promise<EventBridgeEvent[]>;
}

/** A fake key pair for local SQS servers, which check the signature's form but not its owner. */
const LOCAL_CREDENTIALS: SqsCredentials = { accessKeyId: 'AKIAAEMMLOCALFAKE000', secretAccessKey: 'aemm-local-sqs-not-a-real-secret' };

function pickCredentials(options: EventBridgeOptions, remote: boolean): SqsCredentials {
  if (options.credentials) return options.credentials;
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = process.env;
  if (accessKeyId && secretAccessKey) return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  // Never the SDK's default chain: on a laptop it would ask 169.254.169.254 for credentials.
  if (remote)
    throw new UsageError(
      'Sending events to a remote SQS endpoint needs credentials, and none are set. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use a local SQS (aemm never needs real AWS).',
    );
  return LOCAL_CREDENTIALS;
}

/** Parses SQS settings (one clear error for each mistake) without starting anything. */
export function checkEventBridgeOptions(
  options: EventBridgeOptions,
  label: string | ((key: string) => string) = 'eventBridge',
): SqsSettings {
  const { credentials: _c, onEvent: _e, onReport: _r, retry: _t, pollMs: _p, closeTimeoutMs: _w, journal: _j, ...settings } = options;
  return parseSqsSettings(settings, isKnownRegion, label);
}

/** Delivers an engine's notices to an SQS queue as the EventBridge events AWS would send for them. */
export function startEventBridge(engine: ReplayEngine, options: EventBridgeOptions, source?: string): EventBridge {
  const settings = checkEventBridgeOptions(options);
  const remote = !isLoopback(new URL(settings.endpoint).hostname.replace(/^\[|\]$/g, ''));
  const credentials = pickCredentials(options, remote);
  const identity = readInstanceIdentity(engine.cassette, source);
  let journal = options.journal;
  const delivery = createSqsDelivery({
    queueUrl: settings.queueUrl,
    endpoint: settings.endpoint,
    region: settings.region ?? identity.region,
    credentials,
    ...options.retry,
    onReport(report) {
      if (report.type === 'sent' || report.type === 'retry') {
        // One journal line per attempt: a test can wait for `{ method: 'SendMessage' }` like for a request.
        const status = report.type === 'sent' ? 200 : (report.httpStatus ?? 0);
        journal?.record({
          at: engine.now(),
          wallAt: Date.now(),
          method: 'SendMessage',
          path: new URL(settings.queueUrl).pathname,
          token: 'absent',
          status,
          layer: 'eventbridge',
          step: report.event['detail-type'],
        });
      }
      options.onReport?.(report);
    },
  });
  const twin = createEventTwin({
    engine,
    hook: settings.hook,
    pollMs: options.pollMs,
    source,
    onEvent(event) {
      options.onEvent?.(event);
      delivery.send(event);
    },
  });
  const status = (): EventBridgeStatus['eventBridge'] => ({
    ...delivery.status(),
    instanceId: twin.identity.instanceId,
    region: twin.identity.region,
  });
  return {
    twin,
    // Every answer of the control carries the delivery's state, so `aemm control …` shows it too.
    control: Object.fromEntries(
      Object.entries(twin.control).map(([verb, run]) => [
        verb,
        (...args: unknown[]) => ({ ...(run as (...a: unknown[]) => ReplayStatus)(...args), eventBridge: status() }),
      ]),
    ) as unknown as ReplayControl,
    status,
    flush: (timeoutMs) => delivery.flush(timeoutMs),
    follow(session) {
      journal ??= session.journal;
      twin.follow(session);
    },
    async close(timeoutMs = options.closeTimeoutMs ?? 2000) {
      twin.close();
      const lastError = delivery.status().lastError;
      const unsent = await delivery.close(timeoutMs);
      if (unsent.length > 0) options.onReport?.({ type: 'unsent', events: unsent, ...(lastError ? { lastError } : {}) });
      return unsent;
    },
  };
}
