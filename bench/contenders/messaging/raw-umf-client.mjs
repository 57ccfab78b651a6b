// The raw-umf floor's client: UMF-shaped requests correlated on `rmid` (see raw-umf-server.mjs).
import { randomUUID } from 'node:crypto';
import { closePair, openPair, assertListened } from './raw-connections.mjs';
import { EVENT_CHANNEL, REQUEST_CHANNEL } from './raw-umf-server.mjs';

let sub;
let pub;
const pending = new Map();
const replyChannel = `raw-umf.rep.${process.pid}`;
const frm = `${replyChannel}@raw-umf-client:/`;

export async function connect({ redisUrl }) {
  ({ sub, pub } = await openPair(redisUrl));
  sub.on('message', (_channel, text) => {
    const reply = JSON.parse(text);
    const resolve = pending.get(reply.rmid);
    if (resolve) {
      pending.delete(reply.rmid);
      resolve(reply.bdy);
    }
  });
  await sub.subscribe(replyChannel);
  await assertListened(pub, REQUEST_CHANNEL);
}

function message(typ, bdy) {
  return {
    to: 'raw-umf-svc:/',
    frm,
    mid: randomUUID(),
    ts: new Date().toISOString(),
    typ,
    ver: 'UMF/1.4.6',
    bdy,
  };
}

export function request(body) {
  const m = message('echo', body);
  return new Promise((resolve) => {
    pending.set(m.mid, resolve);
    pub.publish(REQUEST_CHANNEL, JSON.stringify(m));
  });
}

export function emit(body) {
  return pub.publish(EVENT_CHANNEL, JSON.stringify(message('evt', body)));
}

export async function close() {
  await closePair({ sub, pub });
}
