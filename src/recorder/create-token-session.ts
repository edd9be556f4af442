import { AemmError } from '../core/errors.js';
import { UpstreamFailure, type UpstreamClient } from './create-upstream-client.js';

/** Headers to send and which token generation they carry, so a 401 renews only a stale token. */
export interface TokenTicket {
  headers: Record<string, string>;
  generation: number;
}

/** IMDSv2 tokens for a crawl, obtained the way real clients do it. */
export interface TokenSession {
  /** `v2` while a token is held, `v1` after the upstream refused tokens. */
  readonly version: 'v1' | 'v2';
  /** Token PUTs sent so far. */
  readonly puts: number;
  /** Things the user should know about how tokens were obtained (one line each). */
  readonly warnings: readonly string[];
  current(): TokenTicket;
  /**
   * Asks for a new token after a 401 seen with `ticket`; concurrent callers share one PUT, and a
   * ticket that is already stale costs nothing. Returns the ticket to retry with.
   */
  renew(ticket: TokenTicket): Promise<TokenTicket>;
}

const TOKEN_PATH = '/latest/api/token';
// Asked without a token after a token PUT timed out, to tell a lost PUT reply from a dead upstream.
const PROBE_PATH = '/latest/meta-data/';
// The longest TTL real IMDS grants; cloud-init and the AWS SDKs ask for the same (docs/imds-behaviour.md §6).
const TTL_HEADERS = { 'x-aws-ec2-metadata-token-ttl-seconds': '21600' };
// Renewals per crawl: enough for a token that expires mid-crawl, not a PUT per path when every GET is refused.
const MAX_RENEWALS = 3;

/**
 * Starts a token session: PUT /latest/api/token first; 403, 404 or 405 mean the upstream has no
 * IMDSv2 and the crawl continues with v1 (as smithy, botocore and the Go SDK do). A PUT that times
 * out while a tokenless GET answers is the PUT reply dying at the hop limit (a container on an
 * instance with hop limit 1, docs/imds-behaviour.md §3): the crawl continues with v1 and says why. Other
 * answers and an unreachable upstream are errors, because guessing would record the wrong thing.
 */
export async function createTokenSession(client: UpstreamClient, origin: string): Promise<TokenSession> {
  let token: string | undefined;
  let generation = 0;
  let puts = 0;
  let renewals = 0;
  let pending: Promise<TokenTicket> | undefined;
  const warnings: string[] = [];

  /** Whether the upstream answers a tokenless GET: a timed-out PUT then lost only its reply. */
  async function answersWithoutToken(): Promise<boolean> {
    try {
      return (await client.request('GET', PROBE_PATH)).status === 200;
    } catch (error) {
      if (error instanceof UpstreamFailure) return false;
      throw error;
    }
  }

  async function fetchToken(): Promise<void> {
    let response;
    puts++;
    try {
      response = await client.request('PUT', TOKEN_PATH, TTL_HEADERS);
    } catch (error) {
      if (!(error instanceof UpstreamFailure)) throw error;
      if (!error.timedOut) {
        throw new AemmError(
          'UPSTREAM_UNREACHABLE',
          `Cannot reach upstream ${origin}: ${error.reason}. Check that address, and that the instance metadata service is enabled.`,
        );
      }
      if (!(await answersWithoutToken())) {
        throw new AemmError(
          'UPSTREAM_TOKEN_TIMEOUT',
          `The IMDSv2 token request to ${origin} (PUT ${TOKEN_PATH}) timed out: ${error.reason}, and requests without a token fail too. ` +
            "From a container, raise the instance's PUT response hop limit to 2; otherwise check that address and the timeout.",
        );
      }
      if (token === undefined && warnings.length === 0) {
        warnings.push(
          `The IMDSv2 token request to ${origin} timed out (${error.reason}) but requests without a token work, so this recording uses IMDSv1. ` +
            'Likely cause: a PUT response hop limit of 1 with the recorder in a container (aws ec2 modify-instance-metadata-options --http-put-response-hop-limit 2).',
        );
      }
      token = undefined;
      generation++;
      return;
    }
    const body = response.body.toString('utf8');
    if (response.status === 200 && body !== '') {
      token = body;
    } else if ([403, 404, 405].includes(response.status)) {
      token = undefined;
    } else {
      throw new AemmError(
        'UPSTREAM_TOKEN',
        `Upstream ${origin} answered ${response.status} to the IMDSv2 token request (PUT ${TOKEN_PATH}). Check that it is an instance metadata service.`,
      );
    }
    generation++;
  }

  const current = (): TokenTicket => ({
    headers: token === undefined ? {} : { 'x-aws-ec2-metadata-token': token },
    generation,
  });

  await fetchToken();
  return {
    get version() {
      return token === undefined ? 'v1' : 'v2';
    },
    get puts() {
      return puts;
    },
    get warnings() {
      return warnings;
    },
    current,
    renew(ticket) {
      if (ticket.generation !== generation) return Promise.resolve(current());
      if (renewals >= MAX_RENEWALS) return Promise.resolve(current());
      pending ??= (async () => {
        renewals++;
        try {
          await fetchToken();
          return current();
        } finally {
          pending = undefined;
        }
      })();
      return pending;
    },
  };
}
