/** The kinds of instance-specific value the differ compares by kind instead of by value. */
export type ValueKind =
  | 'instance-id'
  | 'eni-id'
  | 'subnet-id'
  | 'vpc-id'
  | 'reservation-id'
  | 'security-group-id'
  | 'host-id'
  | 'event-id'
  | 'instance-profile-id'
  | 'account-id'
  | 'mac'
  | 'ipv4'
  | 'ipv4-cidr'
  | 'ipv6'
  | 'ipv6-cidr'
  | 'hostname'
  | 'timestamp'
  | 'secret'
  | 'signature'
  | 'redacted';

const HEX_ID = '[0-9a-f]{8}(?:[0-9a-f]{9})?';
const IPV4 = '(?:\\d{1,3}\\.){3}\\d{1,3}';
// Either the full eight groups or a `::`-compressed form; MACs (six groups of two) are ruled out first.
const IPV6 = '(?:(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|(?=[0-9a-f:]*::)[0-9a-f:]{2,39})';

// Tried in order; the first pattern that matches the whole value names its kind.
const PATTERNS: ReadonlyArray<readonly [ValueKind, RegExp]> = [
  ['instance-id', new RegExp(`^i-${HEX_ID}$`)],
  ['eni-id', new RegExp(`^eni-${HEX_ID}$`)],
  ['subnet-id', new RegExp(`^subnet-${HEX_ID}$`)],
  ['vpc-id', new RegExp(`^vpc-${HEX_ID}$`)],
  ['reservation-id', new RegExp(`^r-${HEX_ID}$`)],
  ['security-group-id', new RegExp(`^sg-${HEX_ID}$`)],
  ['host-id', new RegExp(`^h-${HEX_ID}$`)],
  ['event-id', new RegExp(`^instance-event-${HEX_ID}$`)],
  ['instance-profile-id', /^AIPA[A-Z0-9]{17}$/],
  ['account-id', /^\d{12}$/],
  ['mac', /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/i],
  ['ipv4', new RegExp(`^${IPV4}$`)],
  ['ipv4-cidr', new RegExp(`^${IPV4}/\\d{1,2}$`)],
  ['ipv6', new RegExp(`^${IPV6}$`, 'i')],
  ['ipv6-cidr', new RegExp(`^${IPV6}/\\d{1,3}$`, 'i')],
  // IP- and resource-based private names, and public DNS names (us-east-1 has its own old forms).
  ['hostname', /^(?:ip-\d{1,3}(?:-\d{1,3}){3}|i-[0-9a-f]{8,17})\.(?:ec2\.internal|[a-z0-9-]+\.compute\.internal)$/],
  ['hostname', /^ec2-\d{1,3}(?:-\d{1,3}){3}\.(?:compute-1\.amazonaws\.com|[a-z0-9-]+\.compute\.amazonaws\.com(?:\.cn)?)$/],
  ['timestamp', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/],
  // Maintenance events print dates as `21 Jan 2019 09:00:43 GMT` (docs/imds-behaviour.md §5).
  ['timestamp', /^\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/],
];

// The account inside an ARN (`arn:aws:iam::123456789012:instance-profile/x`) is as instance-specific as the id.
const ARN_ACCOUNT = /^(arn:[^:]+:[^:]*:[^:]*:)\d{12}(:.*)$/s;

/** The kind of an instance-specific value (`i-…` → `instance-id`, `10.0.0.1` → `ipv4`), or undefined for any other text. */
export function kindOf(value: string): ValueKind | undefined {
  // No kind is longer than 80 characters, so documents and long lines skip every pattern.
  if (value.length < 2 || value.length > 80) return undefined;
  for (const [kind, pattern] of PATTERNS) if (pattern.test(value)) return kind;
  return undefined;
}

/** `<kind>` for an instance-specific value, the value with its account folded for an ARN, else the value itself. */
export function normaliseValue(value: string): string {
  const kind = kindOf(value);
  if (kind !== undefined) return `<${kind}>`;
  if (value.startsWith('arn:')) return value.replace(ARN_ACCOUNT, '$1<account-id>$2');
  return value;
}
