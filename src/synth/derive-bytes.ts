import { sha256 } from '../core/sha256.js';

/**
 * Deterministic pseudo-random bytes for `seed`: SHA-256 in counter mode, so synthetic secrets and
 * signatures are stable across runs and platforms yet look random.
 */
export function deriveBytes(seed: string, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const encoder = new TextEncoder();
  for (let block = 0, filled = 0; filled < length; block++) {
    const digest = sha256(encoder.encode(`${seed}#${block}`));
    const take = Math.min(digest.length, length - filled);
    out.set(digest.subarray(0, take), filled);
    filled += take;
  }
  return out;
}
