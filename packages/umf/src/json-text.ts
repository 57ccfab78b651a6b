// JSON text of single values, for building a message's text member by member. JSON.stringify of a
// whole message spends most of its time escaping, character by character, keys and values that need
// no escaping; here the keys are literals and a value is checked once with a regular expression.

/** The characters JSON.stringify escapes: `"`, `\`, controls, and lone surrogates (pairs take the slow path). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

// Strings already seen to need no escaping. Routes, types and the version repeat on every message of a
// busy service: a set hit (the string's hash is cached) costs less than the regular expression. The
// set is simply emptied when full, as validate.ts does with routes.
const plainStrings = new Set<string>();
const PLAIN_STRINGS_MAX = 1024;
const PLAIN_STRING_LENGTH_MAX = 256;

/**
 * What `JSON.stringify(value)` gives, faster for strings without characters to escape.
 * `repeats` marks values likely seen again (routes, types), which are remembered once found plain.
 * `undefined` for values JSON leaves out (functions, symbols, `undefined`).
 */
export function jsonText(value: unknown, repeats: boolean): string | undefined {
  if (typeof value !== 'string') {
    // A finite number prints as String() prints it, at a seventh of JSON.stringify's cost (`tmo`).
    return typeof value === 'number' && Number.isFinite(value) ? String(value) : JSON.stringify(value);
  }
  if (repeats && plainStrings.has(value)) return '"' + value + '"';
  if (NEEDS_ESCAPE.test(value)) return JSON.stringify(value);
  if (repeats && value.length <= PLAIN_STRING_LENGTH_MAX) {
    if (plainStrings.size >= PLAIN_STRINGS_MAX) plainStrings.clear();
    plainStrings.add(value);
  }
  return '"' + value + '"';
}

/**
 * Appends `,"key":value` (given as `prefix` = `,"key":`) to an object's text when `value` is truthy
 * and has a JSON form: Hydra's rule of sending only truthy fields.
 */
export function appendMember(json: string, prefix: string, value: unknown, repeats = false): string {
  if (!value) return json;
  const text = jsonText(value, repeats);
  return text === undefined ? json : json + prefix + text;
}

/**
 * The JSON text of a message body, or `undefined` when Hydra's rule leaves it out (falsy) or JSON has
 * no form for it. Computed once when a message is both signed and serialised.
 */
export function bodyText(bdy: unknown): string | undefined {
  return bdy ? jsonText(bdy, false) : undefined;
}
