import { describe, expect, it } from 'vitest';
import { SENTINEL_MASTER, useSentinel } from './sentinel.js';

/** The value of `name` in a flat SENTINEL MASTER reply. */
const field = (reply: unknown, name: string) => {
  const fields = reply as string[];
  return fields[fields.indexOf(name) + 1];
};

describe('Sentinel trio test harness', () => {
  const group = useSentinel({ sentinels: 3 });

  it('starts three sentinels with quorum 2 that know the master, its replica and each other', async () => {
    const ports = group.sentinels.map((s) => s.port);
    expect(new Set(ports).size).toBe(3);
    expect(ports).not.toContain(6379);
    for (const reply of await group.askAll('SENTINEL', 'MASTER', SENTINEL_MASTER)) {
      expect(field(reply, 'port')).toBe(String(group.master.port));
      expect(field(reply, 'quorum')).toBe('2');
      expect(field(reply, 'num-slaves')).toBe('1');
      expect(field(reply, 'num-other-sentinels')).toBe('2');
    }
  });

  it('elects a leader and promotes the replica once the master is SIGKILLed, every sentinel naming it', async () => {
    const oldPort = await group.killMaster();
    expect(oldPort).toBe(group.master.port);
    const { port, ms } = await group.waitForFailover(oldPort);
    expect(port).toBe(group.replica.port);
    expect(ms).toBeLessThan(15_000);
    for (const sentinel of group.sentinelPorts) expect(await group.masterPort(sentinel)).toBe(port);
  }, 30_000);
});
