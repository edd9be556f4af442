import { MAX_PATH_LENGTH } from '../core/max-path-length.js';
import type { CrawlKind } from './list-children.js';

/** Which bound kept a path from being fetched. */
export type CrawlLimit = 'paths' | 'depth' | 'time';

/** How a crawl's work is bounded and reported. */
export interface CrawlQueueOptions {
  /** Paths discovered at most. */
  maxPaths: number;
  /** Path segments at most (a longer key than `MAX_PATH_LENGTH` counts as too deep too). */
  maxDepth: number;
  /** Time from the queue's creation after which nothing new is fetched. */
  maxDurationMs: number;
  visit(key: string, kind: CrawlKind): Promise<void>;
  /** A visit that rejected. */
  onError(key: string, error: unknown): void;
  /** The first path not fetched because of each bound, once per bound. */
  onCapped(key: string, limit: CrawlLimit): void;
  onProgress(progress: { done: number; found: number }): void;
}

/** The paths of a crawl: each visited once, all awaited together. */
export interface CrawlQueue {
  schedule(key: string, kind: CrawlKind): void;
  /** Resolves once every scheduled visit (and what they scheduled) has finished. */
  drain(): Promise<void>;
}

/**
 * A queue that visits each key once and reports progress. It stops discovering past `maxPaths`
 * paths, below `maxDepth` segments and after `maxDurationMs`: an upstream whose tree never ends
 * (one that lists itself, or a tree thousands of levels deep) ends the crawl soon, with a small file.
 */
export function createCrawlQueue(options: CrawlQueueOptions): CrawlQueue {
  const seen = new Set<string>();
  const pending = new Set<Promise<void>>();
  const capped = new Set<CrawlLimit>();
  let done = 0;
  let expired = false;
  const deadline = setTimeout(() => (expired = true), options.maxDurationMs);
  // The deadline only stops new paths; it must not keep the process alive.
  deadline.unref();
  const report = (): void => options.onProgress({ done, found: seen.size });

  return {
    schedule(key, kind) {
      if (seen.has(key)) return;
      const limit: CrawlLimit | undefined = expired
        ? 'time'
        : seen.size >= options.maxPaths
          ? 'paths'
          : key.length > MAX_PATH_LENGTH || key.split('/').filter(Boolean).length > options.maxDepth
            ? 'depth'
            : undefined;
      if (limit) {
        if (!capped.has(limit)) options.onCapped(key, limit);
        capped.add(limit);
        return;
      }
      seen.add(key);
      const task = options
        .visit(key, kind)
        .catch((error: unknown) => options.onError(key, error))
        .finally(() => {
          done++;
          pending.delete(task);
          report();
        });
      pending.add(task);
      report();
    },
    async drain() {
      while (pending.size > 0) await Promise.all([...pending]);
      clearTimeout(deadline);
    },
  };
}
