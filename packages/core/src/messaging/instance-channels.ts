import type { Keyspace } from '../keyspace.js';

/** Services, and instances per service, kept; a full level is simply emptied, as the route cache is. */
const MAX_KEPT = 256;
/** Names longer than this (together) are not kept: up to 65,536 channels of megabytes each would be. */
const MAX_KEPT_LENGTH = 256;

/**
 * Instance channel names (`hydra:service:mc:<service>:<instanceId>`) by service and instance, built once.
 * Every message published names one; a busy sender talks to the same few instances all day, and a
 * ready-made flat string spares the concatenation and lets ioredis measure and copy it at once.
 *
 * @example
 * const channels = new InstanceChannels(hydra.keys);
 * channels.of('users-svc', 'a1b2c3'); // 'hydra:service:mc:users-svc:a1b2c3', built on the first call
 */
export class InstanceChannels {
  private readonly byService = new Map<string, Map<string, string>>();

  constructor(private readonly keys: Keyspace) {}

  /** The channel of `instanceId` of `service`. */
  of(service: string, instanceId: string): string {
    if (service.length + instanceId.length > MAX_KEPT_LENGTH)
      return this.keys.instanceChannel(service, instanceId);
    let instances = this.byService.get(service);
    if (!instances) {
      if (this.byService.size >= MAX_KEPT) this.byService.clear();
      instances = new Map();
      this.byService.set(service, instances);
    }
    let channel = instances.get(instanceId);
    if (channel === undefined) {
      // Instances come and go for ever; their channels need not stay.
      if (instances.size >= MAX_KEPT) instances.clear();
      channel = this.keys.instanceChannel(service, instanceId);
      instances.set(instanceId, channel);
    }
    return channel;
  }
}
