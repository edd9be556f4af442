import { UsageError } from '../core/errors.js';

/** Where an intercepted request is going, as the core needs it. */
export interface ImdsTarget {
  /** Path and query as the client sent them (`//latest/…` restored for the SDK trap). */
  path: string;
  /** The IMDS host the client addressed, with port when not the default (`169.254.169.254`). */
  host: string;
}

/** Decides which intercepted requests are IMDS requests and where they were going. */
export type ImdsMatcher = (request: Request) => ImdsTarget | undefined;

// `new URL('//latest/meta-data/x', base)` reads `latest` as a host: this is the URL msw builds for
// the path `//latest/…` that @aws-sdk/ec2-metadata-service sends (endpoint pathname "/" + "/latest/…").
// Dated versions fall in the same trap (`//2016-09-02/…` reads as host `2016-09-02`), and `1.0`
// reads as the IPv4 address 1.0.0.0. Every version the engine could answer is taken back, so none
// is left to msw's onUnhandledRequest, which by default sends it to the network, token included.
const DATED_HOST = /^\d{4}-\d{2}-\d{2}$/;

/** The API version msw mistook for a host, or undefined when the host is no version. */
function trappedVersion(hostname: string): string | undefined {
  if (hostname === 'latest' || DATED_HOST.test(hostname)) return hostname;
  return hostname === '1.0.0.0' ? '1.0' : undefined;
}

function parseBaseUrl(input: string): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new UsageError(`Base URL "${input}" is not a URL. Use an origin like http://169.254.169.254 or http://[fd00:ec2::254].`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`Base URL "${input}" is not http or https. Use an origin like http://169.254.169.254.`);
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new UsageError(
      `Base URL "${input}" has more than scheme, host and port. IMDS paths start at the root: use an origin like http://169.254.169.254.`,
    );
  }
  return url;
}

/**
 * A matcher for the given base URLs (origins). A request matches when its origin is one of them,
 * or when msw read `//<version>/…` as host `<version>` and the Host header names one of them.
 */
export function createImdsMatcher(baseUrls: readonly string[]): ImdsMatcher {
  if (!Array.isArray(baseUrls) || baseUrls.length === 0) {
    throw new UsageError('baseUrls is empty. Leave it out for the IMDS addresses, or list origins like http://169.254.169.254.');
  }
  const bases = baseUrls.map(parseBaseUrl);
  const origins = new Set(bases.map((url) => url.origin));
  return (request) => {
    const url = new URL(request.url);
    if (origins.has(url.origin)) return { path: url.pathname + url.search, host: url.host };
    const version = trappedVersion(url.hostname);
    if (version === undefined || url.port !== '') return undefined;
    // The trap URL keeps the protocol and the Host header keeps the host: together, the origin meant.
    const hostHeader = request.headers.get('host');
    if (!hostHeader) return undefined;
    let addressed: URL;
    try {
      addressed = new URL(`${url.protocol}//${hostHeader}`);
    } catch {
      return undefined;
    }
    if (!origins.has(addressed.origin)) return undefined;
    return { path: `//${version}${url.pathname}${url.search}`, host: addressed.host };
  };
}
