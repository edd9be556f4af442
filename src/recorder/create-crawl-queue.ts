import type { CrawlKind } from './list-children.js';

/** How a crawl's work is bounded and reported. */
export interface CrawlQueueOptions {
  /** Paths discovered at most; the first one past it is reported once through `onCapped`. */
  maxPaths: number;
  visit(key: string, kind: CrawlKind): Promise<void>;
  /** A visit that rejected. */
  onError(key: string, error: unknown): void;
  /** The first path not fetched because of `maxPaths`. */
  onCapped(key: string): void;
  onProgress(progress: { done: number; found: number }): void;
}

/** The paths of a crawl: each visited once, all awaited together. */
export interface CrawlQueue {
  schedule(key: string, kind: CrawlKind): void;
  /** Resolves once every scheduled visit (and what they scheduled) has finished. */
  drain(): Promise<void>;
}

/** A queue that visits each key once, stops discovering past `maxPaths`, and reports progress. */
export function createCrawlQueue(options: CrawlQueueOptions): CrawlQueue {
  const seen = new Set<string>();
  const pending = new Set<Promise<void>>();
  let done = 0;
  let capped = false;
  const report = (): void => options.onProgress({ done, found: seen.size });

  return {
    schedule(key, kind) {
      if (seen.has(key)) return;
      if (seen.size >= options.maxPaths) {
        if (!capped) options.onCapped(key);
        capped = true;
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
    },
  };
}
