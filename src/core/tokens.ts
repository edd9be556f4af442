import { decodeBase64, encodeBase64 } from './base64.js';
import { createHmacSha256 } from './sha256.js';

import type { TOKEN_MODES } from './vocabulary.js';

/** Whether requests need an IMDSv2 token (`required`) or may go without (`optional`, the AWS default). */
export type TokenMode = (typeof TOKEN_MODES)[number];

/** Token TTL bounds real IMDS accepts, in seconds (docs/imds-behaviour.md §3). */
export const TOKEN_TTL_MIN = 1;
export const TOKEN_TTL_MAX = 21600;

const VERSION = 1;
const MAC_BYTES = 24;
// 1 version + 1 spare + 8 expiry + 8 nonce + 24 MAC = 42 bytes = 56 base64 characters, the length of real tokens.
const TOKEN_BYTES = 42;
const BODY_BYTES = TOKEN_BYTES - MAC_BYTES;
// Enough for every client of a test run; past it the memo starts over, so memory stays bounded.
const MAX_VERIFIED = 4096;

/** Why a presented token is refused: not a token of ours, signed with another key, or past its expiry. */
export type TokenProblem = 'malformed' | 'forged' | 'expired';

/** Issues and checks IMDSv2 tokens under one key; an engine keeps one, with its memo of verified tokens. */
export interface TokenSigner {
  /** A token valid until `expiresAt` (epoch ms); `nonce` makes tokens of the same millisecond differ. */
  issue(expiresAt: number, nonce?: Uint8Array): string;
  /** Why a presented token is refused at `now`, or undefined when it is valid. */
  check(token: string, now: number): TokenProblem | undefined;
}

/**
 * A signer of stateless IMDSv2 tokens: expiry and nonce inside, signed with `secret`, so issuing a
 * million tokens costs no memory and any replica sharing the secret accepts them.
 */
export function createTokenSigner(secret: string): TokenSigner {
  const sign = createHmacSha256(new TextEncoder().encode(secret));
  // Clients reuse a token for hours: its expiry is remembered instead of checking the MAC again.
  const verified = new Map<string, number>();
  return {
    issue(expiresAt, nonce = new Uint8Array(8)) {
      const bytes = new Uint8Array(TOKEN_BYTES);
      const view = new DataView(bytes.buffer);
      bytes[0] = VERSION;
      view.setUint32(2, Math.floor(expiresAt / 0x100000000));
      view.setUint32(6, expiresAt >>> 0);
      bytes.set(nonce.subarray(0, 8), 10);
      bytes.set(sign(bytes.subarray(0, BODY_BYTES)).subarray(0, MAC_BYTES), BODY_BYTES);
      return encodeBase64(bytes);
    },
    check(token, now) {
      let expiresAt = verified.get(token);
      if (expiresAt === undefined) {
        if (token.length !== 56) return 'malformed';
        const bytes = decodeBase64(token);
        if (!bytes || bytes.length !== TOKEN_BYTES || bytes[0] !== VERSION) return 'malformed';
        const mac = sign(bytes.subarray(0, BODY_BYTES));
        let diff = 0;
        for (let i = 0; i < MAC_BYTES; i++) diff |= mac[i]! ^ bytes[BODY_BYTES + i]!;
        if (diff !== 0) return 'forged';
        const view = new DataView(bytes.buffer, bytes.byteOffset);
        expiresAt = view.getUint32(2) * 0x100000000 + view.getUint32(6);
        if (verified.size >= MAX_VERIFIED) verified.clear();
        verified.set(token, expiresAt);
      }
      return expiresAt > now ? undefined : 'expired';
    },
  };
}

/** A token signed with `secret`, valid until `expiresAt`; for one-off use (an engine keeps a signer). */
export function issueToken(secret: string, expiresAt: number, nonce?: Uint8Array): string {
  return createTokenSigner(secret).issue(expiresAt, nonce);
}

/**
 * How a token PUT's TTL header is read: `imds` takes digits with surrounding blanks, `go-atoi`
 * takes an optional sign and digits, as Go's strconv.Atoi does (AEMM).
 */
export type TtlSyntax = 'imds' | 'go-atoi';

const TTL_SYNTAX: Readonly<Record<TtlSyntax, RegExp>> = { imds: /^\s*\d{1,6}\s*$/, 'go-atoi': /^[+-]?\d+$/ };

/** The TTL in seconds from a token PUT's header, or undefined when missing, malformed or out of range (→ 400). */
export function parseTokenTtl(header: string | undefined, syntax: TtlSyntax = 'imds'): number | undefined {
  if (header === undefined || !TTL_SYNTAX[syntax].test(header)) return undefined;
  const ttl = Number(header);
  return ttl >= TOKEN_TTL_MIN && ttl <= TOKEN_TTL_MAX ? ttl : undefined;
}
