// The floor's client: requests on one publisher connection, replies on one subscriber connection
// subscribed to this process's own reply channel, correlated by a numeric id in a Map.
import { closePair, openPair, assertListened } from './raw-connections.mjs';
import { EVENT_CHANNEL, REQUEST_CHANNEL } from './raw-server.mjs';

let sub;
let pub;
let nextId = 1;
const pending = new Map();
const replyChannel = `raw.rep.${process.pid}`;

export async function connect({ redisUrl }) {
  ({ sub, pub } = await openPair(redisUrl));
  sub.on('message', (_channel, text) => {
    const reply = JSON.parse(text);
    const resolve = pending.get(reply.id);
    if (resolve) {
      pending.delete(reply.id);
      resolve(reply.b);
    }
  });
  await sub.subscribe(replyChannel);
  await assertListened(pub, REQUEST_CHANNEL);
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
  await closePair({ sub, pub });
}
