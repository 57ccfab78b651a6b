// The floor's client: requests on one publisher connection, replies on one subscriber connection
// subscribed to this process's own reply channel, correlated by a numeric id in a Map.
import { Redis } from 'ioredis';
import { EVENT_CHANNEL, REQUEST_CHANNEL } from './raw-server.mjs';

let sub;
let pub;
let nextId = 1;
const pending = new Map();
const replyChannel = `raw.rep.${process.pid}`;

export async function connect({ redisUrl }) {
  sub = new Redis(redisUrl, { lazyConnect: true });
  pub = new Redis(redisUrl, { lazyConnect: true });
  await Promise.all([sub.connect(), pub.connect()]);
  sub.on('message', (_channel, text) => {
    const reply = JSON.parse(text);
    const resolve = pending.get(reply.id);
    if (resolve) {
      pending.delete(reply.id);
      resolve(reply.b);
    }
  });
  await sub.subscribe(replyChannel);
  // The server is up before the client starts; make sure it listens.
  const listeners = await pub.pubsub('NUMSUB', REQUEST_CHANNEL);
  if (Number(listeners[1]) < 1) throw new Error(`nobody subscribes ${REQUEST_CHANNEL}`);
}

export function request(body) {
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    pub.publish(REQUEST_CHANNEL, JSON.stringify({ id, r: replyChannel, b: body }));
  });
}

export function emit(body) {
  return pub.publish(EVENT_CHANNEL, JSON.stringify(body));
}

export async function close() {
  await Promise.allSettled([sub?.quit(), pub?.quit()]);
}
