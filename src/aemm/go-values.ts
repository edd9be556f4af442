// How AEMM's Go libraries read and print values (pflag, mapstructure, time, log), so flags, env
// variables and config files mean what they meant to AEMM.

/** An integer as Go's `strconv.ParseInt(s, 0, 64)` reads it (pflag int flags): `10`, `-3`, `0x1f`, `0o17`, `017`, `0b101`, `1_000`. */
export function parseGoInt(text: string): number | undefined {
  const match = /^([+-]?)(0[xX]|0[oO]|0[bB]|0(?=[0-7_])|)(_?[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)$/.exec(text);
  if (!match) return undefined;
  const [, sign, prefix = '', raw = ''] = match;
  // An underscore may follow a base prefix, otherwise only sit between digits.
  if (raw.startsWith('_') && prefix === '') return undefined;
  const digits = raw.replace(/_/g, '');
  const base = prefix === '' ? 10 : /[xX]/.test(prefix) ? 16 : /[bB]/.test(prefix) ? 2 : 8;
  const valid = base === 16 ? /^[0-9a-fA-F]+$/ : base === 10 ? /^(0|[1-9]\d*)$/ : base === 8 ? /^[0-7]+$/ : /^[01]+$/;
  if (!valid.test(digits)) return undefined;
  const value = Number.parseInt(digits, base);
  if (!Number.isSafeInteger(value)) return undefined;
  return sign === '-' ? -value : value;
}

/** A boolean as Go's `strconv.ParseBool` reads it: 1, t, T, TRUE, true, True and their false twins. */
export function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

/** Epoch ms of a time Go's `time.Parse(time.RFC3339, …)` accepts (`2020-01-07T01:03:47Z`, `…+02:00`, fractions), else undefined. */
export function parseRfc3339(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|([+-])(\d{2}):(\d{2}))$/.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) return undefined;
  let offset = 0;
  if (match[8] !== 'Z') {
    const offsetHours = Number(match[10]);
    const offsetMinutes = Number(match[11]);
    if (offsetHours > 23 || offsetMinutes > 59) return undefined;
    offset = (match[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
  }
  const fraction = match[7] ? Number(`0${match[7]}`) * 1000 : 0;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  return utc - offset * 60_000 + Math.floor(fraction);
}

/**
 * The wall-clock reading of an RFC 3339 time, as epoch ms of that reading taken as UTC: what
 * AEMM prints when it formats a parsed time with its `… GMT` event layout (it keeps the zone).
 */
export function toWallClock(text: string): number | undefined {
  const instant = parseRfc3339(text);
  const zone = /([+-])(\d{2}):(\d{2})$/.exec(text);
  if (instant === undefined || !zone) return instant;
  return instant + (zone[1] === '-' ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3])) * 60_000;
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** Wall-clock fields of `epochMs` shifted by `offsetMinutes` east of UTC. */
function wallClock(epochMs: number, offsetMinutes: number): Date {
  return new Date(epochMs + offsetMinutes * 60_000);
}

/** `time.Now().Format(time.RFC3339)` in a zone `offsetMinutes` east of UTC: `2021-05-10T16:22:30-05:00`, or `…Z` in UTC. */
export function formatRfc3339(epochMs: number, offsetMinutes: number): string {
  const wall = wallClock(epochMs, offsetMinutes);
  const date = `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}`;
  const time = `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}`;
  if (offsetMinutes === 0) return `${date}T${time}Z`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${date}T${time}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The prefix Go's standard logger puts on a line: `2009/01/23 01:23:23 ` in local time. */
export function formatGoLogPrefix(epochMs: number, offsetMinutes: number): string {
  const wall = wallClock(epochMs, offsetMinutes);
  return `${wall.getUTCFullYear()}/${pad(wall.getUTCMonth() + 1)}/${pad(wall.getUTCDate())} ${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())} `;
}

const SYSCALL_MESSAGES: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  EROFS: 'read-only file system',
  EEXIST: 'file exists',
  ENOSPC: 'no space left on device',
};

/** A file-system error in Go's words (`open /x: no such file or directory`), as AEMM's messages quote them. */
export function describeGoFileError(op: 'open' | 'read' | 'mkdir' | 'stat', path: string, error: NodeJS.ErrnoException): string {
  const reason = (error.code && SYSCALL_MESSAGES[error.code]) ?? error.message;
  return `${error.code === 'EISDIR' && op === 'open' ? 'read' : op} ${path}: ${reason}`;
}
