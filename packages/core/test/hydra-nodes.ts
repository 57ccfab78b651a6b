import { afterEach } from 'vitest';
import type { TestTopology } from '../../../test/harness/topology.js';
import { Hydra, type HydraOptions } from '../src/hydra.js';
import { silentLogger } from '../src/logger.js';

/** Starts core Hydra instances on a test file's Redis (db 15, or the cluster) and stops them after each test. */
export interface HydraNodes {
  /** A started instance of `serviceName` on 127.0.0.1, silent, with `options` over the defaults. */
  node(serviceName: string, options?: Partial<HydraOptions>): Promise<Hydra>;
  /** The same, not started (for tests of start() itself); still stopped after the test. */
  create(serviceName: string, options?: Partial<HydraOptions>): Hydra;
}

/**
 * Instances for the tests of one file, stopped in `afterEach`.
 *
 * @example
 * const topology = useTopology();
 * const { node } = useHydraNodes(topology);
 * it('answers', async () => { const echo = await node('echo-svc'); ... });
 */
export function useHydraNodes(topology: TestTopology): HydraNodes {
  const started: Hydra[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((h) => h.stop()));
  });
  const create = (serviceName: string, options: Partial<HydraOptions> = {}): Hydra => {
    const hydra = new Hydra({
      serviceName,
      serviceIP: '127.0.0.1',
      logger: silentLogger,
      redis: topology.redis,
      ...options,
    });
    started.push(hydra);
    return hydra;
  };
  return {
    create,
    async node(serviceName, options) {
      const hydra = create(serviceName, options);
      await hydra.start();
      return hydra;
    },
  };
}
