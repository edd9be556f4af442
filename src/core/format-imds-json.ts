/** A JSON value as IMDS documents contain them. */
export type ImdsJsonValue = string | number | boolean | null | readonly ImdsJsonValue[] | { readonly [key: string]: ImdsJsonValue };

/**
 * Serialises a value the way IMDS prints its JSON documents: 2-space indent, `"Key" : value`,
 * arrays of scalars inline (`[ "x" ]`), no trailing newline (docs/imds-behaviour.md §4).
 */
export function formatImdsJson(value: ImdsJsonValue): string {
  return formatValue(value, '');
}

function formatValue(value: ImdsJsonValue, indent: string): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (isArray(value)) return formatArray(value, indent);
  const inner = indent + '  ';
  const lines = Object.entries(value).map(([key, item]) => `${inner}${JSON.stringify(key)} : ${formatValue(item, inner)}`);
  if (lines.length === 0) return '{ }';
  return `{\n${lines.join(',\n')}\n${indent}}`;
}

function formatArray(items: readonly ImdsJsonValue[], indent: string): string {
  // Empty event lists are served as a bare `[]` (docs/imds-behaviour.md §4).
  if (items.length === 0) return '[]';
  const hasObjects = items.some((item) => item !== null && typeof item === 'object');
  if (!hasObjects) return `[ ${items.map((item) => JSON.stringify(item)).join(', ')} ]`;
  // Arrays of objects follow the maintenance-events example in the EC2 user guide (docs/imds-behaviour.md §5).
  const inner = indent + '  ';
  const lines = items.map((item) => inner + formatValue(item, inner));
  return `[\n${lines.join(',\n')}\n${indent}]`;
}

function isArray(value: ImdsJsonValue): value is readonly ImdsJsonValue[] {
  return Array.isArray(value);
}
