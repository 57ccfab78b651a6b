// A second floor: the raw ioredis request-reply of raw-server.mjs, but carrying UMF-shaped JSON (the
// `to, frm, mid, rmid, ts, typ, ver, bdy` fields every Hydra-compatible message has, with a fresh UUID
// and timestamp per message) and no framework at all. The gap between `raw` and `raw-umf` is what the
// wire format itself costs; the gap between `raw-umf` and a library is what the library costs.
import { randomUUID } from 'node:crypto';
import { closePair, openPair } from './raw-connections.mjs';

export const REQUEST_CHANNEL = 'raw-umf.req';
export const EVENT_CHANNEL = 'raw-umf.evt';

let sub;
let pub;

export async function start({ redisUrl, onEvent }) {
  ({ sub, pub } = await openPair(redisUrl));
  sub.on('message', (channel, text) => {
    const request = JSON.parse(text);
    if (channel === EVENT_CHANNEL) {
      onEvent();
      return;
    }
    const reply = {
      to: request.frm,
      frm: request.to,
      mid: randomUUID(),
      rmid: request.mid,
      ts: new Date().toISOString(),
      typ: request.typ,
      ver: request.ver,
      bdy: request.bdy,
    };
    // The reply channel is named in `frm` (`<channel>@client:/`), as an instance id is in UMF.
    pub.publish(request.frm.slice(0, request.frm.indexOf('@')), JSON.stringify(reply));
  });
  await sub.subscribe(REQUEST_CHANNEL, EVENT_CHANNEL);
  return { connections: 2 };
}

export async function stop() {
  await closePair({ sub, pub });
}
