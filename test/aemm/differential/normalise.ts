import type { WireResponse } from './send-raw.js';

/**
 * Every normalisation the differential test applies, by name. Nothing else is rewritten: any
 * other byte that differs is a difference.
 */
export const NORMALISATIONS = {
  'date-header': 'the Date response header is dropped (it is the wall clock)',
  token: 'the body of a 200 token PUT becomes <token> (tokens are random; their lengths differ, see README)',
  'clock-time':
    'a time within 10 days of the wall clock becomes <clock±N min>, its offset in whole minutes (spot, rebalance and event times follow the clock)',
  'log-time': "Go's log prefix `yyyy/mm/dd hh:mm:ss ` becomes <log-time> (the wall clock)",
  'content-length':
    'a Content-Length equal to the body length becomes <body length> (bodies are compared after the token and clock normalisations)',
  port: "each side's own port number becomes <port> (the two run side by side)",
  home: "each side's own HOME and working folder become <home> and <cwd>",
  'update-order': 'the `Updating path from … to …` log lines are sorted, in the place of the first (AEMM logs them in Go map order)',
  'flags-order': 'the lines of the start-up `Flags:` block are sorted (AEMM prints them in Go map order, which changes from run to run)',
} as const;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WINDOW_MS = 10 * 24 * 3600_000;

function relative(ms: number, now: number): string | undefined {
  if (Number.isNaN(ms) || Math.abs(ms - now) > WINDOW_MS) return undefined;
  const minutes = Math.round((ms - now) / 60_000);
  return `<clock${minutes >= 0 ? '+' : ''}${minutes} min>`;
}

/** The `clock-time` normalisation, for RFC 3339 times and AEMM's event dates (`2 Dec 2026 00:32:29 GMT`). */
export function normaliseClockTimes(text: string, now: number): string {
  return text
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, (time) => relative(Date.parse(time), now) ?? time)
    .replace(
      /(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d\d):(\d\d):(\d\d) GMT/g,
      (time, day: string, month: string, year: string, h: string, m: string, s: string) =>
        relative(Date.UTC(Number(year), MONTHS.indexOf(month), Number(day), Number(h), Number(m), Number(s)), now) ?? time,
    );
}

/** The lines that `pick` selects, sorted and gathered where the first of them was. */
function sortLines(text: string, pick: (line: string) => boolean): string {
  const lines = text.split('\n');
  const first = lines.findIndex(pick);
  if (first === -1) return text;
  const rest = lines.filter((line) => !pick(line));
  rest.splice(first, 0, ...lines.filter(pick).sort());
  return rest.join('\n');
}

/** What a side's process output looks like once `log-time`, `port`, `home` and `clock-time` are applied. */
export function normaliseOutput(text: string, context: { port?: number; home: string; cwd: string; now: number }): string {
  let out = text.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /gm, '<log-time> ');
  out = out.split(context.home).join('<home>').split(context.cwd).join('<cwd>');
  if (context.port !== undefined) out = out.replace(new RegExp(`\\b${context.port}\\b`, 'g'), '<port>');
  out = sortLines(out, (line) => line.startsWith('<log-time> Updating path from '));
  out = out.replace(
    /\nFlags:\n((?:[^\n]+\n)+)/,
    (_block, lines: string) => `\nFlags:\n${lines.split('\n').filter(Boolean).sort().join('\n')}\n`,
  );
  return normaliseClockTimes(out, context.now);
}

/** A response as one comparable text: status line, header lines in order (minus Date), blank line, body. */
export function normaliseResponse(response: WireResponse, context: { isTokenPut: boolean; now: number }): string {
  let body = response.body.toString('latin1');
  if (context.isTokenPut && response.statusLine.includes(' 200 ') && body.length > 0) body = '<token>';
  else body = normaliseClockTimes(body, context.now);
  const headers = response.headers
    .filter((line) => !/^date:/i.test(line))
    .map((line) => {
      const match = /^(content-length):\s*(\d+)$/i.exec(line);
      return match && Number(match[2]) === response.body.length ? `${match[1]}: <body length>` : line;
    });
  return [response.statusLine, ...headers, '', body].join('\n');
}
