import { sha256 } from '../core/sha256.js';

const encoder = new TextEncoder();

/**
 * An id in the form EventBridge documents (a version 4 UUID) that depends only on its inputs, so
 * the same replay sends the same ids every run (the core takes no randomness).
 */
export function deriveEventId(...parts: readonly (string | number)[]): string {
  const digest = sha256(encoder.encode(parts.map(String).join('\u0000')));
  const bytes = digest.slice(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
