import { describe, expect, it } from 'vitest';
import { Keyspace } from '../src/keyspace.js';
import { InstanceChannels } from '../src/messaging/instance-channels.js';

describe('InstanceChannels', () => {
  it("names each instance's channel as the keyspace does, hash tags and prefix included", () => {
    for (const keys of [new Keyspace(), new Keyspace({ prefix: 'acme:', clusterHashTags: true })]) {
      const channels = new InstanceChannels(keys);
      expect(channels.of('users-svc', 'a1')).toBe(keys.instanceChannel('users-svc', 'a1'));
      expect(channels.of('users-svc', 'b2')).toBe(keys.instanceChannel('users-svc', 'b2'));
      expect(channels.of('users-svc', 'a1')).toBe(keys.instanceChannel('users-svc', 'a1'));
    }
  });

  it('stays right for any number of services and instances (full levels are emptied, not kept)', () => {
    const keys = new Keyspace();
    const channels = new InstanceChannels(keys);
    for (let s = 0; s < 300; s++) {
      for (let i = 0; i < 3; i++) channels.of(`svc-${s}`, `id-${i}`);
    }
    for (let i = 0; i < 600; i++) channels.of('busy-svc', `id-${i}`);
    expect(channels.of('svc-0', 'id-2')).toBe('hydra:service:mc:svc-0:id-2');
    expect(channels.of('busy-svc', 'id-599')).toBe('hydra:service:mc:busy-svc:id-599');
    expect(channels.of('svc-299', 'id-0')).toBe('hydra:service:mc:svc-299:id-0');
  });
});
