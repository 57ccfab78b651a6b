import { describeValue, kindOf } from './describe.js';
import { UmfValidationError } from './errors/umf-validation-error.js';
import { parseRoute } from './route.js';
import type { UmfIssue, UmfMessage } from './types.js';

// RFC 3339 / ISO-8601 extended date-time: seconds and fraction optional, zone (Z or offset) required.
// Field ranges are checked here rather than with Date.parse, which costs five times the regex on the
// receive path; only impossible days such as Feb 30 get through.
const ISO_8601 =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d(?::(?:[0-5]\d|60)(?:\.\d+)?)?(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)$/i;

// Routes already found valid. `to` and `frm` repeat endlessly on a busy service, and this check is on
// every received message; the set is simply emptied when full (no LRU bookkeeping needed). Long routes
// are not kept: a sender could otherwise make the set hold 1,024 routes of megabytes each.
const validRoutes = new Set<string>();
const VALID_ROUTES_MAX = 1024;
const VALID_ROUTE_LENGTH_MAX = 512;

/**
 * Checks a short-form message against what Hydra peers accept, and returns every problem found
 * (an empty array when the message is valid).
 *
 * Rules:
 * - `to` and `frm`: non-empty route strings that {@link parseRoute} accepts.
 * - `bdy`: present and truthy. Hydra peers silently drop falsy bodies (`0`, `false`, `""`, `null`),
 *   so they are rejected here with a suggestion to send `{}`.
 * - `mid`, `rmid`, `typ`, `sig`, `via`, `fwd`, `aut`: strings when present (`mid` non-empty).
 * - `ts`: an ISO-8601 date-time with a zone when present, e.g. `2026-11-22T17:17:15.974Z`.
 * - `tmo`: a positive number (seconds) when present.
 * - `hdr`: a plain object when present.
 * - `ver`: a string starting with `UMF/` when present.
 *
 * Long-form keys are not read: convert with `toShort` first.
 *
 * @example
 * ```ts
 * validateMessage({ frm: 'web:/', bdy: 0 });
 * // [ { field: 'to', message: '"to" is required (a route like "service:/path")' },
 * //   { field: 'bdy', message: '"bdy" is 0, but Hydra peers drop falsy bodies; send an object such as {}' } ]
 * ```
 */
export function validateMessage(m: unknown): UmfIssue[] {
  const issues: UmfIssue[] = [];
  if (m === null || typeof m !== 'object' || Array.isArray(m)) {
    issues.push({ field: '(message)', message: `a UMF message must be an object, got ${kindOf(m)}` });
    return issues;
  }
  const o = m as Record<string, unknown>;

  checkRoute(issues, o, 'to', 'to', 'a route like "service:/path"');
  checkRoute(issues, o, 'frm', 'from', 'a route like "service:/path" naming the sender');
  checkBody(issues, o);

  // Spelled out rather than looped over a key list: fixed property names keep this monomorphic.
  checkString(issues, 'mid', o.mid);
  checkString(issues, 'rmid', o.rmid);
  checkString(issues, 'typ', o.typ);
  checkString(issues, 'sig', o.sig);
  checkString(issues, 'via', o.via);
  checkString(issues, 'fwd', o.fwd);
  checkString(issues, 'aut', o.aut);
  if (o.mid === '') issues.push({ field: 'mid', message: '"mid" must not be empty; omit it to get a UUID' });

  const ts = o.ts;
  if (ts !== undefined && (typeof ts !== 'string' || !ISO_8601.test(ts))) {
    issues.push({
      field: 'ts',
      message: `"ts" must be an ISO-8601 timestamp such as "2026-11-22T17:17:15.974Z", got ${describeValue(ts)}`,
    });
  }
  const tmo = o.tmo;
  if (tmo !== undefined && !(typeof tmo === 'number' && Number.isFinite(tmo) && tmo > 0)) {
    issues.push({
      field: 'tmo',
      message: `"tmo" must be a positive number of seconds, got ${describeValue(tmo)}`,
    });
  }
  const hdr = o.hdr;
  if (hdr !== undefined && !isPlainObject(hdr)) {
    issues.push({
      field: 'hdr',
      message: `"hdr" must be a plain object of headers, got ${describeValue(hdr)}`,
    });
  }
  const ver = o.ver;
  if (ver !== undefined && !(typeof ver === 'string' && ver.startsWith('UMF/'))) {
    issues.push({
      field: 'ver',
      message: `"ver" must be a string like "UMF/1.4.6", got ${describeValue(ver)}`,
    });
  }
  return issues;
}

/**
 * Throws unless `m` is a valid short-form message (see {@link validateMessage} for the rules).
 *
 * @throws {@link UmfValidationError} whose `issues` list every problem and whose message names
 *   the fields, e.g. `invalid UMF message: "to" is required (a route like "service:/path")`.
 * @example
 * ```ts
 * const m: unknown = JSON.parse(raw);
 * assertValidMessage(m);
 * m.bdy; // m is a UmfMessage from here on
 * ```
 */
export function assertValidMessage(m: unknown): asserts m is UmfMessage {
  const issues = validateMessage(m);
  if (issues.length > 0) {
    throw new UmfValidationError(
      issues,
      m !== null && typeof m === 'object' ? (m as Partial<UmfMessage>) : undefined,
    );
  }
}

function checkRoute(
  issues: UmfIssue[],
  o: Record<string, unknown>,
  field: 'to' | 'frm',
  longName: string,
  expected: string,
): void {
  const value = o[field];
  if (value === undefined || value === '') {
    // A long-form key here means the caller skipped normalisation; say so rather than just "missing".
    const hint =
      o[longName] !== undefined && longName !== field
        ? `; found long-form "${longName}", convert with toShort() first`
        : '';
    issues.push({ field, message: `"${field}" is required (${expected})${hint}` });
    return;
  }
  if (typeof value !== 'string') {
    issues.push({
      field,
      message: `"${field}" must be a string route (${expected}), got ${describeValue(value)}`,
    });
    return;
  }
  if (validRoutes.has(value)) return;
  try {
    parseRoute(value);
  } catch (err) {
    issues.push({ field, message: `"${field}" is not a valid route: ${(err as Error).message}` });
    return;
  }
  if (value.length > VALID_ROUTE_LENGTH_MAX) return;
  if (validRoutes.size >= VALID_ROUTES_MAX) validRoutes.clear();
  validRoutes.add(value);
}

function checkString(issues: UmfIssue[], field: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'string') {
    issues.push({ field, message: `"${field}" must be a string, got ${describeValue(value)}` });
  }
}

function checkBody(issues: UmfIssue[], o: Record<string, unknown>): void {
  const bdy = o.bdy;
  if (bdy === undefined) {
    const hint = o.body !== undefined ? '; found long-form "body", convert with toShort() first' : '';
    issues.push({
      field: 'bdy',
      message: `"bdy" is required (send an object such as {} when there is nothing to say)${hint}`,
    });
  } else if (!bdy) {
    issues.push({
      field: 'bdy',
      message: `"bdy" is ${describeValue(bdy)}, but Hydra peers drop falsy bodies; send an object such as {}`,
    });
  }
}

function isPlainObject(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
