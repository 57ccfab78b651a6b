import type { Buffer } from 'node:buffer';
import { ANNOUNCEMENTS, hostileJobs } from './hostile-jobs.js';
import { hostileMessages, notMessages } from './hostile-messages.js';
import type { Prng } from './prng.js';

// Generators of hostile payloads for the fuzz runner (./runner.ts): messages (./hostile-messages.ts),
// queue entries and announcements (./hostile-jobs.ts). Each payload says what the service must make of
// it, by construction and not by asking the code under test:
//   reject  - a channel message counted in stats.malformed; a queue entry moved to mqincomplete;
//   accept  - a valid message (stats.received) or a job that completes;
//   either  - no verdict (the announcement channel, which has no counter; bodies over 8 MiB).

/** Where a hostile payload is sent. */
export type Target = 'service' | 'instance' | 'announce' | 'queue';

/** What the service must do with a payload; see the file comment. */
export type Verdict = 'reject' | 'accept' | 'either';

/** One hostile payload. */
export interface Hostile {
  target: Target;
  /** The generator that made it, for the figures and for replaying one case. */
  kind: string;
  payload: string | Buffer;
  verdict: Verdict;
}

/** What the generators need to know about the service under attack. */
export interface HostileContext {
  service: string;
  instanceId: string;
  /** Queue entries over this many bytes must be refused (`queue.maxMessageBytes` of the service). */
  queueMaxBytes: number;
  /** Largest `bdy` sent on a channel, bytes. */
  hugeMaxBytes: number;
}

/** Makes one payload; `kind` names the generator. */
export type Generator = (
  rng: Prng,
  ctx: HostileContext,
) => { kind: string; payload: string | Buffer; verdict: Verdict };
const CHANNEL_GENERATORS = weighted(
  { ...notMessages, ...hostileMessages },
  { huge: 0.3, deep: 0.6, wide: 0.5 },
);
const QUEUE_GENERATORS = weighted(
  {
    garbage: notMessages.garbage!,
    truncated: notMessages.truncated!,
    'not-object': notMessages['not-object']!,
    'wrong-type': notMessages['wrong-type']!,
    missing: notMessages.missing!,
    ...hostileJobs,
  },
  { oversized: 0.3 },
);

/**
 * The next hostile payload of a run: a function of the generator's state alone, so a run is
 * replayed from its seed. Targets: 35% instance channel, 25% service channel, 30% queue, 10% announcements.
 */
export function nextHostile(rng: Prng, ctx: HostileContext): Hostile {
  const roll = rng.next();
  if (roll < 0.1) return { target: 'announce', ...rng.pick(ANNOUNCEMENTS)(rng, ctx) };
  if (roll < 0.4) return { target: 'queue', ...rng.pick(QUEUE_GENERATORS)(rng, ctx) };
  return { target: roll < 0.65 ? 'service' : 'instance', ...rng.pick(CHANNEL_GENERATORS)(rng, ctx) };
}

/** A list in which each generator appears about 10 times its weight (1 unless given). */
function weighted(generators: Record<string, Generator>, weights: Record<string, number>): Generator[] {
  return Object.entries(generators).flatMap(([kind, g]) =>
    Array<Generator>(Math.round((weights[kind] ?? 1) * 10)).fill(g),
  );
}
