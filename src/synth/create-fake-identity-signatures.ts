import { encodeBase64 } from '../core/base64.js';
import { deriveBytes } from './derive-bytes.js';

/** The three signature leaves served next to the instance identity document. */
export interface FakeIdentitySignatures {
  pkcs7: string;
  rsa2048: string;
  signature: string;
}

// Opening bytes of a BER PKCS#7 SignedData (indefinite lengths) up to the OCTET STRING that holds
// the document, as real IMDS emits them; only the digest algorithm differs (SHA-1 vs SHA-256).
const SIGNED_DATA_OID = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
const DATA_OID = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
const SHA1_SET = [0x31, 0x0b, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00];
const SHA256_SET = [0x31, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00];
// Closes the three indefinite-length constructs opened around the content.
const END_OF_CONTENT = [0x00, 0x00, 0x00, 0x00, 0x00, 0x00];

// Real IMDS wraps these base64 blobs at 76 columns with no armour and no final newline (AEMM's
// recorded sample; docs/imds-behaviour.md §4).
const LINE_WIDTH = 76;

/**
 * Fake but well-formed base64 for `pkcs7`, `rsa2048` and `signature`: the PKCS#7 blobs embed the
 * document like the real ones do, and everything else is derived deterministically from `seed`.
 */
export function createFakeIdentitySignatures(document: string, seed: string): FakeIdentitySignatures {
  const content = new TextEncoder().encode(document);
  return {
    pkcs7: wrapBase64(buildSignedData(content, SHA1_SET, deriveBytes(`${seed}|pkcs7`, 280))),
    rsa2048: wrapBase64(buildSignedData(content, SHA256_SET, deriveBytes(`${seed}|rsa2048`, 440))),
    // A bare RSA-1024 signature is 128 bytes.
    signature: wrapBase64(deriveBytes(`${seed}|signature`, 128)),
  };
}

function buildSignedData(content: Uint8Array, digestSet: number[], signerInfo: Uint8Array): Uint8Array {
  const head = [
    0x30,
    0x80,
    ...SIGNED_DATA_OID,
    0xa0,
    0x80,
    0x30,
    0x80,
    0x02,
    0x01,
    0x01,
    ...digestSet,
    0x30,
    0x80,
    ...DATA_OID,
    0xa0,
    0x80,
    0x24,
    0x80,
    0x04,
    ...encodeLength(content.length),
  ];
  const out = new Uint8Array(head.length + content.length + END_OF_CONTENT.length + signerInfo.length);
  out.set(head, 0);
  out.set(content, head.length);
  out.set(END_OF_CONTENT, head.length + content.length);
  out.set(signerInfo, head.length + content.length + END_OF_CONTENT.length);
  return out;
}

function encodeLength(length: number): number[] {
  if (length < 0x80) return [length];
  if (length < 0x100) return [0x81, length];
  return [0x82, (length >> 8) & 0xff, length & 0xff];
}

function wrapBase64(bytes: Uint8Array): string {
  const text = encodeBase64(bytes);
  const lines: string[] = [];
  for (let at = 0; at < text.length; at += LINE_WIDTH) lines.push(text.slice(at, at + LINE_WIDTH));
  return lines.join('\n');
}
