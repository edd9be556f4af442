import type { Agent, IncomingHttpHeaders } from 'node:http';
import type { PathKind, RecordingStore } from './create-recording-store.js';
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

/**
 * Records whole 200 answers to GET. A leaf asked with a trailing slash is recorded as the leaf:
 * the cassette's own listings decide, or one probe of the upstream without the slash (a 301 means
 * a directory); concurrent askers share one probe, and only answers are remembered.
 */
export function createAnswerRecorder(options: AnswerRecorderOptions): AnswerRecorder {
  const { store } = options;
  const probes = new Map<string, Promise<PathKind | undefined>>();
  let recorded = 0;

  /** The cassette key for a slash path's answer: the cassette decides, else one probe of the upstream. */
  async function keyFor(target: RecordTarget, headers: IncomingHttpHeaders): Promise<string | undefined> {
    if ('key' in target) return target.key;
    let kind = store.kindOf(target.leaf);
    if (kind === undefined) {
      let probe = probes.get(target.leaf);
      if (!probe) {
        if (probes.size >= MAX_PROBES) probes.clear();
        probe = probePathKind({ upstream: options.upstream, path: target.probePath, headers, agent: options.agent, timeoutMs: options.timeoutMs });
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
      // Only whole 200 answers to GET are facts about the instance; 401s, 404s and redirects are the replay core's job.
      if (answer.method !== 'GET' || answer.status !== 200 || answer.target === undefined) return false;
      const key = await keyFor(answer.target, answer.requestHeaders);
      if (key === undefined) return false;
      const changed = store.put(key, toEntry(answer.status, answer.headers, answer.body));
      if (changed.length === 0) return false;
      recorded++;
      options.onChange(changed);
      return true;
    },
    get recorded() {
      return recorded;
    },
  };
}
