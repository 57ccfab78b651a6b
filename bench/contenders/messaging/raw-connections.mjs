// The two plain ioredis connections both floors (raw, raw-umf) use: a subscriber and a publisher.
import { Redis } from 'ioredis';

/** Opens and connects a subscriber and a publisher connection. */
export async function openPair(redisUrl) {
  const sub = new Redis(redisUrl, { lazyConnect: true });
  const pub = new Redis(redisUrl, { lazyConnect: true });
  await Promise.all([sub.connect(), pub.connect()]);
  return { sub, pub };
}

/** Throws unless someone subscribes `channel` (the server is up before its client starts). */
export async function assertListened(pub, channel) {
  const listeners = await pub.pubsub('NUMSUB', channel);
  if (Number(listeners[1]) < 1) throw new Error(`nobody subscribes ${channel}`);
}

/** Closes both connections of a pair. */
export async function closePair(pair) {
  await Promise.allSettled([pair?.sub?.quit(), pair?.pub?.quit()]);
}
