import { newestFirst, type Hydra, type HydraLogger } from '@hydra-nest/core';
import type { ResolvedDashboardOptions } from './dashboard-options.js';
import type { DashboardState, LogEntryView, ServiceView } from './dashboard-state.js';
import { InstanceBook } from './instance-book.js';
import { MessageTap } from './message-tap.js';
import { RateMeter } from './rate-meter.js';
import { RegistryReader, type ServiceRead } from './registry-reader.js';

/** Longest logged value shown, characters. */
const MESSAGE_CHARS = 300;

/**
 * Turns one read of the registry into the {@link DashboardState}: instances with their status, routes,
 * queue depths with their rates, message rates and the latest flight-recorder entries. Between
 * {@link open} and {@link close} it also counts pub/sub messages.
 */
export class StatePoller {
  private readonly reader: RegistryReader;
  private readonly book: InstanceBook;
  private readonly tap: MessageTap;
  private meter: RateMeter;
  private tapping = false;
  /** Bumped by open() and close(), so that a subscription that completes after a close is not used. */
  private session = 0;

  constructor(
    hydra: Hydra,
    private readonly options: ResolvedDashboardOptions,
    private readonly logger: HydraLogger,
  ) {
    this.reader = new RegistryReader(hydra, options.logEntries);
    this.book = new InstanceBook(options.stoppedRetentionMs, options.silentRetentionMs);
    this.tap = new MessageTap(hydra);
    this.meter = this.newMeter();
  }

  /** Starts counting messages (when enabled and possible); rates start afresh. */
  async open(): Promise<void> {
    const session = ++this.session;
    this.meter = this.newMeter();
    if (!this.options.messageRates || !this.tap.supported) return;
    try {
      await this.tap.start();
      if (session === this.session) this.tapping = true;
    } catch (error) {
      if (session !== this.session) return; // closed meanwhile: the subscription was ended on purpose
      this.logger.warn(
        `dashboard: message rates are off, the pattern subscription failed (${(error as Error).message}); ` +
          'grant the Redis user PSUBSCRIBE on the hydra channels, or set messageRates: false',
      );
    }
  }

  /** Stops counting messages. */
  close(): void {
    this.session++;
    this.tap.stop();
    this.tapping = false;
  }

  /** Reads Redis once (the nodes hash, then one round of pipelines) and builds the state. */
  async read(): Promise<DashboardState> {
    const at = Date.now();
    const nodes = await this.reader.nodes();
    const asks = this.book.plan(nodes, this.options.services, at);
    const reads = await this.reader.services(asks);
    const instances = this.book.views(nodes, reads);
    this.tap.follow(new Map([...instances].map(([service, list]) => [service, list.map((i) => i.id)])));
    const services = [...reads]
      .map(([name, read]): ServiceView => this.serviceView(name, read, instances.get(name) ?? [], at))
      .sort((a, b) => a.name.localeCompare(b.name));
    this.meter.endRound();
    return {
      at,
      intervalMs: this.options.intervalMs,
      messageRates: this.tapping,
      services,
      log: this.latestLog(reads),
    };
  }

  private serviceView(name: string, read: ServiceRead, instances: ServiceView['instances'], at: number) {
    const { received, inProgress, incomplete, delayed } = read.depths;
    return {
      name,
      instances,
      routes: read.routes,
      queue: {
        queued: received,
        inProgress,
        incomplete,
        delayed,
        queuedPerSec: this.meter.rate(`${name}\0queued`, received, at),
        deadLettersPerSec: Math.max(0, this.meter.rate(`${name}\0dead`, incomplete, at)),
      },
      messagesPerSec: this.tapping ? this.meter.rate(`${name}\0messages`, this.tap.count(name), at) : 0,
    };
  }

  private latestLog(reads: Map<string, ServiceRead>): LogEntryView[] {
    const all = [...reads].flatMap(([service, read]) => read.log.map((record) => ({ ...record, service })));
    return all
      .sort(newestFirst)
      .slice(0, this.options.logEntries)
      .map((record) => ({
        ts: record.ts,
        service: record.service,
        instanceId: record.instanceId,
        type: String(record.type),
        msg: text(record.msg),
      }));
  }

  private newMeter(): RateMeter {
    return new RateMeter(Math.max(3000, 3 * this.options.intervalMs));
  }
}

function text(value: unknown): string {
  const full = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return full.length > MESSAGE_CHARS ? `${full.slice(0, MESSAGE_CHARS - 1)}…` : full;
}
