import { describe, expect, it } from 'vitest';
import { useTopology } from '../../../test/harness/topology.js';
import { eventually, sleep } from '../../../test/harness/wait.js';
import type { Hydra } from '../src/hydra.js';
import { useHydraNodes } from './hydra-nodes.js';
import { uniqueService } from './registry-support.js';

// Announcements go to the watchers of a service only: starting n instances must not wake every other.
describe('announcements of arrivals and departures', () => {
  const topology = useTopology();
  const { keys } = topology;
  const { node } = useHydraNodes(topology);
  /** Periodic lookups off (60 s): an instance seen within the test was heard announcing itself. */
  const announcementsOnly = { discoveryRefreshMs: 60_000, discoveryScanMs: 60_000 };
  const seen = (watcher: Hydra, service: string) =>
    (watcher.instances.peek(service) ?? []).map((i) => i.instanceID).sort();

  /** Announcement messages that reach `hydra`'s subscriber connection, by channel. */
  function heardBy(hydra: Hydra): string[] {
    const heard: string[] = [];
    hydra.subscriber.on('message', (channel: string) => {
      if (channel.startsWith(`${keys.prefix}:hn:announce`)) heard.push(channel);
    });
    return heard;
  }

  it('reach the watchers of a service and no other instance', async () => {
    const service = uniqueService('arriving');
    const watcher = await node(uniqueService('watcher'), announcementsOnly);
    const bystander = await node(uniqueService('bystander'), announcementsOnly);
    const watcherHeard = heardBy(watcher);
    const bystanderHeard = heardBy(bystander);
    await watcher.instances.watch(service);
    const channel = keys.announceChannel(service);
    expect(await topology.classicSubscribers(channel)).toBe(1);

    const arrivals = await Promise.all([1, 2, 3].map(() => node(service)));
    const ids = arrivals.map((a) => a.instanceId).sort();
    await eventually(() => seen(watcher, service).join() === ids.join(), {
      timeoutMs: 3000,
      what: 'the watcher to hear three arrivals',
    });
    await arrivals[0]!.stop();
    await eventually(() => !seen(watcher, service).includes(arrivals[0]!.instanceId), {
      timeoutMs: 3000,
      what: 'the watcher to hear a departure',
    });
    await sleep(200); // a stray message to the bystander would have arrived by now

    expect(watcherHeard.filter((c) => c === channel)).toHaveLength(4);
    expect(bystanderHeard).toEqual([]);
    // Only the watcher listens: neither the bystander nor the service's own instances.
    expect(await topology.classicSubscribers(channel)).toBe(1);
    expect(await topology.classicSubscribers(`${keys.prefix}:hn:announce`)).toBe(0); // the old shared one
  });

  it('tell a watcher of an arrival and a departure at once, without a lookup', async () => {
    const service = uniqueService('news');
    const watcher = await node(uniqueService('reader'), announcementsOnly);
    expect(await watcher.instances.watch(service)).toEqual([]);
    const arriving = await node(service);
    // Periodic lookups are 60 s apart: within the test, only the announcement can tell.
    await eventually(() => seen(watcher, service).includes(arriving.instanceId), {
      timeoutMs: 2000,
      what: 'the arrival to be seen',
    });
    await arriving.stop();
    await eventually(() => seen(watcher, service).length === 0, {
      timeoutMs: 2000,
      what: 'the departure to be seen',
    });
  });

  it('are heard again after the subscriber reconnected', async () => {
    const service = uniqueService('after-loss');
    const watcher = await node(uniqueService('survivor'), announcementsOnly);
    await watcher.instances.watch(service);
    const channel = keys.announceChannel(service);
    await topology.killConnection(watcher.subscriber);
    await eventually(() => watcher.connections.snapshot()?.subscriber?.state === 'ready', {
      timeoutMs: 10_000,
      what: 'the subscriber to be lost and subscribed again',
    });
    expect(watcher.connections.snapshot()?.subscriber?.losses).toBe(1);
    expect(await topology.classicSubscribers(channel)).toBe(1);
    const arriving = await node(service);
    await eventually(() => seen(watcher, service).includes(arriving.instanceId), {
      timeoutMs: 2000,
      what: 'an arrival after the reconnect to be seen',
    });
  });
});
