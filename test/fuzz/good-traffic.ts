import { isDeepStrictEqual } from 'node:util';
import type { Hydra, WorkQueue } from '@hydra-nest/core';
import type { Prng } from './prng.js';

const ECHO_TEXTS = ['plain', 'é😀', '\u0000\u001f', '\\"', '\u2028', '\ud800'];
/** Requests left unanswered at most before the next is sent. */
const IN_FLIGHT_MAX = 64;

/**
 * The good messages sent among the hostile ones, and their checks: requests whose answer is known (a sum
 * through the DTO route, or an echo of awkward strings), jobs, and events. What went wrong is added to
 * `problems`, each line starting with `lost:` or `changed:`.
 */
export class GoodTraffic {
  readonly problems: string[] = [];
  readonly jobs: string[] = [];
  readonly events: number[] = [];
  requests = 0;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly client: Hydra,
    private readonly queue: WorkQueue,
    private readonly service: string,
    private readonly rng: Prng,
  ) {}

  /**
   * Sends a request, once fewer than 64 are waiting for their answer; `answered` resolves when its
   * answer has come and been checked.
   */
  async request(): Promise<{ answered: Promise<void> }> {
    while (this.pending.size >= IN_FLIGHT_MAX) await Promise.race(this.pending);
    const answered = this.send(this.requests++);
    this.pending.add(answered);
    void answered.finally(() => this.pending.delete(answered));
    return { answered };
  }

  /** Queues a job for the fuzz.job worker, which records its mid. */
  async job(): Promise<void> {
    const m = await this.queue.queueMessage({
      to: `${this.service}:/`,
      frm: `${this.client.serviceName}:/`,
      typ: 'fuzz.job',
      bdy: { n: this.jobs.length },
    });
    this.jobs.push(m.mid);
  }

  /** Broadcasts an event the service's handler records. */
  async event(): Promise<void> {
    const n = this.events.length;
    await this.client.messaging.sendBroadcastMessage({
      to: `${this.service}:/`,
      typ: 'fuzz.event',
      bdy: { good: n },
    });
    this.events.push(n);
  }

  /** Resolves once every request sent is answered and checked. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  private send(n: number): Promise<void> {
    const { rng } = this;
    const echo = rng.chance(0.5);
    let bdy: object;
    let answer: object;
    if (echo) {
      const text = rng.pick(ECHO_TEXTS) + rng.text(rng.int(0, 40));
      answer = bdy = { n, text, list: [n, -n, 0.5, null, true], nested: { deep: { n } } };
    } else {
      const [a, b] = [rng.int(-1e6, 1e6), rng.int(-1e6, 1e6)];
      bdy = { a, b, id: `g${n}` };
      answer = { sum: a + b, id: `g${n}` };
    }
    const expected: unknown = JSON.parse(JSON.stringify(answer)); // what JSON carries: -0 arrives as 0
    const to = echo ? `${this.service}:/` : `${this.service}:[post]/v1/fuzz/sum`;
    return this.client.messaging.request({ to, typ: echo ? 'fuzz.echo' : undefined, bdy }).then(
      (reply) => {
        if (isDeepStrictEqual(reply.bdy, expected)) return;
        this.problems.push(`changed: request ${n} (${to}) answered ${JSON.stringify(reply).slice(0, 300)}`);
      },
      (error: Error) =>
        void this.problems.push(`lost: request ${n} (${to}) failed: ${error.message.slice(0, 200)}`),
    );
  }
}
