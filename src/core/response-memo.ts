import type { ImdsResponse } from './resolve-request.js';

/**
 * What an answer depends on besides the engine's state and the clock: the request target as
 * sent, the method (upper case), the Host header (301 Locations), the client address (only when
 * mock-ip-count tells clients apart, else undefined) and whether the token passed.
 */
export interface RequestShape {
  path: string;
  method: string;
  host: string | undefined;
  client: string | undefined;
  accepted: boolean;
}

/** Answers an engine has already worked out, each for the replay-clock span in which it holds. */
export interface ResponseMemo {
  /**
   * The answer remembered for a request of this shape if it still holds at `now`, with the
   * target's path as faults and throttles see it (so a hit need not parse the target).
   */
  get(shape: RequestShape, now: number): Remembered | undefined;
  /** Remembers `response` for the shape from `from` until just before `until` (replay clock). */
  set(shape: RequestShape, response: ImdsResponse, from: number, until: number, interceptPath: string): void;
  /** Forgets every answer (the engine's state changed). */
  clear(): void;
}

// Enough for every path a client polls; past it the memo starts over, so memory stays bounded
// whatever paths or headers clients make up.
const MAX_ANSWERS = 2048;
// Shapes kept per target: a client sending ever new Host values replaces the oldest, so a lookup
// never scans more than this.
const MAX_SHAPES = 8;

/** A remembered answer and the path faults and throttles see for its target. */
export interface Remembered {
  response: ImdsResponse;
  interceptPath: string;
}

interface Target {
  shapes: Held[];
  interceptPath: string;
}

interface Held {
  method: string;
  host: string | undefined;
  client: string | undefined;
  accepted: boolean;
  response: ImdsResponse;
  from: number;
  until: number;
}

const sameShape = (held: Held, shape: RequestShape): boolean =>
  held.accepted === shape.accepted && held.method === shape.method && held.host === shape.host && held.client === shape.client;

/** An empty memo of at most a couple of thousand answers. */
export function createResponseMemo(): ResponseMemo {
  // By target first: one hash of the path, then a short scan over the shapes seen for it.
  const byPath = new Map<string, Target>();
  let count = 0;
  return {
    get(shape, now) {
      const target = byPath.get(shape.path);
      if (target === undefined) return undefined;
      for (const held of target.shapes) {
        // `from` too: a wall clock that steps back must not see an answer of its future.
        if (sameShape(held, shape))
          return now >= held.from && now < held.until ? { response: held.response, interceptPath: target.interceptPath } : undefined;
      }
      return undefined;
    },
    set(shape, response, from, until, interceptPath) {
      if (until <= from) return;
      if (count >= MAX_ANSWERS) {
        byPath.clear();
        count = 0;
      }
      let target = byPath.get(shape.path);
      if (!target) byPath.set(shape.path, (target = { shapes: [], interceptPath }));
      const { shapes } = target;
      const { method, host, client, accepted } = shape;
      const held: Held = { method, host, client, accepted, response, from, until };
      const at = shapes.findIndex((candidate) => sameShape(candidate, shape));
      if (at !== -1) shapes[at] = held;
      else {
        if (shapes.length >= MAX_SHAPES) shapes.shift();
        else count++;
        shapes.push(held);
      }
    },
    clear() {
      byPath.clear();
      count = 0;
    },
  };
}
