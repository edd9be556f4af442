import { createPathMatcher } from '../create-path-matcher.js';
import { AemmError, UsageError } from '../errors.js';
import type { TokenUse } from '../scenarios/scenario.js';

/** One served request as the journal keeps it (times as epoch ms; `toJournalLine` renders them). */
export interface JournalRecord {
  /** Replay clock when it was answered. */
  at: number;
  /** Wall clock when it was answered. */
  wallAt: number;
  clientAddress?: string;
  method: string;
  /** The request target as sent (cut at 2048 characters). */
  path: string;
  token: TokenUse;
  /** The TTL header of a token PUT, as sent (cut at 32 characters). */
  ttl?: string;
  /** HTTP status; 0 when the connection was dropped or left hanging. */
  status: number;
  abort?: 'drop' | 'hang';
  /** The layer kind that answered, when a scenario step set it. */
  layer?: string;
  /** The scenario step that answered or last changed what this path answers. */
  step?: string;
}

/** A journal entry as readers see it: a sequence number and ISO 8601 times. */
export interface JournalEntry extends Omit<JournalRecord, 'at' | 'wallAt'> {
  /** 1 for the first request of the run, counting on (also past the ring's size). */
  seq: number;
  /** Replay time, ISO 8601. */
  at: string;
  /** Wall time, ISO 8601. */
  wallAt: string;
}

/** Which entries to read: a path glob, a method, and entries after a sequence number or from a replay time on. */
export interface JournalFilter {
  path?: string;
  method?: string;
  /** A sequence number (entries after it) or an RFC 3339 replay time (entries at or after it). */
  since?: number | string;
  /** Only requests with this token use (`present`: any token sent). */
  token?: TokenUse | 'present';
}

/** What `waitFor` waits for: `count` matching entries (default 1), until `signal` aborts (e.g. `AbortSignal.timeout(2000)`). */
export interface WaitForOptions extends JournalFilter {
  count?: number;
  signal?: AbortSignal;
}

/** A journal assertion that did not hold; the message says what was expected and what was seen. */
export class JournalAssertionError extends AemmError {
  constructor(message: string) {
    super('JOURNAL_EXPECTATION', message);
    this.name = 'JournalAssertionError';
  }
}

