/**
 * A seeded pseudo-random generator (mulberry32): the same seed gives the same sequence on every machine,
 * so a fuzz run is replayed from its seed alone. Not for cryptography.
 *
 * @example
 * const rng = new Prng(42);
 * rng.int(0, 9); // the same digit every time for seed 42
 */
export class Prng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** An integer in [1, max], small ones far likelier (log-uniform): sizes, depths, lengths. */
  size(max: number): number {
    return Math.max(1, Math.floor(Math.exp(this.next() * Math.log(max))));
  }

  /** `length` characters drawn from `alphabet`. */
  text(length: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string {
    let s = '';
    for (let i = 0; i < length; i++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }

  /** A 32-character hex id, like a Hydra instance id. */
  hexId(): string {
    return this.text(32, '0123456789abcdef');
  }

  /** A generator of its own, derived from this one's seed and `salt`: streams that do not shift each other. */
  fork(salt: number): Prng {
    return new Prng(Math.imul(this.seed ^ salt, 0x9e3779b1) ^ salt);
  }
}
