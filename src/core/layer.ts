import type { Cassette, Entry } from './cassette.js';
import type { Notice } from './notice.js';

/** What a layer sees when asked for its patch: the replay clock, the client and the cassette under it. */
export interface LayerContext {
  /** Replay clock, epoch milliseconds. */
  now: number;
  /** Address of the client that sent the request, when known (mock-ip-count uses it). */
  clientAddress?: string;
  cassette: Cassette;
}

/**
 * Entries a layer adds or replaces (an Entry) or hides (null) at one moment, keyed like cassette
 * entries (`/latest/…`). A null on a directory key (ending in "/") hides the whole subtree.
 */
export type Patch = ReadonlyMap<string, Entry | null>;

/** The parts of a request a fault or throttle looks at. */
export interface InterceptRequest {
  method: string;
  /** Decoded path with repeated slashes collapsed and no trailing slash (`/latest/meta-data/spot`). */
  path: string;
}

/** What a fault does to a request: answer a status, delay the answer, or never answer properly. */
export interface Intercept {
  status?: number;
  delayMs?: number;
  /** `drop`: close the connection without an answer; `hang`: keep it open and never answer. */
  abort?: 'drop' | 'hang';
}

/** Something applied on top of a cassette at replay time; layers are ordered and later ones win. */
export interface Layer {
  readonly name: string;
  /**
   * A notice (spot, rebalance, events, ASG) as data; the request's profile renders it, and the
   * pipeline decides once per request whether it shows (trigger passed, client admitted).
   */
  readonly notice?: Notice;
  /** Faults and throttles: a say over the request before the cassette is consulted. */
  intercept?(request: InterceptRequest, context: LayerContext): Intercept | undefined;
  /**
   * The layer's patch at this moment, or undefined when it changes nothing. Return the same Map
   * object for as long as the answer does not change: views are cached by patch identity.
   */
  patch?(context: LayerContext): Patch | undefined;
  /**
   * With `patch`: the first instant after `now` before which `patch` returns the same answer for
   * every request. An engine remembers answers for that long; a layer without it has its patch
   * asked on every request.
   */
  stableUntil?(now: number): number;
}

/** Turns an ordered list of patches into one: later keys win, and a hidden directory drops earlier entries under it. */
export function mergePatches(patches: readonly Patch[]): Map<string, Entry | null> {
  const merged = new Map<string, Entry | null>();
  for (const patch of patches) {
    for (const [key, value] of patch) {
      if (value === null && key.endsWith('/')) {
        for (const existing of [...merged.keys()]) if (existing.startsWith(key)) merged.delete(existing);
      }
      merged.set(key, value);
    }
  }
  return merged;
}

/**
 * Every layer's patch at this moment, in layer order, leaving out layers that change nothing; a
 * notice layer's patch is what `renderNotice` makes of it.
 */
export function collectPatches(
  layers: readonly Layer[],
  context: LayerContext,
  renderNotice?: (notice: Notice) => Patch | undefined,
): Patch[] {
  const patches: Patch[] = [];
  for (const layer of layers) {
    const patch = layer.notice ? renderNotice?.(layer.notice) : layer.patch?.(context);
    if (patch && patch.size > 0) patches.push(patch);
  }
  return patches;
}
