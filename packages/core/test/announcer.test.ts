import { describe, expect, it } from 'vitest';
import { Announcer } from '../src/announcer.js';
import type { HydraContext } from '../src/context.js';
import { resolveIdentity } from '../src/identity.js';
import type { InstanceAnnouncement } from '../src/instance-cache.js';
import { Keyspace } from '../src/keyspace.js';

function announcer() {
  const applied: InstanceAnnouncement[] = [];
  const warnings: string[] = [];
  const ctx = {
    keys: new Keyspace(),
    identity: resolveIdentity({ serviceName: 'self-svc', serviceIP: '127.0.0.1', servicePort: 1 }),
    logger: { log: () => undefined, warn: (m: string) => warnings.push(m), error: () => undefined },
  } as unknown as HydraContext;
  const followed: string[] = [];
  const channels = {
    follow: async (channel: string) => void followed.push(channel),
    unfollow: async (channel: string) => void followed.splice(followed.indexOf(channel), 1),
  };
  const announcer = new Announcer(ctx, channels, (a) => applied.push(a));
  return { announcer, applied, warnings, followed };
}

const peerChannel = new Keyspace().announceChannel('peer-svc');

const instance = {
  serviceName: 'peer-svc',
  serviceDescription: 'peer',
  instanceID: 'a1',
  updatedOn: '2026-12-01T00:00:00.000Z',
  processID: 1,
  ip: '127.0.0.1',
  port: 4000,
  hostName: 'h',
  updatedOnTS: 1,
};

describe('Announcer', () => {
  it('ignores, counts and logs once a second what is not an announcement, without throwing', () => {
    const { announcer: a, applied, warnings } = announcer();
    const hostile = [
      'null', // was: TypeError on the subscriber's message path, which ended the process (fuzz seed 1)
      '1',
      '"up"',
      '[]',
      '{',
      '{"event":"up","service":"peer-svc","instanceId":5}',
      '{"event":"sideways","service":"peer-svc","instanceId":"a1"}',
      JSON.stringify({ event: 'up', service: 'peer-svc', instanceId: 'a1', instance: 'text' }),
      JSON.stringify({ event: 'up', service: 'peer-svc', instanceId: 'a1', instance: { port: 1 } }),
      JSON.stringify({
        event: 'up',
        service: 'peer-svc',
        instanceId: 'a1',
        instance: { ...instance, instanceID: 'b2' },
      }),
      JSON.stringify({
        event: 'up',
        service: 'peer-svc',
        instanceId: 'a1',
        instance: { ...instance, serviceName: 'x' },
      }),
      JSON.stringify({ event: 'up', service: { toString: 1 }, instanceId: 'a1' }),
    ];
    for (const payload of hostile) expect(() => a.receive(peerChannel, payload)).not.toThrow();
    expect(applied).toEqual([]);
    expect(a.malformed).toBe(hostile.length);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('malformed announcement');
  });

  it('applies the announcements peers publish', () => {
    const { announcer: a, applied } = announcer();
    const up = { event: 'up', service: 'peer-svc', instanceId: 'a1', instance };
    a.receive(peerChannel, JSON.stringify(up));
    a.receive(peerChannel, JSON.stringify({ event: 'down', service: 'peer-svc', instanceId: 'a1' }));
    expect(applied).toEqual([up, { event: 'down', service: 'peer-svc', instanceId: 'a1' }]);
    expect(a.malformed).toBe(0);
  });

  it('ignores an announcement of another service than the channel it came on', () => {
    const { announcer: a, applied } = announcer();
    const down = JSON.stringify({ event: 'down', service: 'peer-svc', instanceId: 'a1' });
    a.receive(new Keyspace().announceChannel('other-svc'), down);
    expect(applied).toEqual([]);
    expect(a.malformed).toBe(1);
  });

  it('follows and unfollows the announcement channel of a watched service', async () => {
    const { announcer: a, followed } = announcer();
    expect(a.handles(peerChannel)).toBe(true);
    expect(a.handles('hydra:service:mc:peer-svc')).toBe(false);
    await a.follow('peer-svc');
    expect(followed).toEqual([peerChannel]);
    a.unfollow('peer-svc');
    await Promise.resolve();
    expect(followed).toEqual([]);
  });
});
