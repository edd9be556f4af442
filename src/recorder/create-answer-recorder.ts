import type { Agent, IncomingHttpHeaders } from 'node:http';
import type { Entry } from '../core/cassette.js';
import { escapeControlChars } from '../core/escape-control-chars.js';
import { findEntryProblem } from '../core/find-entry-problem.js';
import type { PathKind, RecordingStore } from './create-recording-store.js';
import { fetchVersionList } from './fetch-version-list.js';
import { probePathKind } from './probe-path-kind.js';
import { toEntry } from './to-entry.js';
import type { RecordTarget } from './to-record-target.js';

/** One upstream answer the proxy passed on. */
export interface ProxiedAnswer {
  method: string;
  /** Where a 200 answer to GET goes, or undefined when the path must not be recorded (token API). */
  target: RecordTarget | undefined;
  /** The client's headers as forwarded, for a directory probe. */
  requestHeaders: IncomingHttpHeaders;
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** How answers become entries. */
export interface AnswerRecorderOptions {
  store: RecordingStore;
  upstream: URL;
  agent: Agent;
  timeoutMs: number;
  /** Called with the keys an answer changed. */
  onChange(keys: readonly string[]): void;
  /** Called with one line when an answer cannot be recorded (the cassette could not store it). */
  onWarning?: (message: string) => void;
}

/** Turns proxied answers into cassette entries. */
export interface AnswerRecorder {
  /** Records an answer when it is a fact about the instance; resolves whether an entry changed. */
  record(answer: ProxiedAnswer): Promise<boolean>;
  /** Answers that changed an entry. */
  readonly recorded: number;
}

// Remembered directory probes, per path; dropped wholesale past this many rather than grow without end.
const MAX_PROBES = 10_000;
// A dated API version (`/2021-03-23/…`, `/1.0/…`): its 404 tells which versions the instance refused.
const DATED = /^\/(?:\d{4}-\d{2}-\d{2}|1\.0)\//;

/**
 * Records whole 200 answers to GET. A leaf asked with a trailing slash is recorded as the leaf:
 * the cassette's own listings decide, or one probe of the upstream without the slash (a 301 means
 * a directory); concurrent askers share one probe, and only answers are remembered.
 */
export function createAnswerRecorder(options: AnswerRecorderOptions): AnswerRecorder {
  const { store } = options;
  const probes = new Map<string, Promise<PathKind | undefined>>();
  let recorded = 0;
  let versionList: Promise<void> | undefined;

  /** Keeps an entry the cassette can store, or says which it skipped and why; true when an entry changed. */
  function keep(key: string, entry: Entry): boolean {
    const problem = findEntryProblem(key, entry);
    if (problem) {
      options.onWarning?.(
        `Not recording ${escapeControlChars(JSON.stringify(key))}: a cassette entry ${problem}. The other entries are written.`,
      );
      return false;
    }
    const changed = store.put(key, entry);
    if (changed.length === 0) return false;
    recorded++;
    options.onChange(changed);
    return true;
  }

  /**
   * Records `/` once, with the first client's headers: clients never ask for the version list, yet
   * without it a replay offers versions the instance refused and cloud-init negotiates another one.
   */
  function recordVersionList(headers: IncomingHttpHeaders): Promise<void> {
    if (store.entries['/'] !== undefined) return Promise.resolve();
    versionList ??= fetchVersionList({ upstream: options.upstream, headers, agent: options.agent, timeoutMs: options.timeoutMs }).then(
      (response) => {
        if (response?.status === 200) keep('/', toEntry(200, response.headers, response.body));
        // Asked again with the next client's headers (a token may be what was missing).
        else versionList = undefined;
      },
    );
    return versionList;
  }

  /** The cassette key for a slash path's answer: the cassette decides, else one probe of the upstream. */
  async function keyFor(target: RecordTarget, headers: IncomingHttpHeaders): Promise<string | undefined> {
    if ('key' in target) return target.key;
    let kind = store.kindOf(target.leaf);
    if (kind === undefined) {
      let probe = probes.get(target.leaf);
      if (!probe) {
        if (probes.size >= MAX_PROBES) probes.clear();
        probe = probePathKind({
          upstream: options.upstream,
          path: target.probePath,
          headers,
          agent: options.agent,
          timeoutMs: options.timeoutMs,
        });
        probes.set(target.leaf, probe);
      }
      kind = await probe;
      // Only answers are remembered: a probe that failed is asked again next time.
      if (kind === undefined && probes.get(target.leaf) === probe) probes.delete(target.leaf);
    }
    return kind === undefined ? undefined : kind === 'directory' ? `${target.leaf}/` : target.leaf;
  }

  return {
    async record(answer) {
      if (answer.method !== 'GET' || answer.target === undefined) return false;
      await recordVersionList(answer.requestHeaders);
      const { target } = answer;
      // A dated version the instance refused is a fact too: replay must refuse it the same way.
      if (answer.status === 404 && 'key' in target && DATED.test(target.key))
        return keep(target.key, toEntry(404, answer.headers, answer.body));
      // Other whole 200 answers are facts about the instance; 401s, other 404s and redirects are the replay core's job.
      if (answer.status !== 200) return false;
      const key = await keyFor(target, answer.requestHeaders);
      return key !== undefined && keep(key, toEntry(answer.status, answer.headers, answer.body));
    },
    get recorded() {
      return recorded;
    },
  };
}
