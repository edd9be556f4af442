// Base64 through the platform's atob/btoa (browsers and Node alike), with the leniency cassettes
// have always had: whitespace ignored, padding optional.

/** Standard base64 (with padding) of `bytes`. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  // Chunks keep the argument list of fromCharCode short for large bodies.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Bytes of a standard base64 string (padding optional, whitespace ignored), or undefined if it is not base64. */
export function decodeBase64(text: string): Uint8Array | undefined {
  const clean = text.replace(/[\r\n\t ]/g, '').replace(/=+$/, '');
  if (clean.length % 4 === 1) return undefined;
  let binary: string;
  try {
    binary = atob(clean);
  } catch {
    return undefined;
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
