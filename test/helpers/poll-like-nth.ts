import { MetadataService } from '@aws-sdk/ec2-metadata-service';

/** What the poller saw at one poll. */
export interface Poll {
  /** Replay time of the poll as the caller's clock tells it (epoch ms). */
  at: number;
  rebalance: boolean;
  notice?: string;
  /** Set when the instance could not be reached (connection refused, reset, …). */
  failed?: string;
}

/** How a poller reads the time and waits between polls (a real sleep, or a moved clock). */
export interface PollerClock {
  now(): number;
  sleep(): Promise<void>;
}

function isNotFound(error: unknown): boolean {
  return /404|Not Found/i.test(String((error as Error).message ?? error));
}

/**
 * A termination handler in miniature, the way node-termination-handler watches IMDS: every 2 s it
 * takes a token (the SDK does) and reads the rebalance recommendation and the spot interruption
 * notice, until the instance stops answering. `endpoint` must be loopback.
 */
export async function pollLikeNth(endpoint: string, clock: PollerClock, maxPolls = 400): Promise<Poll[]> {
  if (!/^http:\/\/(127\.0\.0\.1|\[::1\])(:\d+)?$/.test(endpoint)) throw new Error(`refusing a non-loopback endpoint ${endpoint}`);
  const client = new MetadataService({ endpoint, retries: 0, httpOptions: { timeout: 2000 } });
  const polls: Poll[] = [];
  for (let i = 0; i < maxPolls; i++) {
    const poll: Poll = { at: clock.now(), rebalance: false };
    try {
      poll.rebalance = await client.request('/latest/meta-data/events/recommendations/rebalance', {}).then(
        () => true,
        (error: unknown) => {
          if (isNotFound(error)) return false;
          throw error;
        },
      );
      poll.notice = await client.request('/latest/meta-data/spot/instance-action', {}).catch((error: unknown) => {
        if (isNotFound(error)) return undefined;
        throw error;
      });
    } catch (error) {
      const { code, cause } = error as { code?: string; cause?: { code?: string } };
      poll.failed = code ?? cause?.code ?? String((error as Error).message ?? error);
    }
    polls.push(poll);
    if (poll.failed) break;
    await clock.sleep();
  }
  return polls;
}
