import util from 'node:util';
import type ProxyServer from 'http-proxy';

/**
 * Loads http-proxy without its deprecation warning on Node 22 and later. http-proxy 1.18 reads
 * `util._extend` once, when its modules load, and calls it on every request; since Node 22 that
 * function prints DEP0060. While it loads, `util._extend` is `Object.assign` (the same copy for
 * the two arguments it passes), and the original is put back straight after, so nothing else in
 * the process sees a change.
 */
export async function loadHttpProxy(): Promise<typeof ProxyServer> {
  const original = Object.getOwnPropertyDescriptor(util, '_extend');
  Object.defineProperty(util, '_extend', { value: Object.assign, writable: true, enumerable: true, configurable: true });
  try {
    return (await import('http-proxy')).default;
  } finally {
    if (original) Object.defineProperty(util, '_extend', original);
  }
}
