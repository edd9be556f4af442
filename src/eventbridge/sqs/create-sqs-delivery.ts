import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { EventBridgeEvent } from '../build-eventbridge-event.js';

/** Static credentials for SigV4; never the SDK's default chain, which would ask the real IMDS. */
export interface SqsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Options of `createSqsDelivery`. */
export interface SqsDeliveryOptions {
  queueUrl: string;
  /** Where SendMessage goes, e.g. `http://127.0.0.1:5000` (moto). */
  endpoint: string;
  region: string;
  credentials: SqsCredentials;
  /** First retry delay (default 200 ms), doubled per failure up to `maxDelayMs` (default 5 s), with jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Longest wait for one SendMessage, connection included (default 5 s). */
  timeoutMs?: number;
  /** Events kept while SQS is failing (default 10,000); past that, new ones are handed to `onReport` instead. */
  maxPending?: number;
  /** Each delivery outcome, for the log. */
  onReport?: (report: DeliveryReport) => void;
}

/** One delivery outcome: a message sent, or a failed attempt that will be retried. */
export type DeliveryReport =
  | { type: 'sent'; event: EventBridgeEvent; attempts: number; messageId?: string }
  | { type: 'retry'; event: EventBridgeEvent; attempts: number; error: string; retryInMs: number; pending: number; httpStatus?: number }
  | { type: 'overflow'; event: EventBridgeEvent; pending: number };

/** What the delivery has done so far, for `control status`. */
export interface DeliveryStatus {
  queueUrl: string;
  sent: number;
  /** Events kept because they are not sent yet (the first one is being retried when `lastError` is set). */
  pending: number;
  failedAttempts: number;
  /** Events not queued because `maxPending` were already waiting (each went to `onReport`). */
  overflowed: number;
  lastError?: string;
}

/** An ordered queue of events on their way to SQS; a failed send is kept and retried, never dropped. */
export interface SqsDelivery {
  /** Queues an event; it is sent after every event queued before it. */
  send(event: EventBridgeEvent): void;
  status(): DeliveryStatus;
  /** Waits until nothing is pending or `timeoutMs` passed; true when everything was sent. */
  flush(timeoutMs: number): Promise<boolean>;
  /** Stops retrying (after a last flush of up to `timeoutMs`) and returns the events never sent. */
  close(timeoutMs?: number): Promise<EventBridgeEvent[]>;
}

function describeError(error: unknown): string {
  const err = error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = err.$metadata?.httpStatusCode;
  const name = err.code ?? err.name ?? 'Error';
  const message = (err.message ?? String(error)).split('\n')[0]!.slice(0, 200);
  return `${name}${status ? ` (HTTP ${status})` : ''}: ${message}`;
}

/** Sends events to one SQS queue with `SendMessage`, in order, retrying with exponential backoff. */
export function createSqsDelivery(options: SqsDeliveryOptions): SqsDelivery {
  const baseDelay = options.baseDelayMs ?? 200;
  const maxDelay = options.maxDelayMs ?? 5000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxPending = options.maxPending ?? 10_000;
  const fifo = new URL(options.queueUrl).pathname.endsWith('.fifo');
  const client = new SQSClient({
    endpoint: options.endpoint,
    region: options.region,
    credentials: options.credentials,
    // Our own loop retries, so a failure is reported (and the queue stays in order) every time.
    maxAttempts: 1,
    // The queue URL's host may be real AWS while the endpoint is a local SQS: the endpoint decides.
    useQueueUrlAsEndpoint: false,
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
  });
  const queue: EventBridgeEvent[] = [];
  let sent = 0;
  let failedAttempts = 0;
  let overflowed = 0;
  let lastError: string | undefined;
  let running = false;
  let closed = false;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const idle = new Set<() => void>();

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });

  const sendOne = async (event: EventBridgeEvent): Promise<string | undefined> => {
    const output = await client.send(
      new SendMessageCommand({
        QueueUrl: options.queueUrl,
        MessageBody: JSON.stringify(event),
        // FIFO queues need a group and a deduplication id; the event id is stable per event.
        ...(fifo ? { MessageGroupId: event.account, MessageDeduplicationId: event.id } : {}),
      }),
      { abortSignal: AbortSignal.timeout(timeoutMs) },
    );
    return output.MessageId;
  };

  const run = async (): Promise<void> => {
    if (running) return;
    running = true;
    let attempts = 0;
    while (queue.length > 0 && !closed) {
      const event = queue[0]!;
      attempts++;
      try {
        const messageId = await sendOne(event);
        queue.shift();
        sent++;
        lastError = undefined;
        options.onReport?.({ type: 'sent', event, attempts, ...(messageId ? { messageId } : {}) });
        attempts = 0;
      } catch (error) {
        failedAttempts++;
        lastError = describeError(error);
        const exponential = Math.min(maxDelay, baseDelay * 2 ** Math.min(attempts - 1, 20));
        // Jitter spreads the retries of several replays that lost the same queue at once.
        const retryInMs = Math.round(exponential * (0.5 + Math.random() / 2));
        const httpStatus = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        options.onReport?.({
          type: 'retry',
          event,
          attempts,
          error: lastError,
          retryInMs,
          pending: queue.length,
          ...(httpStatus ? { httpStatus } : {}),
        });
        if (!closed) await sleep(retryInMs);
      }
    }
    running = false;
    if (queue.length === 0) for (const resolve of idle) resolve();
  };

  const flush = (ms: number): Promise<boolean> => {
    if (queue.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(deadline);
        idle.delete(done);
        resolve(queue.length === 0);
      };
      const deadline = setTimeout(done, ms);
      idle.add(done);
      // Retry at once rather than wait out the backoff: the caller is about to stop.
      if (timer) clearTimeout(timer);
      wake?.();
    });
  };

  return {
    send(event) {
      if (closed) throw new Error('aemm: the SQS delivery is closed');
      // A queue that is down for good must not grow without end (a control loop can make events fast).
      if (queue.length >= maxPending) {
        overflowed++;
        options.onReport?.({ type: 'overflow', event, pending: queue.length });
        return;
      }
      queue.push(event);
      void run();
    },
    status: () => ({
      queueUrl: options.queueUrl,
      sent,
      pending: queue.length,
      failedAttempts,
      overflowed,
      ...(lastError ? { lastError } : {}),
    }),
    flush,
    async close(ms = 2000) {
      await flush(ms);
      closed = true;
      if (timer) clearTimeout(timer);
      wake?.();
      client.destroy();
      return queue.splice(0);
    },
  };
}
