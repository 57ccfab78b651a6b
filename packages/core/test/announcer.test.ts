import { describe, expect, it } from 'vitest';
import { Announcer } from '../src/announcer.js';
import type { HydraContext } from '../src/context.js';
import { resolveIdentity } from '../src/identity.js';
import type { InstanceAnnouncement, InstanceCache } from '../src/instance-cache.js';
import { Keyspace } from '../src/keyspace.js';

function announcer() {
  const applied: InstanceAnnouncement[] = [];
  const warnings: string[] = [];
  const ctx = {
    keys: new Keyspace(),
    identity: resolveIdentity({ serviceName: 'self-svc', serviceIP: '127.0.0.1', servicePort: 1 }),
    logger: { log: () => undefined, warn: (m: string) => warnings.push(m), error: () => undefined },
  } as unknown as HydraContext;
  const cache = {
    applyAnnouncement: (a: InstanceAnnouncement) => applied.push(a),
  } as unknown as InstanceCache;
  return { announcer: new Announcer(ctx, cache), applied, warnings };
}

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
    for (const payload of hostile) expect(() => a.receive(payload)).not.toThrow();
    expect(applied).toEqual([]);
    expect(a.malformed).toBe(hostile.length);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('malformed announcement');
  });

  it('applies the announcements peers publish', () => {
    const { announcer: a, applied } = announcer();
    const up = { event: 'up', service: 'peer-svc', instanceId: 'a1', instance };
    a.receive(JSON.stringify(up));
    a.receive(JSON.stringify({ event: 'down', service: 'peer-svc', instanceId: 'a1' }));
    expect(applied).toEqual([up, { event: 'down', service: 'peer-svc', instanceId: 'a1' }]);
    expect(a.malformed).toBe(0);
  });
});
