import type { RecordSummary } from '../recorder/record-cassette.js';
import { colors } from './colors.js';
import { INTERRUPTED_EXIT } from './record-until-done.js';

/** How a finished recording is reported: a line for stdout, lines for stderr, and the exit code. */
export interface RecordReport {
  stdout?: string;
  stderr?: string;
  exitCode: number;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** The summary of `aemm record`: 0 done, 1 a crawl that missed paths, 130 interrupted before writing. */
export function renderRecordSummary(summary: RecordSummary): RecordReport {
  const seconds = `${(summary.durationMs / 1000).toFixed(1)} s`;
  if (summary.interrupted)
    return { stderr: `Interrupted: ${summary.output} was not written (a previous file there is unchanged).`, exitCode: INTERRUPTED_EXIT };
  const redacted = summary.redacted.length > 0 ? `; redacted ${plural(summary.redacted.length, 'path')}` : '';
  if (summary.how === 'proxy') {
    const stdout = summary.written
      ? `Recorded to ${summary.output}: ${summary.entries} ${summary.entries === 1 ? 'entry' : 'entries'} after ${plural(summary.requests, 'request')} in ${seconds}${redacted}.`
      : `Nothing new recorded after ${plural(summary.requests, 'request')}; ${summary.output} was not written.`;
    return { stdout, exitCode: 0 };
  }
  const notes: string[] = [];
  if (summary.notFound.length > 0) {
    notes.push(
      `Note: ${plural(summary.notFound.length, 'listed path')} answered 404 and ${summary.notFound.length === 1 ? 'was' : 'were'} not recorded: ${summary.notFound.join(', ')}`,
    );
  }
  if (summary.errors.length > 0) {
    const lines = summary.errors.map((error) => `  ${error.path}: ${error.reason}`).join('\n');
    const what = summary.written
      ? `${summary.output} was written without them (meta.incomplete lists them)`
      : `${summary.output} was not written (--allow-partial writes what was fetched)`;
    notes.push(
      `${colors.red('Error:')} could not fetch ${plural(summary.errors.length, 'path')} from ${summary.upstream}; ${what}:\n${lines}`,
    );
    return { stderr: notes.join('\n'), exitCode: 1 };
  }
  const about = [summary.instanceType, summary.region, summary.imdsVersion === 'v1' ? 'IMDSv1' : 'IMDSv2'].filter(Boolean).join(', ');
  const stdout = `Recorded ${summary.entries} entries from ${summary.upstream} (${about}) to ${summary.output} in ${seconds}, ${plural(summary.requests, 'request')}${redacted}.`;
  return { stdout, ...(notes.length > 0 ? { stderr: notes.join('\n') } : {}), exitCode: 0 };
}
