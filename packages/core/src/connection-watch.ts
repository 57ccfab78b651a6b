import type { Redis } from 'ioredis';
import type { HydraLogger } from './logger.js';

/**
 * Logs a connection's state changes once each (lost, back), never once per retry, and calls
 * `onRecovered` every time the connection is ready again after a loss.
 */
export function watchConnection(
  client: Redis,
  name: string,
  address: string,
  logger: HydraLogger,
  onRecovered: () => void,
): () => void {
  let lost = false;
  const onError = (error: Error) => {
    if (lost) return;
    lost = true;
    logger.warn(`${name} connection to Redis at ${address} lost (${error.message}); reconnecting`);
  };
  const onClose = () => {
    if (lost) return;
    lost = true;
    logger.warn(`${name} connection to Redis at ${address} closed; reconnecting`);
  };
  const onReady = () => {
    if (!lost) return;
    lost = false;
    logger.log(`${name} connection to Redis at ${address} is back`);
    onRecovered();
  };
  client.on('error', onError);
  client.on('close', onClose);
  client.on('ready', onReady);
  return () => {
    client.off('close', onClose);
    client.off('ready', onReady);
    // Keep a no-op error listener: an 'error' event without one would crash the process.
    client.off('error', onError);
    client.on('error', () => undefined);
  };
}
