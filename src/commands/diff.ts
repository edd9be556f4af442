import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import type { Cassette } from '../core/cassette.js';
import { AemmError, UsageError } from '../core/errors.js';
import type { CassetteDiff } from '../differ/diff-cassettes.js';

/** One side of a diff as `--json` reports it. */
export interface DiffReportSide {
  /** The cassette file, or the live URL. */
  source: string;
  instanceType: string | null;
  region: string | null;
  recordedAt: string;
  entries: number;
  /** With `--live`: paths the crawl could not read (they show up as removed). */
  errors?: Array<{ path: string; reason: string }>;
}

/** What `aemm diff` returns and prints with `--json`. */
export interface DiffReport extends CassetteDiff {
  a: DiffReportSide;
  b: DiffReportSide;
}

function toSide(source: string, cassette: Cassette): DiffReportSide {
  const { meta } = cassette;
  return {
    source,
    instanceType: meta.instanceType ?? null,
    region: meta.region ?? null,
    recordedAt: meta.recordedAt,
    entries: Object.keys(cassette.entries).length,
  };
}

/** Show what differs between two cassettes, or between a cassette and a live IMDS. */
export default class Diff extends BaseCommand {
  static override summary = 'Show what differs between two cassettes, or a cassette and a live IMDS.';
  static override description =
    'Compares cassette A (before) with B (after): entries only in B are added, only in A removed, in both but ' +
    'different changed, with per-line, per-key and per-value details, grouped by category. Instance-specific noise ' +
    '(MAC addresses in paths, ids, IP addresses, hostnames, timestamps, account ids, secrets) is compared by kind ' +
    'unless --raw is given. Exits 0 when equal, 1 when different, 2 on error.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> m7i-large m7g-large',
    '<%= config.bin %> <%= command.id %> m7i-large p5-48xlarge --stat',
    '<%= config.bin %> <%= command.id %> a.json b.json --raw --ignore "meta-data/tags/**" --json',
    '<%= config.bin %> <%= command.id %> default --live http://127.0.0.1:1338',
  ];

  static override enableJsonFlag = true;

  static override args = {
    a: Args.string({ description: 'Cassette A (before): a file, or the name of a shipped recording.', required: true }),
    b: Args.string({ description: 'Cassette B (after), a file or a name; leave out with --live.' }),
  };

  static override flags = {
    stat: Flags.boolean({ description: 'Print only the one-line summary.', default: false }),
    raw: Flags.boolean({
      description: 'Compare ids, addresses, MACs, hostnames, times and secrets by value, and paths as recorded.',
      default: false,
    }),
    ignore: Flags.string({
      description: 'Leave out paths matching this glob (repeatable): * within a segment, ** across.',
      multiple: true,
      multipleNonGreedy: true,
    }),
    live: Flags.string({ description: 'Compare cassette A with the IMDS at this http:// origin instead of a second file.' }),
  };

  /** Resolves with the diff; sets exit code 1 when the sides differ. */
  async run(): Promise<DiffReport> {
    const { args, flags } = await this.parse(Diff);
    if (flags.live !== undefined && args.b !== undefined) {
      throw new UsageError(
        `--live compares one cassette with a live IMDS, but two were given ("${args.a}", "${args.b}"). Drop one of them.`,
      );
    }
    if (flags.live === undefined && args.b === undefined) {
      throw new UsageError(`aemm diff needs two cassettes, or one and --live URL. Try "aemm diff ${args.a} other.json".`);
    }
    const { loadCassette } = await import('../cassette/load-cassette.js');
    const { diffCassettes } = await import('../differ/diff-cassettes.js');
    const { chooseCassette } = await import('../cli/shipped-recordings.js');
    const choiceA = await chooseCassette(args.a);
    const a = await loadCassette(choiceA.path);
    let b: Cassette;
    let bSide: DiffReportSide;
    if (flags.live !== undefined) {
      const { crawlImds } = await import('../recorder/crawl-imds.js');
      const onWarning = (warning: string): void => this.logToStderr(`Warning: ${warning}`);
      const live = await crawlImds({ upstream: flags.live, onWarning });
      if (Object.keys(live.cassette.entries).length === 0) {
        const reason = live.errors[0]?.reason ?? 'nothing answered';
        throw new AemmError(
          'LIVE_UNREACHABLE',
          `Failed to read IMDS at ${flags.live}: ${reason}. Check that it is running and the URL is right.`,
        );
      }
      b = live.cassette;
      bSide = { ...toSide(flags.live, b), errors: live.errors };
      for (const error of live.errors) this.logToStderr(`Warning: could not read ${error.path} from ${flags.live}: ${error.reason}`);
    } else {
      const choiceB = await chooseCassette(args.b!);
      b = await loadCassette(choiceB.path);
      bSide = toSide(args.b!, b);
    }
    const diff = diffCassettes(a, b, { raw: flags.raw, ignore: flags.ignore ?? [] });
    const { format, ...rest } = diff;
    const report: DiffReport = { format, a: toSide(args.a, a), b: bSide, ...rest };
    const { colors } = await import('../cli/colors.js');
    const { formatDiff } = await import('../differ/format-diff.js');
    const { formatDiffStat } = await import('../differ/format-diff-stat.js');
    const paint = { added: colors.green, removed: colors.red, changed: colors.yellow, dim: colors.dim, bold: colors.bold };
    const sides = {
      a: { label: args.a, instanceType: a.meta.instanceType, region: a.meta.region },
      b: { label: bSide.source, instanceType: b.meta.instanceType, region: b.meta.region },
    };
    this.log(flags.stat ? formatDiffStat(diff) : formatDiff(diff, sides, paint));
    // diff(1) convention: 0 equal, 1 different (2, for errors, comes from BaseCommand).
    this.setExitCode(diff.equal ? 0 : 1);
    return report;
  }
}
