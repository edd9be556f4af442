import { buildEventBridgeEvent, type EventBridgeEvent, type InstanceOccurrence } from './build-eventbridge-event.js';
import type { InstanceIdentity } from './instance-identity.js';

/** Options of `createEventWatcher`. */
export interface EventWatcherOptions {
  identity: InstanceIdentity;
  /** The replay clock, epoch ms. */
  now: () => number;
  /** What has happened to the instance by replay time `now`, oldest first. */
  occurrences: (now: number) => readonly InstanceOccurrence[];
  /** Called once per event, in time order. */
  onEvent: (event: EventBridgeEvent) => void;
  /** Also look on a wall-clock timer this often (default 100 ms); 0 looks only when `check()` is called. */
  pollMs?: number;
}

/** Turns what the layers show into events, each exactly once, at the replay moment it happens. */
export interface EventWatcher {
  /** Looks now and emits what is new; returns how many events it emitted. */
  check(): number;
  /** Events emitted so far. */
  readonly emitted: number;
  /** Forgets what was emitted, so a reset replay announces its notices again. */
  forget(): void;
  close(): void;
}

/**
 * Watches the replay clock for notices that became visible or changed. An event depends only on
 * what happened and when, so a notice seen twice is announced once, and a changed one (another
 * action, a new state) is announced again.
 */
export function createEventWatcher(options: EventWatcherOptions): EventWatcher {
  let seen = new Set<string>();
  let emitted = 0;
  const check = (): number => {
    let fresh = 0;
    const current = new Set<string>();
    for (const occurrence of options.occurrences(options.now())) {
      // The occurrence decides the event (and its id), so it is the cheaper key: no hash per look.
      const key = JSON.stringify(occurrence);
      current.add(key);
      if (seen.has(key)) continue;
      emitted++;
      fresh++;
      options.onEvent(buildEventBridgeEvent(occurrence, options.identity));
    }
    // Only what shows now is remembered: memory stays the size of the notices, however many come and go.
    seen = current;
    return fresh;
  };
  const pollMs = options.pollMs ?? 100;
  const timer = pollMs > 0 ? setInterval(check, pollMs) : undefined;
  // A watcher must never keep a test process or a CLI alive on its own.
  (timer as { unref?: () => void } | undefined)?.unref?.();
  check();
  return {
    check,
    get emitted() {
      return emitted;
    },
    forget() {
      seen = new Set();
    },
    close() {
      if (timer !== undefined) clearInterval(timer);
    },
  };
}
