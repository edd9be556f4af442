// SHA-256 and HMAC from @noble/hashes (audited, synchronous, runs in browsers): WebCrypto is async
// only, and node:crypto is not available in the core. The rest of aemm hashes through here.
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

/** SHA-256 digest of `data`. */
export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

/** A keyed HMAC-SHA256 function; the key's pad blocks are hashed once, here, not per call. */
export function createHmacSha256(key: Uint8Array): (data: Uint8Array) => Uint8Array {
  const keyed = hmac.create(nobleSha256, key);
  return (data) => keyed.clone().update(data).digest();
}
