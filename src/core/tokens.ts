import { decodeBase64, encodeBase64 } from './base64.js';
import { createHmacSha256 } from './sha256.js';

/** Token TTL bounds real IMDS accepts, in seconds (imds-facts §3). */
export const TOKEN_TTL_MIN = 1;
export const TOKEN_TTL_MAX = 21600;

const VERSION = 1;
const MAC_BYTES = 24;
// 1 version + 1 spare + 8 expiry + 8 nonce + 24 MAC = 42 bytes = 56 base64 characters, the length of real tokens.
const TOKEN_BYTES = 42;
const BODY_BYTES = TOKEN_BYTES - MAC_BYTES;

/** Per secret: its HMAC, and the expiry of tokens already verified (clients reuse theirs for hours). */
interface Signer {
  sign: (data: Uint8Array) => Uint8Array;
  verified: Map<string, number>;
}

const signers = new Map<string, Signer>();
// Enough for every client of a test run; past it the memo starts over, so memory stays bounded.
const MAX_VERIFIED = 4096;

function signerFor(secret: string): Signer {
  let signer = signers.get(secret);
  if (!signer) {
    signer = { sign: createHmacSha256(new TextEncoder().encode(secret)), verified: new Map() };
    // A handful of secrets per process at most; the bound only guards against misuse.
    if (signers.size > 64) signers.clear();
    signers.set(secret, signer);
  }
  return signer;
}

/**
 * A stateless IMDSv2 token: expiry and nonce inside, signed with `secret`, so issuing a million
 * tokens costs no memory and any replica sharing the secret accepts them.
 */
export function issueToken(secret: string, expiresAt: number, nonce: Uint8Array = new Uint8Array(8)): string {
  const bytes = new Uint8Array(TOKEN_BYTES);
  const view = new DataView(bytes.buffer);
  bytes[0] = VERSION;
  view.setUint32(2, Math.floor(expiresAt / 0x100000000));
  view.setUint32(6, expiresAt >>> 0);
  bytes.set(nonce.subarray(0, 8), 10);
  bytes.set(signerFor(secret).sign(bytes.subarray(0, BODY_BYTES)).subarray(0, MAC_BYTES), BODY_BYTES);
  return encodeBase64(bytes);
}

/** Why a presented token is refused, or undefined when it is valid at `now`. */
export function checkToken(secret: string, token: string, now: number): 'malformed' | 'forged' | 'expired' | undefined {
  const signer = signerFor(secret);
  let expiresAt = signer.verified.get(token);
  if (expiresAt === undefined) {
    if (token.length !== 56) return 'malformed';
    const bytes = decodeBase64(token);
    if (!bytes || bytes.length !== TOKEN_BYTES || bytes[0] !== VERSION) return 'malformed';
    const mac = signer.sign(bytes.subarray(0, BODY_BYTES));
    let diff = 0;
    for (let i = 0; i < MAC_BYTES; i++) diff |= mac[i]! ^ bytes[BODY_BYTES + i]!;
    if (diff !== 0) return 'forged';
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    expiresAt = view.getUint32(2) * 0x100000000 + view.getUint32(6);
    if (signer.verified.size >= MAX_VERIFIED) signer.verified.clear();
    signer.verified.set(token, expiresAt);
  }
  return expiresAt > now ? undefined : 'expired';
}

/** The TTL in seconds from a token PUT's header, or undefined when missing, non-numeric or out of range (→ 400). */
export function parseTokenTtl(header: string | undefined): number | undefined {
  if (header === undefined || !/^\s*\d{1,6}\s*$/.test(header)) return undefined;
  const ttl = Number(header);
  return ttl >= TOKEN_TTL_MIN && ttl <= TOKEN_TTL_MAX ? ttl : undefined;
}
