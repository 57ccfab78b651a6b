import type { Cluster } from 'ioredis';

/**
 * Closes the connections a cluster client holds to replicas while it reads from masters only
 * (`scaleReads: 'master'`, the default). ioredis connects to startup nodes that turn out to be replicas
 * (to read the slot map, or to send them READONLY as it learns their role) and then keeps those
 * connections idle: close to one per replica per instance. Once closed, a replica is created again
 * without connecting at the next slot-map read.
 */
export function closeReplicaConnections(command: Cluster): void {
  if ((command.options.scaleReads ?? 'master') !== 'master') return;
  command.on('refresh', () => {
    for (const replica of command.nodes('slave')) {
      if (replica.status !== 'wait' && replica.status !== 'end') replica.disconnect();
    }
  });
}
