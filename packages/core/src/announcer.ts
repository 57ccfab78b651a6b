import type { HydraContext } from './context.js';
import type { InstanceAnnouncement, InstanceCache } from './instance-cache.js';
import type { NodeEntry } from './presence.js';

/** What hydra-nest instances tell each other on the announcement channel. */
export type Announcement = InstanceAnnouncement;

/**
 * Publishes this instance's arrival and departure on hydra-nest's announcement channel and feeds
 * peers' announcements to the local instance cache, so callers learn of hydra-nest instances at once
 * instead of on the next discovery refresh. Hydra 1.x peers never see this channel.
 */
export class Announcer {
  private readonly channel: string;

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

  receive(payload: string): void {
    let announcement: Announcement;
    try {
      announcement = JSON.parse(payload);
    } catch {
      this.ctx.logger.debug?.(`ignored a malformed announcement: ${payload.slice(0, 80)}`);
      return;
    }
    if (announcement.instanceId === this.ctx.identity.instanceId) return;
    if (typeof announcement.service !== 'string' || typeof announcement.instanceId !== 'string') return;
    this.cache.applyAnnouncement(announcement);
  }
}
