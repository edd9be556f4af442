import { createClientGate, type ClientGate } from './client-gate.js';
import type { FaultConfig, ThrottleConfig } from './layer-settings.js';

/**
 * What mock layers count while they run: faults left per fault, throttle buckets, admitted
 * clients. It outlives the layers, which are rebuilt on every run-time change, so an unrelated
 * change neither revives a spent fault nor forgets which clients were admitted.
 */
export interface LayerState {
  /** The mock-ip-count gate for a limit; the same gate while the limit stays the same. */
  gate(limit: number | undefined): ClientGate;
  /** Matching requests a fault has left (Infinity when unlimited). */
  faultsLeft: WeakMap<FaultConfig, { left: number }>;
  /** A throttle's token bucket. */
  buckets: WeakMap<ThrottleConfig, { tokens: number; last: number | undefined }>;
}

/** Fresh counters, as at the start of a replay. */
export function createLayerState(): LayerState {
  let current: { limit: number | undefined; gate: ClientGate } | undefined;
  return {
    gate(limit) {
      if (!current || current.limit !== limit) current = { limit, gate: createClientGate(limit) };
      return current.gate;
    },
    faultsLeft: new WeakMap(),
    buckets: new WeakMap(),
  };
}
