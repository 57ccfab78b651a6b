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

  it('does not keep the channels of very long names (a hostile sender could make them megabytes each)', () => {
    const channels = new InstanceChannels(new Keyspace());
    const long = 'g'.repeat(100_000);
    expect(channels.of(long, 'a1')).toBe(`hydra:service:mc:${long}:a1`);
    expect(channels.of('svc', long)).toBe(`hydra:service:mc:svc:${long}`);
    const kept = (channels as unknown as { byService: Map<string, Map<string, string>> }).byService;
    expect([...kept.keys()]).toEqual([]);
  });
});
