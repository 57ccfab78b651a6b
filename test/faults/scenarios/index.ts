import type { FaultScenario } from '../lib/scenario.js';
import { scenario as clientPause } from './client-pause.js';
import { scenario as redisRestartQueue } from './redis-restart-queue.js';
import { scenario as redisRestartRequests } from './redis-restart-requests.js';
import { masterFailover } from './master-failover.js';
import { serviceLeaves } from './service-leaves.js';
import { scenario as slowConsumer } from './slow-consumer.js';

/** Every fault scenario, in the table's order. */
export const scenarios: FaultScenario[] = [
  redisRestartRequests,
  redisRestartQueue,
  serviceLeaves('kill'),
  serviceLeaves('stop'),
  slowConsumer,
  clientPause,
  masterFailover('sentinel'),
  masterFailover('cluster'),
];
