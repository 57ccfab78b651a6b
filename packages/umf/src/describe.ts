// Internal: how values are quoted in error messages. Errors must show what was received without
// flooding logs, hence the cap.

const PREVIEW_LIMIT = 80;

/** Quotes `text`, cut to about 80 characters, for an error message. */
export function preview(text: string): string {
  return JSON.stringify(text.length > PREVIEW_LIMIT ? `${text.slice(0, PREVIEW_LIMIT)}...` : text);
}

/** Names the kind of a value the way a reader thinks of JSON: `null`, `array`, `object`, `string`... */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Shows a value briefly: strings quoted, objects as JSON, both truncated. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return preview(value);
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') {
    return kindOf(value);
  }
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    // Circular or otherwise unserialisable: the kind is still worth reporting.
  }
  if (json === undefined) return kindOf(value);
  return json.length > PREVIEW_LIMIT ? `${kindOf(value)} ${json.slice(0, PREVIEW_LIMIT)}...` : json;
}
