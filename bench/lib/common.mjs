// Small helpers shared by the orchestrator and the child processes: clocks, payloads, statistics.
import { performance } from 'node:perf_hooks';

/** Monotonic milliseconds (from process.hrtime), for durations inside one process. */
export function hrMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

/**
 * Wall-clock milliseconds with sub-millisecond resolution, comparable between processes on one machine
 * (used for enqueue-to-start latency, where the enqueue time travels in the payload).
 */
export function wallMs() {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A JSON object whose serialised size is `bytes` (for bytes >= 32). */
export function makePayload(bytes) {
  const base = { id: 'bench', data: '' };
  const fill = Math.max(0, bytes - JSON.stringify(base).length);
  return { id: 'bench', data: 'x'.repeat(fill) };
}

/** A queue job body of about `bytes` bytes of JSON, carrying a sequence number and the enqueue time. */
export function makeJobBody(seq, bytes = 100) {
  const body = { seq, t: wallMs(), pad: '' };
  const fill = Math.max(0, bytes - JSON.stringify(body).length);
  body.pad = 'x'.repeat(fill);
  return body;
}

/** A growable Float64 sample buffer (no per-sample allocation). */
export class Samples {
  constructor(capacity = 1 << 16) {
    this.values = new Float64Array(capacity);
    this.length = 0;
  }

  push(value) {
    if (this.length === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.length++] = value;
  }

  /** p50 / p90 / p99 / max / mean, in the unit the samples were recorded in. */
  summary() {
    if (this.length === 0) return { n: 0 };
    const sorted = this.values.slice(0, this.length).sort();
    let sum = 0;
    for (let i = 0; i < sorted.length; i++) sum += sorted[i];
    return {
      n: sorted.length,
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1],
      mean: sum / sorted.length,
    };
  }
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/**
 * hydra-nest's `redis` option for a benchmark child: the private single Redis (`redisUrl`, in `db`), or
 * the private cluster when the orchestrator passes its nodes (`clusterNodes`, db 0 only).
 */
export function hydraNestRedis({ redisUrl, clusterNodes }, db) {
  return clusterNodes ? { cluster: { nodes: clusterNodes } } : { url: `${redisUrl}/${db}` };
}

/** Serialises an Error for IPC. */
export function errorText(error) {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

/** Throws a clear error when a module lacks the exports a contender needs. */
export function requireExports(mod, names, from) {
  const missing = names.filter((name) => mod[name] === undefined);
  if (missing.length > 0) {
    throw new Error(`${from} does not export ${missing.join(', ')} (yet)`);
  }
}
