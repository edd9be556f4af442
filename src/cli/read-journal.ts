import { AemmError, UsageError } from '../core/errors.js';
import type { JournalEntry } from '../core/journal/create-journal.js';
import { colors } from './colors.js';

/** What `GET /__aemm/journal` answers. */
export interface JournalPage {
  total: number;
  size: number;
  entries: JournalEntry[];
}

/** Reads the journal of a running `aemm replay`, filtered by the query parameters given. */
export async function readJournal(baseUrl: string, query: Record<string, string | number | undefined>): Promise<JournalPage> {
  let url: URL;
  try {
    url = new URL('/__aemm/journal', baseUrl);
  } catch {
    throw new UsageError(`--url "${baseUrl}" is not a URL. Use the address aemm replay printed, e.g. http://127.0.0.1:1338.`);
  }
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  } catch (error) {
    const { cause } = error as { cause?: { code?: string; message?: string } };
    throw new AemmError(
      'CONTROL_UNREACHABLE',
      `Cannot reach the control API at ${url.origin} (${cause?.code ?? cause?.message ?? (error as Error).message}). Start aemm replay first, or pass --url with the address it printed.`,
    );
  }
  const value = (await response.json().catch(() => undefined)) as (JournalPage & { error?: string }) | undefined;
  if (response.ok && value && Array.isArray(value.entries)) return value;
  if (value?.error) throw new UsageError(value.error);
  throw new AemmError(
    'CONTROL_MISSING',
    `${url.origin} has no aemm journal (HTTP ${response.status}). Is it aemm replay, started without --no-control?`,
  );
}

/** One line per journal entry: replay time, method, path, status, token use, and the step that answered. */
export function renderJournal(page: JournalPage): string {
  if (page.entries.length === 0) return colors.dim(`no matching requests (${page.total} in all)`);
  return page.entries
    .map((entry) => {
      const status = entry.abort
        ? colors.red(entry.abort)
        : entry.status < 400
          ? colors.green(String(entry.status))
          : colors.yellow(String(entry.status));
      const by = entry.step ? colors.dim(` ${entry.layer ?? ''}${entry.layer ? '@' : ''}${entry.step}`) : '';
      return `${colors.dim(`#${entry.seq}`)} ${entry.at} ${entry.method.padEnd(4)} ${entry.path} ${status} ${colors.magenta(`token ${entry.token}`)}${entry.ttl ? colors.dim(` ttl ${entry.ttl}`) : ''}${by}`;
    })
    .join('\n');
}
