import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { colors } from '../cli/colors.js';
import { parsePort } from '../cli/parse-flags.js';
import { UsageError } from '../core/errors.js';
import { parseDuration } from '../core/parse-duration.js';
import type { RecordSummary } from '../recorder/record-cassette.js';
import type { ProxyRequestLog, RecordMode } from '../recorder/start-recording-proxy.js';
import { isLoopback } from '../core/is-loopback.js';

/** Exit code of a recording stopped by Ctrl-C before it was written (128 + SIGINT). */
const INTERRUPTED_EXIT = 130;
const PROGRESS_EVERY_MS = 100;

function parsePositive(flag: string, input: string, integer: boolean): number {
  const value = Number(input);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(input) || !(value > 0) || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${flag} "${input}" is not a positive ${integer ? 'whole ' : ''}number. Use e.g. --${flag} ${integer ? 4 : 100}.`);
  }
  return value;
}

function parseCount(flag: string, input: string): number {
  if (!/^\s*\d{1,3}\s*$/.test(input)) throw new UsageError(`--${flag} "${input}" is not a whole number from 0 to 999. Use e.g. --${flag} 4.`);
  return Number(input);
}

function parseTimeout(input: string): number {
  const ms = parseDuration(input, '--timeout');
  if (!(ms > 0)) throw new UsageError(`--timeout "${input}" must be more than 0. Use e.g. --timeout 2s.`);
  return ms;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Record a real instance's IMDS into a cassette, by crawling it or by proxying an application. */
export default class RecordCommand extends BaseCommand {
  static override summary = "Record an instance's metadata service into a cassette (crawl it, or proxy an application).";
  static override description =
    'With --crawl, walks the whole IMDS tree of UPSTREAM (tokens first, v1 only if tokens are refused) at a bounded ' +
    'rate and writes the cassette once, atomically; paths that still fail after retries are listed and the exit code is 1. ' +
    'With --proxy, listens on 127.0.0.1 and records every answer that passes through until Ctrl-C. Credentials become ' +
    'well-formed fakes in the file unless --no-redact; IMDSv2 tokens are never written.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> --crawl -o recordings/m7g-large.json',
    '<%= config.bin %> <%= command.id %> --crawl -o recordings/web.json --redact user-data --redact "meta-data/tags/**"',
    '<%= config.bin %> <%= command.id %> --proxy -o app.json --port 0',
    '<%= config.bin %> <%= command.id %> --proxy -o app.json --mode replay-or-record',
    '<%= config.bin %> <%= command.id %> --crawl -o local.json --upstream http://127.0.0.1:1338 --rate 500',
  ];

  static override enableJsonFlag = true;

  static override flags = {
    crawl: Flags.boolean({ description: 'Walk the whole metadata tree.', default: false }),
    proxy: Flags.boolean({ description: 'Record what an application asks for, as a proxy in front of the upstream.', default: false }),
    output: Flags.string({ char: 'o', description: 'Cassette file to write (its directory must exist).' }),
    upstream: Flags.string({ char: 'u', description: 'IMDS to record, an http:// origin.', default: 'http://169.254.169.254' }),
    redact: Flags.string({ description: 'Also replace the whole body of paths matching this glob (repeatable), e.g. user-data or "meta-data/tags/**".', multiple: true }),
    'no-redact': Flags.boolean({ description: 'Keep real credentials in the file (dangerous; prints a warning).', default: false }),
    timeout: Flags.custom<number>({ description: 'Upstream timeout per request, more than 0, e.g. 2s or 500ms [default: 2s crawl, 5s proxy].', parse: async (input) => parseTimeout(input) })(),
    quiet: Flags.boolean({ char: 'q', description: 'No progress output.', default: false }),
    concurrency: Flags.custom<number>({ description: '--crawl: requests in flight at once [default: 4].', parse: async (input) => parsePositive('concurrency', input, true) })(),
    rate: Flags.custom<number>({ description: '--crawl: requests per second at most, retries included [default: 100].', parse: async (input) => parsePositive('rate', input, false) })(),
    retries: Flags.custom<number>({ description: '--crawl: extra attempts per path after a timeout, connection error, 429 or 5xx [default: 4].', parse: async (input) => parseCount('retries', input) })(),
    'allow-partial': Flags.boolean({ description: '--crawl: write what was fetched even when some paths failed (listed in meta.incomplete).', default: false }),
    mode: Flags.string({ description: '--proxy: new (add missing entries), overwrite (start empty), replay-or-record (serve the file, record misses) [default: new].', options: ['new', 'overwrite', 'replay-or-record'] }),
    port: Flags.custom<number>({ char: 'p', description: '--proxy: TCP port; 0 picks a free one [default: 1338].', parse: async (input) => parsePort(input) })(),
    hostname: Flags.string({ char: 'n', description: '--proxy: address to listen on [default: 127.0.0.1].' }),
    'allow-remote': Flags.boolean({ description: '--proxy: allow listening beyond loopback (hands the credentials to the network).', default: false }),
    'allow-host': Flags.string({ description: '--proxy: also answer requests whose Host is this name (repeatable); loopback names and the bound address always are.', multiple: true }),
    force: Flags.boolean({ description: 'Replace an output file that is read-only.', default: false }),
  };

  /** Records; resolves with the summary (printed as JSON with --json). Exit 1 when paths failed, 130 when interrupted. */
  async run(): Promise<RecordSummary> {
    const { flags } = await this.parse(RecordCommand);
    if (flags.crawl === flags.proxy) {
      throw new UsageError(flags.crawl ? 'Choose one of --crawl and --proxy, not both.' : 'Choose how to record: --crawl (the whole tree) or --proxy (what an application asks for).');
    }
    if (flags.output === undefined) throw new UsageError('Name the cassette to write with -o, e.g. -o recordings/my-instance.json.');
    const misplaced = flags.crawl
      ? (['mode', 'port', 'hostname', 'allow-remote', 'allow-host'] as const).filter((name) => flags[name] !== undefined && flags[name] !== false)
      : (['concurrency', 'rate', 'retries', 'allow-partial'] as const).filter((name) => flags[name] !== undefined && flags[name] !== false);
    if (misplaced.length > 0) throw new UsageError(`--${misplaced[0]} only applies to ${flags.crawl ? '--proxy' : '--crawl'}. Drop it.`);

    const { recordCassette, checkRecordRequest } = await import('../recorder/record-cassette.js');
    // Contradictions first: nothing may be printed (the --no-redact warning) for a run that never starts.
    checkRecordRequest({ redact: !flags['no-redact'], redactPaths: flags.redact, timeoutMs: flags.timeout });
    const json = this.jsonEnabled();
    const live = process.stderr.isTTY === true && !flags.quiet && !json;
    const note = (text: string): void => {
      process.stderr.write(`${text}\n`);
    };
    if (flags['no-redact']) {
      note(colors.bold.red(`WARNING: --no-redact: this instance's real credentials will be written to "${flags.output}" in clear text. Do not commit, share or upload that file.`));
    }
    if (flags['allow-remote'] && flags.hostname !== undefined && !isLoopback(flags.hostname)) {
      note(colors.yellow(`Warning: listening on ${flags.hostname}, beyond loopback: anyone who can reach it gets this instance's credentials.`));
    }

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
    let summary: RecordSummary;
    try {
      summary = await recordCassette(
        {
          how: flags.crawl ? 'crawl' : 'proxy',
          output: flags.output,
          upstream: flags.upstream,
          mode: flags.mode as RecordMode | undefined,
          port: flags.port,
          hostname: flags.hostname,
          allowRemote: flags['allow-remote'],
          allowHosts: flags['allow-host'],
          force: flags.force,
          redact: !flags['no-redact'],
          redactPaths: flags.redact,
          concurrency: flags.concurrency,
          ratePerSecond: flags.rate,
          retries: flags.retries,
          timeoutMs: flags.timeout,
          allowPartial: flags['allow-partial'],
          signal: controller.signal,
        },
        {
          onProgress: ({ done, found, errors }) => draw(`crawling ${flags.upstream}: ${done}/${found} paths, ${plural(errors, 'error')}`, done === found),
          onListening: ({ url, upstream, output, mode }) => {
            const line = `${colors.bold.cyan('aemm record')} listening on ${colors.underline(url)} -> ${upstream}, writing ${output} (mode ${mode}). Ctrl-C to stop.`;
            // The URL must be printed even with --quiet (--port 0); with --json, stdout carries only the summary.
            if (json) note(line);
            else process.stdout.write(`${line}\n`);
          },
          onRequest: (log, recorded) => {
            if (flags.quiet || json) return;
            if (live) draw(`${recorded} ${recorded === 1 ? 'entry' : 'entries'} recorded; last: ${log.method} ${log.path} ${log.status}`, true);
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
    this.report(summary);
    return summary;
  }

  private report(summary: RecordSummary): void {
    const seconds = `${(summary.durationMs / 1000).toFixed(1)} s`;
    if (summary.interrupted) {
      process.stderr.write(`Interrupted: ${summary.output} was not written (a previous file there is unchanged).\n`);
      process.exitCode = INTERRUPTED_EXIT;
      return;
    }
    const redacted = summary.redacted.length > 0 ? `; redacted ${plural(summary.redacted.length, 'path')}` : '';
    if (summary.how === 'proxy') {
      this.log(summary.written
        ? `Recorded to ${summary.output}: ${summary.entries} ${summary.entries === 1 ? 'entry' : 'entries'} after ${plural(summary.requests, 'request')} in ${seconds}${redacted}.`
        : `Nothing new recorded after ${plural(summary.requests, 'request')}; ${summary.output} was not written.`);
      return;
    }
    const about = [summary.instanceType, summary.region, summary.imdsVersion === 'v1' ? 'IMDSv1' : 'IMDSv2'].filter(Boolean).join(', ');
    if (summary.notFound.length > 0) {
      this.logToStderr(`Note: ${plural(summary.notFound.length, 'listed path')} answered 404 and ${summary.notFound.length === 1 ? 'was' : 'were'} not recorded: ${summary.notFound.join(', ')}`);
    }
    if (summary.errors.length > 0) {
      const lines = summary.errors.map((error) => `  ${error.path}: ${error.reason}`).join('\n');
      const what = summary.written ? `${summary.output} was written without them (meta.incomplete lists them)` : `${summary.output} was not written (--allow-partial writes what was fetched)`;
      process.stderr.write(`${colors.red('Error:')} could not fetch ${plural(summary.errors.length, 'path')} from ${summary.upstream}; ${what}:\n${lines}\n`);
      process.exitCode = 1;
      return;
    }
    this.log(`Recorded ${summary.entries} entries from ${summary.upstream} (${about}) to ${summary.output} in ${seconds}, ${plural(summary.requests, 'request')}${redacted}.`);
  }
}

function renderRequest(log: ProxyRequestLog): string {
  const tag = log.recorded ? colors.green('recorded')
    : log.from === 'cassette' ? colors.cyan('from cassette')
    : log.from === 'proxy' ? colors.yellow(log.status === 504 ? 'upstream timed out' : log.status === 502 ? 'upstream failed' : 'refused')
    : colors.dim('passed');
  return `${log.method.padEnd(4)} ${log.path} ${log.status} ${tag}`;
}
