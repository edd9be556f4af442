import type { Entry } from '../core/cassette.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The cassette entry for one upstream answer: status, the headers that describe the resource
 * (content-type, last-modified; never date, server, connection or length, which describe the
 * exchange) and the body byte-exact, as text when it is valid UTF-8 and as base64 otherwise.
 */
export function toEntry(status: number, headers: Record<string, string | string[] | undefined>, body: Uint8Array): Entry {
  const kept: Record<string, string> = {};
  for (const name of ['content-type', 'last-modified']) {
    const value = headerValue(headers[name]);
    if (value !== undefined) kept[name] = value;
  }
  let text: string | undefined;
  try {
    text = utf8.decode(body);
  } catch {
    text = undefined;
  }
  // A BOM would be dropped by some readers of the JSON text; keep such bodies as bytes.
  if (text !== undefined && !text.startsWith('\uFEFF')) return { status, headers: kept, body: text };
  return { status, headers: kept, bodyBase64: Buffer.from(body).toString('base64') };
}
