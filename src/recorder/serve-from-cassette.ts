import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { CASSETTE_FORMAT, type Cassette, type Entry } from '../core/cassette.js';
import { createViewCache, type ViewCache } from '../core/cassette-view.js';
import type { Profile, RenderContext } from '../core/profile.js';
import { createProfile } from '../core/profiles/create-profile.js';
import { resolveRequest } from '../core/resolve-request.js';
import type { Route } from '../core/route-target.js';
import { isCredentialPath } from './is-credential-path.js';

/** What replay-or-record reads from the recording so far. */
export interface CassetteServerOptions {
  /** The entries as recorded so far (the store changes this object as the proxy records). */
  entries: Cassette['entries'];
  /** The recording's meta as it would be written now (`incomplete` decides how listings are read). */
  meta: () => Cassette['meta'];
  /** Keys whose bodies were redacted: the file holds a placeholder, the application needs the real value. */
  redacted: () => ReadonlySet<string>;
}

/** Serves replay-or-record hits; `changed()` after each recording so the next request sees the new entries. */
export interface CassetteServer {
  /** Answers `res` from the cassette and returns the status sent, or undefined when the request must be forwarded. */
  serve(res: ServerResponse, request: { method: string; path: string; headers: IncomingHttpHeaders }): number | undefined;
  changed(): void;
}

/** The key a route's answer is recorded under in the file, as the client asked for it (dated prefixes kept). */
function recordedKeyOf(route: Route, segments: readonly string[]): string | undefined {
  if (route.kind === 'versions') return '/';
  if (route.kind === 'leaf') return `/${segments.join('/')}`;
  if (route.kind === 'listing') return `/${segments.join('/')}/`;
  return undefined;
}

/** Whether the answer routed to `route` is the entry the file holds under the key asked for, byte for byte. */
function isRecordedAnswer(route: Route, context: RenderContext, recorded: Entry): boolean {
  const { view } = context;
  if (route.kind === 'versions') return view.entryAt('/') === recorded;
  if (route.kind === 'leaf') return view.entryAt(route.key) === recorded;
  if (route.kind !== 'listing') return false;
  // A listing a replay would rewrite (names a child that does not answer) is not what the file holds.
  const listing = view.listing(route.dir);
  return listing?.entry === recorded && listing.body === view.bodyOf(recorded);
}

/**
 * replay-or-record's cassette side: each GET or HEAD goes through the core's pipeline with the
 * `imds` profile over the recording so far, so a hit gets the bytes `aemm replay` would send for
 * that cassette. Only an answer that is exactly an entry the file holds under the key asked for
 * is served: a listing made from children, a dated path served from `latest`, a redirect, a miss,
 * a credential or a redacted body (the file keeps a fake; the application needs the real one) all
 * go to the upstream, which is what gets them recorded.
 */
export function createCassetteServer(options: CassetteServerOptions): CassetteServer {
  const redactedKeys = options.redacted;
  let seen: { route: Route; context: RenderContext } | undefined;
  const imds = createProfile('imds');
  // The imds profile as it is, told what each answer was routed to.
  const profile: Profile = {
    ...imds,
    render(route, context) {
      seen = { route, context };
      return imds.render(route, context);
    },
  };
  // The view cache indexes a cassette by identity: a new snapshot after each change re-reads the entries.
  let snapshot: { cassette: Cassette; views: ViewCache } | undefined;
  const current = (): { cassette: Cassette; views: ViewCache } =>
    (snapshot ??= { cassette: { format: CASSETTE_FORMAT, meta: options.meta(), entries: options.entries }, views: createViewCache() });

  return {
    changed() {
      snapshot = undefined;
    },
    serve(res, { method, path, headers }) {
      if (method !== 'GET' && method !== 'HEAD') return undefined;
      const { cassette, views } = current();
      seen = undefined;
      // The client's token is the upstream's, for the upstream to check: the file answers without one.
      const response = resolveRequest(
        { method, path, headers: { host: headers.host } },
        // Nothing here issues or checks a token, so no key signs any.
        { cassette, views, profile, now: Date.now(), secret: '', imdsv2: 'optional' },
      );
      const answered = seen as { route: Route; context: RenderContext } | undefined;
      if (response.status !== 200 || !answered) return undefined;
      const key = recordedKeyOf(answered.route, answered.context.target.segments);
      const recorded = key === undefined ? undefined : cassette.entries[key];
      if (key === undefined || recorded?.status !== 200 || isCredentialPath(key) || redactedKeys().has(key)) return undefined;
      if (!isRecordedAnswer(answered.route, answered.context, recorded)) return undefined;
      res.writeHead(response.status, response.headers);
      res.end(response.body.length > 0 ? response.body : undefined);
      return response.status;
    },
  };
}
