import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { UsageError } from '../core/errors.js';
import type { CassetteInspection } from '../differ/inspect-cassette.js';

/** What `aemm inspect` returns and prints with `--json`. */
export interface InspectReport extends CassetteInspection {
  /** The cassette file inspected. */
  source: string;
}

/** Show a cassette's meta and its tree of entries with sizes. */
export default class Inspect extends BaseCommand {
  static override summary = "Show a cassette's meta and its tree of entries with sizes.";
  static override description =
    'Prints instance type, architecture, region and zone, when and from where it was recorded, whether it is ' +
    'synthetic and which paths were redacted, then every entry as a tree with its body size in bytes and the ' +
    'total under each directory.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> m7g-large',
    '<%= config.bin %> <%= command.id %> p5-48xlarge --depth 3',
    '<%= config.bin %> <%= command.id %> ./my-instance.json --json',
  ];

  static override enableJsonFlag = true;

  static override args = {
    cassette: Args.string({
      description: 'Cassette file, or the name of a shipped recording (see `aemm recordings`); default: the embedded default recording.',
    }),
  };

  static override flags = {
    depth: Flags.custom<number>({
      description: 'Show the tree down to this level (/ is 0, latest/ 1, meta-data/ 2); deeper entries count in their directory.',
      parse: async (input) => {
        if (!/^\d+$/.test(input.trim())) throw new UsageError(`--depth "${input}" is not a level. Use a whole number, e.g. 3.`);
        return Number(input);
      },
    })(),
  };

  /** Resolves with the inspection of the cassette. */
  async run(): Promise<InspectReport> {
    const { args, flags } = await this.parse(Inspect);
    const { DEFAULT_CASSETTE_PATH, loadCassette } = await import('../cassette/load-cassette.js');
    const { inspectCassette } = await import('../differ/inspect-cassette.js');
    const { chooseCassette } = await import('../cli/shipped-recordings.js');
    const choice =
      args.cassette === undefined
        ? { path: DEFAULT_CASSETTE_PATH, label: 'recordings/default.json (embedded)' }
        : await chooseCassette(args.cassette);
    const source = choice.path;
    const inspection = inspectCassette(await loadCassette(source));
    const { colors } = await import('../cli/colors.js');
    const { formatInspection } = await import('../differ/format-inspection.js');
    const paint = { added: colors.green, removed: colors.red, changed: colors.yellow, dim: colors.dim, bold: colors.bold };
    this.log(formatInspection(inspection, choice.label, paint, { depth: flags.depth }));
    const { format, ...rest } = inspection;
    return { format, source, ...rest };
  }
}
