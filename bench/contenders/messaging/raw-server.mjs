// The floor: request-reply over Redis pub/sub with ioredis and nothing else. One subscriber and one
// publisher connection. A request is `{"id":..,"r":"<reply channel>","b":<body>}`; the reply
// `{"id":..,"b":<body>}` goes to the requester's own reply channel.
import { closePair, openPair } from './raw-connections.mjs';

export const REQUEST_CHANNEL = 'raw.req';
export const EVENT_CHANNEL = 'raw.evt';

let sub;
let pub;

export async function start({ redisUrl, onEvent }) {
  ({ sub, pub } = await openPair(redisUrl));
  sub.on('message', (channel, text) => {
    if (channel === EVENT_CHANNEL) {
      JSON.parse(text);
      onEvent();
      return;
    }
    const request = JSON.parse(text);
    pub.publish(request.r, JSON.stringify({ id: request.id, b: request.b }));
  });
  await sub.subscribe(REQUEST_CHANNEL, EVENT_CHANNEL);
  return { connections: 2 };
}

export async function stop() {
  await closePair({ sub, pub });
}
