import { UsageError } from '../core/errors.js';

/**
 * The upstream IMDS as a URL: an `http://` origin such as `http://169.254.169.254` or
 * `http://[fd00:ec2::254]`, with no path, query or credentials (the recorder builds every path
 * itself, so nothing can escape to another service on the same host).
 */
export function parseUpstream(input: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(input);
  } catch {
    url = undefined;
  }
  const fix = 'Use an http:// origin like http://169.254.169.254 or http://[fd00:ec2::254].';
  if (!url || url.protocol !== 'http:' || url.hostname === '') throw new UsageError(`Upstream "${input}" is not an http:// URL. ${fix}`);
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '' || (url.pathname !== '/' && url.pathname !== '')) {
    throw new UsageError(`Upstream "${input}" has a path, query or credentials; it must be an origin only. ${fix}`);
  }
  return url;
}
