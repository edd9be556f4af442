import { AemmError } from '../core/errors.js';
import { createUpstreamClient, UpstreamFailure } from '../recorder/create-upstream-client.js';

/**
 * Fails with UPSTREAM_UNREACHABLE (exit 2) unless the upstream answers an HTTP request at all, so
 * `record --proxy` never listens in front of nothing. Any status counts as an answer: an
 * IMDSv2-only upstream says 401 to a request without a token, and is there.
 */
export async function checkUpstream(upstream: URL, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const client = createUpstreamClient({ upstream, timeoutMs, retries: 1, retryDelayMs: 100, signal });
  try {
    await client.request('GET', '/');
  } catch (error) {
    if (!(error instanceof UpstreamFailure)) throw error;
    if (error.status !== undefined) return;
    throw new AemmError(
      'UPSTREAM_UNREACHABLE',
      `Cannot reach upstream ${upstream.origin}: ${error.reason}. Check --upstream, and that the instance metadata service is enabled.`,
    );
  } finally {
    client.close();
  }
}
