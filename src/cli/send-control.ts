import { AemmError, UsageError } from '../core/errors.js';
import type { ReplayStatus } from '../core/replay-engine.js';
import { CONTROL_HEADER } from '../server/control-api.js';

/**
 * Sends one control request to a running `aemm replay` (`GET /__aemm/status` or
 * `POST /__aemm/<verb>`) and returns the new status; errors come back as one-line AemmErrors.
 */
export async function sendControl(baseUrl: string, verb: string, body?: Record<string, unknown>): Promise<ReplayStatus> {
  let url: URL;
  try {
    url = new URL(`/__aemm/${verb}`, baseUrl);
  } catch {
    throw new UsageError(`--url "${baseUrl}" is not a URL. Use the address aemm replay printed, e.g. http://127.0.0.1:1338.`);
  }
  let response: Response;
  try {
    response = await fetch(
      url,
      verb === 'status'
        ? { signal: AbortSignal.timeout(5000) }
        : {
            method: 'POST',
            headers: { 'content-type': 'application/json', [CONTROL_HEADER]: '1' },
            body: JSON.stringify(body ?? {}),
            signal: AbortSignal.timeout(5000),
          },
    );
  } catch (error) {
    const { cause } = error as { cause?: { code?: string; message?: string } };
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new AemmError(
      'CONTROL_UNREACHABLE',
      `Cannot reach the control API at ${url.origin} (${reason}). Start aemm replay first, or pass --url with the address it printed.`,
    );
  }
  const text = await response.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (response.ok && value) return value as ReplayStatus;
  const message = (value as { error?: string } | undefined)?.error;
  if (message && response.status !== 404) throw new UsageError(message);
  throw new AemmError(
    'CONTROL_MISSING',
    `${url.origin} has no aemm control API (HTTP ${response.status}${message ? `: ${message}` : ''}). Is it aemm replay, started without --no-control?`,
  );
}
