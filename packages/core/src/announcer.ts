import type { HydraContext } from './context.js';
import type { InstanceAnnouncement, InstanceCache } from './instance-cache.js';
import { LogThrottle } from './log-throttle.js';
import type { NodeEntry } from './presence.js';

/** What hydra-nest instances tell each other on the announcement channel. */
export type Announcement = InstanceAnnouncement;

/**
 * Publishes this instance's arrival and departure on hydra-nest's announcement channel and feeds
 * peers' announcements to the local instance cache, so callers learn of hydra-nest instances at once
 * instead of on the next discovery refresh. Hydra 1.x peers never see this channel.
 */
export class Announcer {
  /** Payloads on the announcement channel that were not announcements, ignored. */
  malformed = 0;
  private readonly channel: string;
  private readonly malformedLog = new LogThrottle(1000);

  constructor(
    private readonly ctx: HydraContext,
    private readonly cache: InstanceCache,
  ) {
    this.channel = ctx.keys.announceChannel();
  }

  handles(channel: string): boolean {
    return channel === this.channel;
  }

  async announce(event: Announcement['event'], instance?: NodeEntry): Promise<void> {
    const { identity } = this.ctx;
    const announcement: Announcement = {
      event,
      service: identity.serviceName,
      instanceId: identity.instanceId,
      instance: instance && { ...instance, updatedOnTS: Date.parse(instance.updatedOn) },
    };
    await this.ctx.redis.publish(this.channel, JSON.stringify(announcement));
  }

  /**
   * Applies a peer's announcement. Anything else on the channel (not JSON, not an announcement, an
   * `up` whose instance entry does not name the announcing instance) is counted, logged at most once a
   * second, and ignored: it must neither throw here, on the subscriber's message path, nor reach the
   * instance cache, where a malformed entry would be picked as a target.
   */
  receive(payload: string): void {
    const announcement = parseAnnouncement(payload);
    if (!announcement) {
      this.malformed++;
      if (this.malformedLog.due()) {
        this.ctx.logger.warn(
          `ignored a malformed announcement on ${this.channel}: ${payload.slice(0, 80)} ` +
            `[${this.malformed} so far; only hydra-nest instances should publish there]`,
        );
      }
      return;
    }
    if (announcement.instanceId === this.ctx.identity.instanceId) return;
    this.cache.applyAnnouncement(announcement);
  }
}

/** The announcement `payload` holds, or undefined when it is not one this version would publish. */
function parseAnnouncement(payload: string): Announcement | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  const { event, service, instanceId, instance } = value;
  if (event !== 'up' && event !== 'down') return undefined;
  if (typeof service !== 'string' || !service || typeof instanceId !== 'string' || !instanceId)
    return undefined;
  if (instance !== undefined && !isInstanceOf(instance, service, instanceId)) return undefined;
  return value as unknown as Announcement;
}

function isInstanceOf(instance: unknown, service: string, instanceId: string): boolean {
  if (!isObject(instance)) return false;
  const { serviceName, instanceID, ip, port, updatedOn, updatedOnTS } = instance;
  return (
    serviceName === service &&
    instanceID === instanceId &&
    typeof ip === 'string' &&
    (typeof port === 'string' || typeof port === 'number') &&
    typeof updatedOn === 'string' &&
    (updatedOnTS === undefined || typeof updatedOnTS === 'number')
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
