import { BaseCommand } from '../cli/base-command.js';
import type { RecordingListing } from '../cli/shipped-recordings.js';

/** List the recordings shipped with the package. */
export default class Recordings extends BaseCommand {
  static override summary = 'List the recordings shipped with aemm: name, instance type, region, what is special.';
  static override description =
    'Every name works wherever a cassette file does: `aemm replay m7i-large`, `aemm diff m7i-large m7g-large`, ' +
    '`aemm inspect default`. A file path always wins over a name.';

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json'];

  static override enableJsonFlag = true;

  /** Resolves with every shipped recording, sorted by name. */
  async run(): Promise<RecordingListing[]> {
    await this.parse(Recordings);
    const { describeShippedRecordings, RECORDINGS_DIR } = await import('../cli/shipped-recordings.js');
    const { renderRecordings } = await import('../cli/render-recordings.js');
    const listings = await describeShippedRecordings();
    this.log(renderRecordings(listings, RECORDINGS_DIR));
    return listings;
  }
}
