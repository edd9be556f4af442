import type { Cassette } from '../core/cassette.js';
import type { ReplayControl, ReplayEngine } from '../core/replay-engine.js';
import type { EventBridgeEvent, InstanceOccurrence } from './build-eventbridge-event.js';
import { createEventWatcher } from './create-event-watcher.js';
import { readInstanceIdentity, type InstanceIdentity } from './instance-identity.js';
import { listOccurrences, type LifecycleHook } from './list-occurrences.js';

/** Names the ASG and hook get when neither the settings nor the cassette's tags name them. */
export const DEFAULT_LIFECYCLE_HOOK: LifecycleHook = { groupName: 'aemm-asg', hookName: 'aemm-terminate-hook' };

/** Options of `createEventTwin`. */
export interface EventTwinOptions {
  engine: ReplayEngine;
  /** Called once per event, at the replay moment its notice shows. */
  onEvent: (event: EventBridgeEvent) => void;
  /** The scale-in's Auto Scaling group and hook; unset names come from the cassette's tags, then the defaults. */
  hook?: Partial<LifecycleHook>;
  /** Wall-clock polling for notices that show by the passing of time (default 100 ms); 0 only after control calls. */
  pollMs?: number;
  /** Names the cassette in the error when it lacks an identity. */
  source?: string;
}

/** The EventBridge side of one replay: the same notices as IMDS, as the events AWS would send for them. */
export interface EventTwin {
  identity: InstanceIdentity;
  hook: LifecycleHook;
  /** The engine's control; every change (a trigger, `advance`, `setTime`, `reset`) emits its events before it returns. */
  control: ReplayControl;
  /** Looks for new events now; returns how many it emitted. */
  check(): number;
  /**
   * Follows whether the instance answers (a scenario's `up`, `refused`, `dropped`): taken away, it
   * has stopped or terminated. `subscribe` tells the twin at once when that may have changed.
   */
  follow(session: InstanceFeed): void;
  close(): void;
}

/** Where the twin reads whether the instance is still there (a replay session). */
export interface InstanceFeed {
  instance(): string;
  /** When the instance got its current state, on the replay clock: a step's own instant, not when anyone looked. */
  instanceSince?(): number | undefined;
  onChange?(listener: () => void): () => void;
}

/** Maintenance events whose state the twin remembers after they stop showing. */
const MAX_REMEMBERED_EVENTS = 1000;

const GROUP_TAG = '/latest/meta-data/tags/instance/aws:autoscaling:groupName';

function resolveHook(cassette: Cassette, hook: Partial<LifecycleHook> = {}): LifecycleHook {
  const tag = cassette.entries[GROUP_TAG];
  const tagged = tag && tag.status === 200 && typeof tag.body === 'string' && tag.body !== '' ? tag.body : undefined;
  return {
    groupName: hook.groupName ?? tagged ?? DEFAULT_LIFECYCLE_HOOK.groupName,
    hookName: hook.hookName ?? DEFAULT_LIFECYCLE_HOOK.hookName,
    ...(hook.notificationMetadata === undefined ? {} : { notificationMetadata: hook.notificationMetadata }),
  };
}

/**
 * Watches an engine's notices and emits, for each one that shows or changes, the EventBridge
 * event AWS would deliver, with the cassette's instance id, account and region.
 */
export function createEventTwin(options: EventTwinOptions): EventTwin {
  const { engine } = options;
  const identity = readInstanceIdentity(engine.cassette, options.source);
  const hook = resolveHook(engine.cassette, options.hook);
  let feed: InstanceFeed | undefined;
  let unsubscribe: (() => void) | undefined;
  // When the instance was seen going away, on the replay clock; cleared when it answers again.
  let goneSince: number | undefined;
  // Each maintenance event's state when first seen, and since when: a changed state is news of its own.
  let eventStates = new Map<string, { state: string; since: number }>();
  // IMDS keeps an event's first moment when its state changes (it moves to history), but AWS Health
  // publishes the change when it happens: the event for a new state is dated when it was seen.
  const dateChanges = (occurrences: InstanceOccurrence[], now: number): InstanceOccurrence[] => {
    const dated = occurrences.map((occurrence) => {
      if (occurrence.kind !== 'scheduled-change') return occurrence;
      const known = eventStates.get(occurrence.eventId);
      const seen =
        known === undefined
          ? { state: occurrence.state, since: occurrence.at }
          : known.state === occurrence.state
            ? known
            : { state: occurrence.state, since: now };
      // Kept while the event is away too: a scenario replaces the events layer (clear, then apply) to change one.
      eventStates.delete(occurrence.eventId);
      eventStates.set(occurrence.eventId, seen);
      return seen.since > occurrence.at ? { ...occurrence, at: seen.since } : occurrence;
    });
    // The oldest go first past a bound, so memory stays small however many events come and go.
    for (const id of eventStates.keys()) {
      if (eventStates.size <= MAX_REMEMBERED_EVENTS) break;
      eventStates.delete(id);
    }
    return dated.sort((a, b) => a.at - b.at);
  };
  const watcher = createEventWatcher({
    identity,
    now: engine.now,
    occurrences: (now) => {
      const up = (feed?.instance() ?? 'up') === 'up';
      if (up) goneSince = undefined;
      else goneSince ??= Math.min(now, feed?.instanceSince?.() ?? now);
      return dateChanges(listOccurrences(engine.notices(), now, hook, goneSince), now);
    },
    onEvent: options.onEvent,
    pollMs: options.pollMs,
  });
  // Every verb is wrapped, those added later included: a look costs little and misses nothing.
  const control = Object.fromEntries(
    Object.entries(engine.control).map(([verb, run]) => [
      verb,
      (...args: unknown[]) => {
        const result: unknown = (run as (...a: unknown[]) => unknown)(...args);
        // A reset replay starts over: its notices are announced again when they show again.
        if (verb === 'reset') {
          watcher.forget();
          eventStates = new Map();
        }
        if (verb !== 'status') watcher.check();
        return result;
      },
    ]),
  ) as unknown as ReplayControl;
  return {
    identity,
    hook,
    control,
    check: watcher.check,
    follow(session) {
      feed = session;
      unsubscribe?.();
      unsubscribe = session.onChange?.(() => watcher.check());
      watcher.check();
    },
    close() {
      unsubscribe?.();
      watcher.close();
    },
  };
}
