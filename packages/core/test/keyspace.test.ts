import { describe, expect, it } from 'vitest';
import { Keyspace } from '../src/keyspace.js';

describe('Keyspace', () => {
  const keys = new Keyspace();
  const id = 'c86d0098a8fe4e948630fc5726614f32';

  it('names every key exactly as Hydra 1.x does', () => {
    expect(keys.service('users')).toBe('hydra:service:users:service');
    expect(keys.presence('users', id)).toBe(`hydra:service:users:${id}:presence`);
    expect(keys.nodes()).toBe('hydra:service:nodes');
    expect(keys.health('users', id)).toBe(`hydra:service:users:${id}:health`);
    expect(keys.healthLog('users', id)).toBe(`hydra:service:users:${id}:health:log`);
    expect(keys.routes('users')).toBe('hydra:service:users:service:routes');
    expect(keys.configs('users')).toBe('hydra:service:users:configs');
    expect(keys.queueReceived('users')).toBe('hydra:service:users:mqrecieved');
    expect(keys.queueInProgress('users')).toBe('hydra:service:users:mqinprogress');
    expect(keys.queueIncomplete('users')).toBe('hydra:service:users:mqincomplete');
  });

  it('names the pub/sub channels as Hydra 1.x does', () => {
    expect(keys.serviceChannel('users')).toBe('hydra:service:mc:users');
    expect(keys.instanceChannel('users', id)).toBe(`hydra:service:mc:users:${id}`);
  });

  it("names one announcement channel per service, outside Hydra's mc namespace, and parses it back", () => {
    expect(keys.announceChannel('users')).toBe('hydra:service:hn:announce:users');
    expect(keys.announceChannelService('hydra:service:hn:announce:users')).toBe('users');
    const cluster = new Keyspace({ clusterHashTags: true });
    expect(cluster.announceChannel('users')).toBe('hydra:service:hn:announce:{users}');
    expect(cluster.announceChannelService('hydra:service:hn:announce:{users}')).toBe('users');
    for (const other of [
      'hydra:service:hn:announce', // the old shared channel, no longer used
      'hydra:service:hn:announce:',
      'hydra:service:mc:users',
      'acme:hn:announce:users',
    ]) {
      expect(keys.announceChannelService(other)).toBeUndefined();
      expect(cluster.announceChannelService(other)).toBeUndefined();
    }
    expect(cluster.announceChannelService('hydra:service:hn:announce:users')).toBeUndefined();
  });

  it('keeps its own extension keys out of every suffix Hydra scans for', () => {
    const key = keys.extension('users', 'leases');
    for (const suffix of [':service', ':routes', ':presence', ':health', ':health:log']) {
      expect(key.endsWith(suffix)).toBe(false);
    }
  });

  it('parses service names and instance ids back out of keys, rejecting foreign layouts', () => {
    expect(keys.serviceFromServiceKey('hydra:service:users:service')).toBe('users');
    expect(keys.serviceFromServiceKey('hydra:service:a:b:service')).toBeUndefined();
    expect(keys.serviceFromServiceKey('other:users:service')).toBeUndefined();
    expect(keys.serviceFromRoutesKey('hydra:service:users:service:routes')).toBe('users');
    expect(keys.instanceFromPresenceKey(`hydra:service:users:${id}:presence`)).toBe(id);
    expect(keys.instanceFromPresenceKey('hydra:service:users:presence')).toBeUndefined();
    expect(keys.serviceFromHealthLogKey(`hydra:service:users:${id}:health:log`)).toBe('users');
    expect(keys.serviceFromHealthLogKey(`hydra:service:a:b:${id}:health:log`)).toBeUndefined();
    expect(keys.serviceFromHealthLogKey('hydra:service:users:health:log')).toBeUndefined();
  });

  it('builds SCAN patterns anchored at the prefix, with glob characters escaped', () => {
    expect(keys.presencePattern('users')).toBe('hydra:service:users:*:presence');
    expect(keys.servicesPattern()).toBe('hydra:service:*:service');
    expect(keys.anyHealthLogPattern()).toBe('hydra:service:*:health:log');
    expect(new Keyspace().presencePattern('a*b')).toBe('hydra:service:a\\*b:*:presence');
  });

  it('switches to hash-tagged service names for Redis Cluster in one option', () => {
    const cluster = new Keyspace({ clusterHashTags: true });
    expect(cluster.presence('users', id)).toBe(`hydra:service:{users}:${id}:presence`);
    expect(cluster.queueReceived('users')).toBe('hydra:service:{users}:mqrecieved');
    expect(cluster.serviceFromServiceKey('hydra:service:{users}:service')).toBe('users');
    expect(cluster.presencePattern('users')).toBe('hydra:service:{users}:*:presence');
    expect(cluster.serviceFromHealthLogKey(`hydra:service:{users}:${id}:health:log`)).toBe('users');
  });

  it("keeps Hydra's shared nodes hash, and one per service in the service's slot in Cluster layout", () => {
    expect(keys.nodesPerService).toBe(false);
    expect(keys.nodesOf('users')).toBe('hydra:service:nodes');
    const cluster = new Keyspace({ clusterHashTags: true });
    expect(cluster.nodesPerService).toBe(true);
    expect(cluster.nodesOf('users')).toBe('hydra:service:{users}:hn:nodes');
    expect(cluster.serviceIndex()).toBe('hydra:service:hn:services');
    // Not a registry entry to Hydra's or our own SCAN of services.
    expect(cluster.serviceFromServiceKey(cluster.serviceIndex())).toBeUndefined();
  });

  it('accepts another prefix, with or without a trailing colon', () => {
    expect(new Keyspace({ prefix: 'acme:' }).service('users')).toBe('acme:users:service');
  });
});
