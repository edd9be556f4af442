import type { ImdsResponse } from './resolve-request.js';

/** Answers an engine has already worked out, each for the replay-clock span in which it holds. */
export interface ResponseMemo {
  /** The answer remembered for `key` if it still holds at `now`. */
  get(key: string, now: number): ImdsResponse | undefined;
  /** Remembers `response` for `key` from `from` until just before `until` (replay clock). */
  set(key: string, response: ImdsResponse, from: number, until: number): void;
  /** Forgets every answer (the engine's state changed). */
  clear(): void;
}

// Enough for every path a client polls; past it the memo starts over, so memory stays bounded
// whatever paths or headers clients make up.
const MAX_ANSWERS = 2048;

interface Held {
  response: ImdsResponse;
  from: number;
  until: number;
}

/** An empty memo of at most a couple of thousand answers. */
export function createResponseMemo(): ResponseMemo {
  const held = new Map<string, Held>();
  return {
    get(key, now) {
      const found = held.get(key);
      // `from` too: a wall clock that steps back must not see an answer of its future.
      return found !== undefined && now >= found.from && now < found.until ? found.response : undefined;
    },
    set(key, response, from, until) {
      if (until <= from) return;
      if (held.size >= MAX_ANSWERS) held.clear();
      held.set(key, { response, from, until });
    },
    clear() {
      held.clear();
    },
  };
}
