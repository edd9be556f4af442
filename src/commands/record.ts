import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { colors } from '../cli/colors.js';
import { parsePort } from '../cli/parse-flags.js';
import { UsageError } from '../core/errors.js';
import { parseDuration } from '../core/parse-duration.js';
import type { RecordSummary } from '../recorder/record-cassette.js';
import type { RecordMode } from '../recorder/start-recording-proxy.js';
import { isLoopback } from '../core/is-loopback.js';

function parsePositive(flag: string, input: string, integer: boolean): number {
  const value = Number(input);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(input) || !(value > 0) || (integer && !Number.isInteger(value))) {
    throw new UsageError(
      `--${flag} "${input}" is not a positive ${integer ? 'whole ' : ''}number. Use e.g. --${flag} ${integer ? 4 : 100}.`,
    );
  }
  return value;
}

function parseCount(flag: string, input: string): number {
  if (!/^\s*\d{1,3}\s*$/.test(input))
    throw new UsageError(`--${flag} "${input}" is not a whole number from 0 to 999. Use e.g. --${flag} 4.`);
  return Number(input);
}

function parseTimeout(input: string): number {
  const ms = parseDuration(input, '--timeout');
  if (!(ms > 0)) throw new UsageError(`--timeout "${input}" must be more than 0. Use e.g. --timeout 2s.`);
  return ms;
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
    redact: Flags.string({
      description: 'Also replace the whole body of paths matching this glob (repeatable), e.g. user-data or "meta-data/tags/**".',
      multiple: true,
    }),
    'no-redact': Flags.boolean({ description: 'Keep real credentials in the file (dangerous; prints a warning).', default: false }),
    timeout: Flags.custom<number>({
      description: 'Upstream timeout per request, more than 0, e.g. 2s or 500ms [default: 2s crawl, 5s proxy].',
      parse: async (input) => parseTimeout(input),
    })(),
    quiet: Flags.boolean({ char: 'q', description: 'No progress output.', default: false }),
    concurrency: Flags.custom<number>({
      description: '--crawl: requests in flight at once [default: 4].',
      parse: async (input) => parsePositive('concurrency', input, true),
    })(),
    rate: Flags.custom<number>({
      description: '--crawl: requests per second at most, retries included [default: 100].',
      parse: async (input) => parsePositive('rate', input, false),
    })(),
    retries: Flags.custom<number>({
      description: '--crawl: extra attempts per path after a timeout, connection error, 429 or 5xx [default: 4].',
      parse: async (input) => parseCount('retries', input),
    })(),
    'allow-partial': Flags.boolean({
      description: '--crawl: write what was fetched even when some paths failed (listed in meta.incomplete).',
      default: false,
    }),
    mode: Flags.string({
      description:
        '--proxy: new (add missing entries), overwrite (start empty), replay-or-record (serve the file, record misses) [default: new].',
      options: ['new', 'overwrite', 'replay-or-record'],
    }),
    port: Flags.custom<number>({
      char: 'p',
      description: '--proxy: TCP port; 0 picks a free one [default: 1338].',
      parse: async (input) => parsePort(input),
    })(),
    hostname: Flags.string({ char: 'n', description: '--proxy: address to listen on [default: 127.0.0.1].' }),
    'allow-remote': Flags.boolean({
      description: '--proxy: allow listening beyond loopback (hands the credentials to the network).',
      default: false,
    }),
    'allow-host': Flags.string({
      description: '--proxy: also answer requests whose Host is this name (repeatable); loopback names and the bound address always are.',
      multiple: true,
    }),
    force: Flags.boolean({ description: 'Replace an output file that is read-only.', default: false }),
  };

  /** Records; resolves with the summary (printed as JSON with --json). Exit 1 when paths failed, 130 when interrupted. */
  async run(): Promise<RecordSummary> {
    const { flags } = await this.parse(RecordCommand);
    if (flags.crawl === flags.proxy) {
      throw new UsageError(
        flags.crawl
          ? 'Choose one of --crawl and --proxy, not both.'
          : 'Choose how to record: --crawl (the whole tree) or --proxy (what an application asks for).',
      );
    }
    if (flags.output === undefined) throw new UsageError('Name the cassette to write with -o, e.g. -o recordings/my-instance.json.');
    const misplaced = flags.crawl
      ? (['mode', 'port', 'hostname', 'allow-remote', 'allow-host'] as const).filter(
          (name) => flags[name] !== undefined && flags[name] !== false,
        )
      : (['concurrency', 'rate', 'retries', 'allow-partial'] as const).filter((name) => flags[name] !== undefined && flags[name] !== false);
    if (misplaced.length > 0) throw new UsageError(`--${misplaced[0]} only applies to ${flags.crawl ? '--proxy' : '--crawl'}. Drop it.`);

    const { checkRecordRequest } = await import('../recorder/record-cassette.js');
    // Contradictions first: nothing may be printed (the --no-redact warning) for a run that never starts.
    checkRecordRequest({ redact: !flags['no-redact'], redactPaths: flags.redact, timeoutMs: flags.timeout });
    const json = this.jsonEnabled();
    if (flags['no-redact']) {
      process.stderr.write(
        `${colors.bold.red(`WARNING: --no-redact: this instance's real credentials will be written to "${flags.output}" in clear text. Do not commit, share or upload that file.`)}\n`,
      );
    }
    if (flags['allow-remote'] && flags.hostname !== undefined && !isLoopback(flags.hostname)) {
      process.stderr.write(
        `${colors.yellow(`Warning: listening on ${flags.hostname}, beyond loopback: anyone who can reach it gets this instance's credentials.`)}\n`,
      );
    }
    const { recordUntilDone } = await import('../cli/record-until-done.js');
    const summary = await recordUntilDone(
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
      },
      { quiet: flags.quiet, json },
    );
    const { renderRecordSummary } = await import('../cli/render-record-summary.js');
    const report = renderRecordSummary(summary);
    if (report.stdout !== undefined && !json) this.log(report.stdout);
    if (report.stderr !== undefined) process.stderr.write(`${report.stderr}\n`);
    if (report.exitCode !== 0) this.setExitCode(report.exitCode);
    return summary;
  }

  // With --json, stdout is JSON lines: the proxy's listening line, then this summary.
  protected override logJson(json: unknown): void {
    process.stdout.write(`${JSON.stringify(json)}\n`);
  }
}
