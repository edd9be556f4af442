import type { RecordingListing } from './shipped-recordings.js';
import { colors } from './colors.js';

/** The `aemm recordings` table: one line per recording, then where they live and how to use a name. */
export function renderRecordings(listings: readonly RecordingListing[], dir: string): string {
  const columns = (listing: RecordingListing): string[] => [listing.name, listing.instanceType ?? '-', listing.region ?? '-'];
  const header = ['NAME', 'TYPE', 'REGION'];
  const widths = header.map((title, index) => Math.max(title.length, ...listings.map((listing) => columns(listing)[index]!.length)));
  const line = (cells: string[], last: string): string => `${cells.map((cell, index) => cell.padEnd(widths[index]!)).join('  ')}  ${last}`;
  return [
    colors.dim(line(header, 'WHAT')),
    ...listings.map((listing) =>
      line(columns(listing), [...listing.features, ...(listing.synthetic ? [colors.dim('synthetic')] : [])].join(', ')),
    ),
    '',
    colors.dim(`In ${dir}. A name works wherever a cassette file does: aemm replay NAME, aemm diff NAME OTHER, aemm inspect NAME.`),
  ].join('\n');
}