/** The request journal: a bounded ring of the latest requests, with reads, waits and listeners. */
export interface Journal {
  /** How many entries the ring keeps. */
  readonly size: number;
  /** Requests recorded since the start (the ring may hold fewer). */
  readonly total: number;
  record(record: JournalRecord): void;
  /** The entries still in the ring that match, oldest first. */
  entries(filter?: JournalFilter): JournalEntry[];
  /** Resolves with the matching entries once there are `count` of them; rejects when `signal` aborts first. */
  waitFor(options: WaitForOptions): Promise<JournalEntry[]>;
  /** Throws unless `path` was requested (`withToken`: with a token the server accepted; `count`: at least that often). */
  expectPolled(path: string, options?: { withToken?: boolean; count?: number; since?: number | string }): JournalEntry[];
  /** Calls `listener` with every new entry; returns the unsubscribe function. */
  subscribe(listener: (entry: JournalEntry) => void): () => void;
  /** Like `subscribe`, with the record as kept (times in ms) and its sequence number: no copy made. */
  watch(listener: (record: JournalRecord, seq: number) => void): () => void;
  /** Empties the ring (the sequence keeps counting). */
  clear(): void;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** An entry as readers see it. */
function toEntry(record: JournalRecord, seq: number): JournalEntry {
  return { seq, ...record, at: iso(record.at), wallAt: iso(record.wallAt) };
}

/**
 * One NDJSON line for a record (no newline): the entry's fields in a fixed order, absent ones left
 * out. `formatAt` and `formatWallAt` turn epoch ms into ISO 8601 (a caller may cache them).
 */
export function toJournalLine(record: JournalRecord, seq: number, formatAt = iso, formatWallAt = iso): string {
  // Built by hand: JSON.stringify of a fresh entry object per request costs more than the request.
  let line = `{"seq":${seq},"at":"${formatAt(record.at)}","wallAt":"${formatWallAt(record.wallAt)}"`;
  if (record.clientAddress !== undefined) line += `,"clientAddress":${JSON.stringify(record.clientAddress)}`;
  line += `,"method":${JSON.stringify(record.method)},"path":${JSON.stringify(record.path)},"token":"${record.token}"`;
  if (record.ttl !== undefined) line += `,"ttl":${JSON.stringify(record.ttl)}`;
  line += `,"status":${record.status}`;
  if (record.abort !== undefined) line += `,"abort":"${record.abort}"`;
  if (record.layer !== undefined) line += `,"layer":${JSON.stringify(record.layer)}`;
  if (record.step !== undefined) line += `,"step":${JSON.stringify(record.step)}`;
  return `${line}}`;
}

function compileFilter(filter: JournalFilter): (record: JournalRecord, seq: number) => boolean {
  const path = filter.path === undefined ? undefined : createPathMatcher([filter.path], 'path');
  const method = filter.method?.toUpperCase();
  let afterSeq: number | undefined;
  let fromTime: number | undefined;
  if (typeof filter.since === 'number') afterSeq = filter.since;
  else if (typeof filter.since === 'string') {
    if (/^\d+$/.test(filter.since)) afterSeq = Number(filter.since);
    else {
      fromTime = /^\d{4}-\d\d-\d\dT/.test(filter.since) ? Date.parse(filter.since) : Number.NaN;
      if (!Number.isFinite(fromTime))
        throw new UsageError(`since "${filter.since}" is neither a sequence number nor a time. Use e.g. 42 or 2026-01-07T01:03:47Z.`);
    }
  }
  return (record, seq) => {
    if (afterSeq !== undefined && seq <= afterSeq) return false;
    if (fromTime !== undefined && record.at < fromTime) return false;
    if (method !== undefined && record.method !== method) return false;
    if (filter.token !== undefined && (filter.token === 'present' ? record.token === 'absent' : record.token !== filter.token))
      return false;
    // Match on the path alone: no query, repeated slashes as one, as the core reads it.
    return path === undefined || path(record.path.replace(/[?#].*$/, '').replace(/\/{2,}/g, '/'));
  };
}

/** A journal keeping the latest `size` requests (default 1000). */
export function createJournal(options: { size?: number } = {}): Journal {
  const size = options.size ?? 1000;
  if (!Number.isInteger(size) || size < 1 || size > 10_000_000)
    throw new UsageError(`Journal size ${String(size)} is not a count. Use a whole number from 1 to 10000000.`);
  const ring: (JournalRecord | undefined)[] = new Array(size);
  let total = 0;
  const watchers = new Set<(record: JournalRecord, seq: number) => void>();
  // Readers only see entries when they ask, so recording stays one object and one array slot.
  const each = function* (): Generator<[JournalRecord, number]> {
    const first = Math.max(1, total - size + 1);
    for (let seq = first; seq <= total; seq++) {
      const record = ring[(seq - 1) % size];
      if (record) yield [record, seq];
    }
  };
  const entries = (filter: JournalFilter = {}): JournalEntry[] => {
    const matches = compileFilter(filter);
    const found: JournalEntry[] = [];
    for (const [record, seq] of each()) if (matches(record, seq)) found.push(toEntry(record, seq));
    return found;
  };
  const watch = (watcher: (record: JournalRecord, seq: number) => void): (() => void) => {
    watchers.add(watcher);
    return () => watchers.delete(watcher);
  };
  return {
    size,
    get total() {
      return total;
    },
    record(record) {
      total++;
      ring[(total - 1) % size] = record;
      for (const watcher of watchers) watcher(record, total);
    },
    entries,
    waitFor(wait) {
      const { count = 1, signal, ...filter } = wait;
      const matches = compileFilter(filter);
      const found = entries(filter);
      if (found.length >= count) return Promise.resolve(found.slice(0, count));
      return new Promise((resolve, reject) => {
        const giveUp = (): void => {
          unsubscribe();
          reject(
            new JournalAssertionError(
              `Gave up waiting for ${count} request${count === 1 ? '' : 's'} matching ${JSON.stringify(filter)}; saw ${found.length}.`,
            ),
          );
        };
        const unsubscribe = watch((record, seq) => {
          if (!matches(record, seq)) return;
          found.push(toEntry(record, seq));
          if (found.length < count) return;
          unsubscribe();
          signal?.removeEventListener('abort', giveUp);
          resolve(found.slice(0, count));
        });
        if (signal?.aborted) giveUp();
        else signal?.addEventListener('abort', giveUp, { once: true });
      });
    },
    expectPolled(path, expect = {}) {
      const all = entries({ path, since: expect.since });
      const good = expect.withToken ? all.filter((entry) => entry.token === 'valid') : all;
      const count = expect.count ?? 1;
      if (good.length < count) {
        const seen =
          all.length === 0
            ? 'it was never requested'
            : `it was requested ${all.length} time${all.length === 1 ? '' : 's'} (tokens: ${[...new Set(all.map((entry) => entry.token))].join(', ')})`;
        throw new JournalAssertionError(
          `Expected ${path} to be polled${expect.withToken ? ' with a valid token' : ''} at least ${count} time${count === 1 ? '' : 's'}, but ${seen}.`,
        );
      }
      return good;
    },
    subscribe: (listener) => watch((record, seq) => listener(toEntry(record, seq))),
    watch,
    clear() {
      ring.fill(undefined);
    },
  };
}
