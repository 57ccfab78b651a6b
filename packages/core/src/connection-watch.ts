import type { RedisClient } from './redis-client.js';
import type { HydraLogger } from './logger.js';

/** Pause before connecting again a connection ioredis has given up on. */
const REVIVE_MS = 500;

/**
 * Logs a connection's state changes once each (lost, back), never once per retry, calls `onLost` with
 * what the client saw when the connection is lost, and `onRecovered` every time it is ready again after
 * a loss.
 *
 * With `revive`, a connection that ends while watched is connected again: ioredis gives up for good on
 * some paths that its retry strategy never sees (a Sentinel lookup cut short by a failover, seen in
 * tests under load), and a running service must not stay cut off. Stop watching before closing it.
 */
export function watchConnection(
  client: RedisClient,
  name: string,
  address: string,
  logger: HydraLogger,
  onRecovered: () => void,
  { revive = false, onLost }: { revive?: boolean; onLost?: (reason: string) => void } = {},
): () => void {
  let lost = false;
  let reviving: NodeJS.Timeout | undefined;
  const onError = (error: Error) => {
    if (lost) return;
    lost = true;
    logger.warn(`${name} connection to Redis at ${address} lost (${error.message}); reconnecting`);
    onLost?.(error.message);
  };
  const onClose = () => {
    if (lost) return;
    lost = true;
    logger.warn(`${name} connection to Redis at ${address} closed; reconnecting`);
    onLost?.('closed');
  };
  const onReady = () => {
    if (!lost) return;
    lost = false;
    logger.log(`${name} connection to Redis at ${address} is back`);
    onRecovered();
  };
  const onEnd = () => {
    if (!revive || reviving) return;
    onClose();
    reviving = setTimeout(() => {
      reviving = undefined;
      // A failure ends the connection again, and so comes back here. (A cluster client moves on from
      // `end` to `close` as its node connections drain; neither is reconnecting.)
      if (client.status === 'end' || client.status === 'close') client.connect().catch(() => undefined);
    }, REVIVE_MS);
  };
  client.on('error', onError);
  client.on('close', onClose);
  client.on('ready', onReady);
  client.on('end', onEnd);
  return () => {
    clearTimeout(reviving);
    client.off('close', onClose);
    client.off('ready', onReady);
    client.off('end', onEnd);
    // Keep a no-op error listener: an 'error' event without one would crash the process.
    client.off('error', onError);
    client.on('error', () => undefined);
  };
}
