import type { Sample } from './scraped-metric.js';

type Level = Map<string | number, Level | Counter>;
interface Counter {
  n: number;
}

/**
 * Counts by up to three label values, kept in nested maps: no key string is built per event, so an
 * event costs a lookup per label (label strings come from caches, their hashes already computed) and
 * an increment. The samples are built only when scraped.
 */
export class LabelledCounts {
  private readonly root: Level = new Map();

  constructor(private readonly labelNames: readonly string[]) {
    if (labelNames.length < 1 || labelNames.length > 3) throw new RangeError('1 to 3 labels');
  }

  /** Adds one to the count of the label values, given in the order of the label names. */
  inc(a: string | number, b?: string | number, c?: string | number): void {
    const depth = this.labelNames.length;
    if (depth === 1) return bump(this.root, a);
    const second = below(this.root, a);
    if (depth === 2) return bump(second, b!);
    bump(below(second, b!), c!);
  }

  /** One sample per label set seen. */
  samples(): Sample[] {
    const samples: Sample[] = [];
    const walk = (level: Level, values: Array<string | number>) => {
      for (const [key, child] of level) {
        const path = [...values, key];
        if (path.length < this.labelNames.length) walk(child as Level, path);
        else {
          const labels = Object.fromEntries(this.labelNames.map((name, i) => [name, String(path[i])]));
          samples.push({ labels, value: (child as Counter).n });
        }
      }
    };
    walk(this.root, []);
    return samples;
  }
}

/** The map under `key`, made when missing. */
function below(level: Level, key: string | number): Level {
  let next = level.get(key) as Level | undefined;
  if (next === undefined) level.set(key, (next = new Map()));
  return next;
}

/** Adds one to the counter under `key`. */
function bump(level: Level, key: string | number): void {
  const counter = level.get(key) as Counter | undefined;
  if (counter === undefined) level.set(key, { n: 1 });
  else counter.n++;
}
