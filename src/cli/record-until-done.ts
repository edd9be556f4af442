import { parseUpstream } from '../recorder/parse-upstream.js';
import { recordCassette, type RecordRequest, type RecordSummary } from '../recorder/record-cassette.js';
import type { ProxyRequestLog } from '../recorder/start-recording-proxy.js';
import { checkUpstream } from './check-upstream.js';
import { colors } from './colors.js';

/** Exit code of a recording stopped by Ctrl-C before it was written (128 + SIGINT). */
export const INTERRUPTED_EXIT = 130;
const PROGRESS_EVERY_MS = 100;
// How long `record --proxy` waits for the upstream's first answer before it refuses to listen.
const CHECK_TIMEOUT_MS = 2_000;

/** What `aemm record` prints while it runs. */
export interface RecordOutput {
  quiet: boolean;
  /** Stdout carries JSON lines only: the listening line (proxy) and, at the end, the summary. */
  json: boolean;
}

/** The line `aemm record --proxy --json` prints once it listens. */
export interface RecordReady {
  event: 'listening';
  url: string;
  port: number;
  upstream: string;
  /** The file being written. */
  cassette: string;
  mode: string;
  /** A recording proxy forwards answers as they are: it applies no layers. */
  layers: string[];
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function renderRequest(log: ProxyRequestLog): string {
  const tag = log.recorded
    ? colors.green('recorded')
    : log.from === 'cassette'
      ? colors.cyan('from cassette')
      : log.from === 'proxy'
        ? colors.yellow(log.status === 504 ? 'upstream timed out' : log.status === 502 ? 'upstream failed' : 'refused')
        : colors.dim('passed');
  return `${log.method.padEnd(4)} ${log.path} ${log.status} ${tag}`;
}

/**
 * Runs a recording from the CLI: checks a proxy's upstream first, stops on SIGINT/SIGTERM (a
 * second one exits at once), draws progress on a terminal, and prints the proxy's address and
 * requests. Resolves with the summary; the caller renders it.
 */
export async function recordUntilDone(request: Omit<RecordRequest, 'signal'>, output: RecordOutput): Promise<RecordSummary> {
  const live = process.stderr.isTTY === true && !output.quiet && !output.json;
  const note = (text: string): void => {
    process.stderr.write(`${text}\n`);
  };
  const controller = new AbortController();
  const stop = (): void => {
    // A second Ctrl-C means now; writes are atomic, so the file is still whole.
    if (controller.signal.aborted) process.exit(INTERRUPTED_EXIT);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  let lastDrawn = 0;
  const draw = (text: string, force = false): void => {
    const now = performance.now();
    if (!live || (!force && now - lastDrawn < PROGRESS_EVERY_MS)) return;
    lastDrawn = now;
    process.stderr.write(`\r\u001b[2K${colors.dim(text)}`);
  };
  const clear = (): void => {
    if (live && lastDrawn > 0) process.stderr.write('\r\u001b[2K');
  };
  try {
    if (request.how === 'proxy')
      await checkUpstream(parseUpstream(request.upstream), request.timeoutMs ?? CHECK_TIMEOUT_MS, controller.signal);
    return await recordCassette(
      { ...request, signal: controller.signal },
      {
        onProgress: ({ done, found, errors }) =>
          draw(`crawling ${request.upstream}: ${done}/${found} paths, ${plural(errors, 'error')}`, done === found),
        onListening: ({ url, upstream, output: file, mode }) => {
          if (output.json) {
            const ready: RecordReady = {
              event: 'listening',
              url,
              port: Number(new URL(url).port),
              upstream,
              cassette: file,
              mode,
              layers: [],
            };
            process.stdout.write(`${JSON.stringify(ready)}\n`);
            return;
          }
          // The URL is printed even with --quiet: with --port 0 it is the only way to learn the port.
          process.stdout.write(
            `${colors.bold.cyan('aemm record')} listening on ${colors.underline(url)} -> ${upstream}, writing ${file} (mode ${mode}). Ctrl-C to stop.\n`,
          );
        },
        onRequest: (log, recorded) => {
          if (output.quiet || output.json) return;
          if (live)
            draw(`${recorded} ${recorded === 1 ? 'entry' : 'entries'} recorded; last: ${log.method} ${log.path} ${log.status}`, true);
          else process.stdout.write(`${renderRequest(log)}\n`);
        },
        onWriteError: (error) => note(`${colors.yellow('Warning:')} ${error.message}`),
        onWarning: (message) => {
          clear();
          note(`${colors.yellow('Warning:')} ${message}`);
        },
      },
    );
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    clear();
  }
}
