import { Redis } from 'ioredis';
import type { Prng } from './prng.js';

/**
 * Forged replies, each a kind a requester must never take for the answer: malformed UMF, or a reply
 * that claims to come from another service than the one the request went to. A well-formed forged
 * reply naming the right service cannot be told apart without signatures, so it is not forged here.
 */
const FORGERIES: Record<string, (request: Sniffed) => string> = {
  'forged-no-envelope': (r) => JSON.stringify({ rmid: r.mid, bdy: { forged: true } }),
  'forged-wrong-types': (r) =>
    JSON.stringify({ to: r.frm, frm: 5, mid: 7, rmid: r.mid, bdy: { forged: true } }),
  'forged-falsy-body': (r) => JSON.stringify({ to: r.frm, frm: r.to, rmid: r.mid, bdy: 0 }),
  'forged-bad-ts': (r) =>
    JSON.stringify({ to: r.frm, frm: r.to, rmid: r.mid, ts: 'now', bdy: { forged: true } }),
  'forged-other-service': (r) =>
    JSON.stringify({ to: r.frm, frm: 'evil-svc:/', mid: 'forged', rmid: r.mid, bdy: { forged: true } }),
  'forged-lookalike-service': (r) =>
    JSON.stringify({ to: r.frm, frm: `${r.to.split(':')[0]}-evil:/`, rmid: r.mid, bdy: { forged: true } }),
  'forged-error-other-service': (r) =>
    JSON.stringify({
      to: r.frm,
      frm: 'evil-svc:/',
      rmid: r.mid,
      typ: 'error',
      bdy: { statusCode: 500, error: { name: 'Forged', message: 'forged error' } },
    }),
  'forged-not-json': (r) => `{"to":"${r.frm}","rmid":"${r.mid}","bdy":{`,
};

interface Sniffed {
  to: string;
  frm: string;
  mid: string;
}

/**
 * A third party on the same Redis: sniffs the requests a client sends to a service (PSUBSCRIBE on the
 * service's instance channels) and at once publishes a forged reply to the client's instance channel,
 * with the request's `mid` as `rmid`, ahead of the real reply.
 */
export class Forger {
  readonly sent: Record<string, number> = {};
  private readonly sniffer: Redis;
  private readonly publisher: Redis;

  constructor(
    url: string,
    private readonly service: string,
    /** `<instanceId>@<service>` of the client whose requests are forged. */
    private readonly client: { service: string; instanceId: string },
    private readonly rng: Prng,
  ) {
    this.sniffer = new Redis(url);
    this.publisher = new Redis(url);
  }

  async start(): Promise<void> {
    this.sniffer.on('pmessage', (_pattern: string, _channel: string, payload: string) =>
      this.onRequest(payload),
    );
    await this.sniffer.psubscribe(`hydra:service:mc:${this.service}:*`);
  }

  stop(): void {
    this.sniffer.disconnect();
    this.publisher.disconnect();
  }

  private onRequest(payload: string): void {
    let m: Partial<Sniffed> & { rmid?: unknown };
    try {
      m = JSON.parse(payload);
    } catch {
      return; // the attacker's garbage
    }
    if (!m || typeof m.frm !== 'string' || !m.frm.startsWith(`${this.client.instanceId}@`) || m.rmid) return;
    const kind = this.rng.pick(Object.keys(FORGERIES));
    this.sent[kind] = (this.sent[kind] ?? 0) + 1;
    const channel = `hydra:service:mc:${this.client.service}:${this.client.instanceId}`;
    void this.publisher.publish(channel, FORGERIES[kind]!(m as Sniffed)).catch(() => undefined);
  }
}
