/** A JSON value whose objects keep their key order, as a Go struct marshals its fields in order. */
export type GoJsonValue = string | number | boolean | null | readonly GoJsonValue[] | { readonly [key: string]: GoJsonValue };

/** How to lay the JSON out. */
export interface GoJsonOptions {
  /** One level of indentation (`'\t'`, `'  '`); empty for compact output like `json.Marshal`. */
  indent: string;
  /** Sort object keys, as Go marshals a map (viper writes its config from maps). */
  sortKeys?: boolean;
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/**
 * Serialises a value byte for byte as Go's `encoding/json` does (`json.MarshalIndent` when
 * `indent` is set): `"key": value`, `<`, `>`, `&`, U+2028 and U+2029 escaped as \uXXXX, no final
 * newline. AEMM prints its JSON documents this way (tab-indented), and viper writes the saved config so.
 */
export function formatGoJson(value: GoJsonValue, options: GoJsonOptions): string {
  return formatValue(value, '', options);
}

function formatValue(value: GoJsonValue, indent: string, options: GoJsonOptions): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return String(value);
  const inner = indent + options.indent;
  const newline = options.indent === '' ? '' : '\n';
  const colon = options.indent === '' ? ':' : ': ';
  if (isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((item) => `${newline}${inner}${formatValue(item, inner, options)}`);
    return `[${items.join(',')}${newline}${indent}]`;
  }
  // An undefined member is left out, as JSON.stringify does; Go has no undefined to marshal.
  const keys = Object.keys(value).filter((key) => value[key] !== undefined);
  if (options.sortKeys) keys.sort(compareBytes);
  if (keys.length === 0) return '{}';
  const members = keys.map((key) => `${newline}${inner}${quote(key)}${colon}${formatValue(value[key]!, inner, options)}`);
  return `{${members.join(',')}${newline}${indent}}`;
}

function quote(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    const code = char.charCodeAt(0);
    const short = SHORT_ESCAPES[char];
    if (short) out += short;
    else if (code < 0x20 || char === '<' || char === '>' || char === '&' || code === 0x2028 || code === 0x2029)
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) out += char + text[++i]!;
    // A lone surrogate is not valid UTF-8; Go writes the replacement character instead.
    else if (code >= 0xd800 && code <= 0xdfff) out += '\ufffd';
    else out += char;
  }
  return `${out}"`;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

// Go sorts map keys by their bytes; for UTF-16 strings outside the BMP this equals code point order.
function compareBytes(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0)!);
  const y = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

function isArray(value: GoJsonValue): value is readonly GoJsonValue[] {
  return Array.isArray(value);
}
