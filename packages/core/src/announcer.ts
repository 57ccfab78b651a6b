import type { HydraContext } from './context.js';
import type { AnnouncementFeed, InstanceAnnouncement } from './instance-cache.js';
import { LogThrottle } from './log-throttle.js';
import { masterConnectionFor } from './messaging/node-streams.js';
import type { NodeEntry } from './presence.js';
import { isCluster } from './redis-client.js';

/** What hydra-nest instances tell each other on a service's announcement channel. */
export type Announcement = InstanceAnnouncement;

/** The part of the subscriber an {@link Announcer} uses: classic channels followed while running. */
export interface AnnouncementChannels {
  /** Listens on `channel` from now on (also after reconnects); resolves once Redis confirmed it. */
  follow(channel: string): Promise<void>;
  /** Stops listening on `channel`. */
  unfollow(channel: string): Promise<void>;
}

/**
 * Publishes this instance's arrival and departure on its service's announcement channel, listens on
 * the announcement channels of the services the instance cache watches (and of those only), and feeds
 * what it hears to the cache, so callers learn of hydra-nest instances at once instead of on the next
 * discovery refresh. An instance hears only the arrivals of services it talks to: starting n instances
 * costs n announcements to their watchers, not n² to everyone. Hydra 1.x peers never see these channels.
 */
export class Announcer implements AnnouncementFeed {
  /** Payloads on announcement channels that were not announcements of the channel's service, ignored. */
  malformed = 0;
  private readonly malformedLog = new LogThrottle(1000);

  constructor(
    private readonly ctx: HydraContext,
    private readonly channels: AnnouncementChannels,
    private readonly apply: (announcement: Announcement) => void,
  ) {}

  /** Whether `channel` is an announcement channel (of any service). */
  handles(channel: string): boolean {
    return this.ctx.keys.isAnnounceChannel(channel);
  }

  async announce(event: Announcement['event'], instance?: NodeEntry): Promise<void> {
    const { identity, keys } = this.ctx;
    const announcement: Announcement = {
      event,
      service: identity.serviceName,
      instanceId: identity.instanceId,
      instance: instance && { ...instance, updatedOnTS: Date.parse(instance.updatedOn) },
    };
    const channel = keys.announceChannel(identity.serviceName);
    // On a cluster, over the connection to our own master, which the presence refresh keeps open: a
    // classic PUBLISH reaches every node from any of them, and a random node would cost a connection
    // held idle by every instance.
    const redis = this.ctx.redis;
    const connection = (isCluster(redis) && masterConnectionFor(redis, channel)) || redis;
    await connection.publish(channel, JSON.stringify(announcement));
  }

  /**
   * Starts hearing `service`'s announcements; resolves once Redis confirmed the subscription (at once
   * while the subscriber is away: it subscribes on its return). Never rejects: without announcements,
   * the periodic lookup still finds the service's instances, only later.
   */
  async follow(service: string): Promise<void> {
    const channel = this.ctx.keys.announceChannel(service);
    await this.channels.follow(channel).catch((error: Error) => {
      this.ctx.logger.warn(
        `could not subscribe to ${channel} (${error.message}); instances of ${service} are found ` +
          'by the periodic lookup until the subscriber reconnects',
      );
    });
  }

  /** Stops hearing `service`'s announcements. */
  unfollow(service: string): void {
    this.channels.unfollow(this.ctx.keys.announceChannel(service)).catch(() => undefined); // gone anyway
  }

  /**
   * Applies a peer's announcement heard on `channel`. Anything else (not JSON, not an announcement, one
   * of another service than the channel's, an `up` whose instance entry does not name the announcing
   * instance) is counted, logged at most once a second, and ignored: it must neither throw here, on the
   * subscriber's message path, nor reach the instance cache, where a malformed entry would be picked as
   * a target.
   */
  receive(channel: string, payload: string): void {
    const announcement = parseAnnouncement(payload);
    if (!announcement || announcement.service !== this.ctx.keys.announceChannelService(channel)) {
      this.malformed++;
      if (this.malformedLog.due()) {
        this.ctx.logger.warn(
          `ignored a malformed announcement on ${channel}: ${payload.slice(0, 80)} ` +
            `[${this.malformed} so far; only hydra-nest instances of that service should publish there]`,
        );
      }
      return;
    }
    if (announcement.instanceId === this.ctx.identity.instanceId) return;
    this.apply(announcement);
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
