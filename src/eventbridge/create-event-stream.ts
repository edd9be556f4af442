import type { EventBridgeEvent } from './build-eventbridge-event.js';

/** The events of one replay as an async iterable: every `for await` starts from the first event. */
export interface EventStream extends AsyncIterable<EventBridgeEvent> {
  /** Every event so far, oldest first. */
  readonly emitted: readonly EventBridgeEvent[];
}

/** A stream that keeps every event pushed into it and wakes the iterators waiting for the next. */
export function createEventStream(): { stream: EventStream; push(event: EventBridgeEvent): void } {
  const emitted: EventBridgeEvent[] = [];
  const waiting = new Set<() => void>();
  const stream: EventStream = {
    emitted,
    [Symbol.asyncIterator]() {
      let index = 0;
      let done = false;
      return {
        async next(): Promise<IteratorResult<EventBridgeEvent>> {
          while (!done && index >= emitted.length) await new Promise<void>((resolve) => waiting.add(resolve));
          if (done) return { done: true, value: undefined };
          return { done: false, value: emitted[index++]! };
        },
        async return(): Promise<IteratorResult<EventBridgeEvent>> {
          done = true;
          return { done: true, value: undefined };
        },
      };
    },
  };
  return {
    stream,
    push(event) {
      emitted.push(event);
      const wake = [...waiting];
      waiting.clear();
      for (const resolve of wake) resolve();
    },
  };
}
