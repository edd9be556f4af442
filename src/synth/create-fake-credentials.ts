import { encodeBase64 } from '../core/base64.js';
import { deriveBytes } from './derive-bytes.js';

/** The secret part of an IMDS credentials document. */
export interface FakeCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  token: string;
}

// Access key ids use the base32 alphabet; secret keys are 40 characters of base64.
const KEY_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

// Decoding the token reveals this banner, so nobody mistakes it for a leaked real one.
const TOKEN_BANNER = 'aemm synthetic session token - not valid on AWS\n';
const TOKEN_BYTES = 324;

/** Well-formed, obviously fake temporary credentials derived from `seed` (ASIA… key, 40-char secret, base64 token). */
export function createFakeCredentials(seed: string): FakeCredentials {
  const keyBytes = deriveBytes(`${seed}|access-key-id`, 16);
  const secretBytes = deriveBytes(`${seed}|secret-access-key`, 40);
  const banner = new TextEncoder().encode(TOKEN_BANNER);
  const tokenBytes = new Uint8Array(TOKEN_BYTES);
  tokenBytes.set(banner);
  tokenBytes.set(deriveBytes(`${seed}|token`, TOKEN_BYTES - banner.length), banner.length);
  return {
    accessKeyId: 'ASIA' + pickChars(keyBytes, KEY_ID_ALPHABET),
    secretAccessKey: pickChars(secretBytes, SECRET_ALPHABET),
    token: encodeBase64(tokenBytes),
  };
}

function pickChars(bytes: Uint8Array, alphabet: string): string {
  // Both alphabets have a power-of-two length, so masking keeps the choice unbiased.
  let out = '';
  for (const byte of bytes) out += alphabet[byte & (alphabet.length - 1)];
  return out;
}
