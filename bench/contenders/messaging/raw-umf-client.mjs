// The raw-umf floor's client: UMF-shaped requests correlated on `rmid` (see raw-umf-server.mjs).
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { EVENT_CHANNEL, REQUEST_CHANNEL } from './raw-umf-server.mjs';

let sub;
let pub;
const pending = new Map();
const replyChannel = `raw-umf.rep.${process.pid}`;
const frm = `${replyChannel}@raw-umf-client:/`;

export async function connect({ redisUrl }) {
  sub = new Redis(redisUrl, { lazyConnect: true });
  pub = new Redis(redisUrl, { lazyConnect: true });
  await Promise.all([sub.connect(), pub.connect()]);
  sub.on('message', (_channel, text) => {
    const reply = JSON.parse(text);
    const resolve = pending.get(reply.rmid);
    if (resolve) {
      pending.delete(reply.rmid);
      resolve(reply.bdy);
    }
  });
  await sub.subscribe(replyChannel);
  const listeners = await pub.pubsub('NUMSUB', REQUEST_CHANNEL);
  if (Number(listeners[1]) < 1) throw new Error(`nobody subscribes ${REQUEST_CHANNEL}`);
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
  await Promise.allSettled([sub?.quit(), pub?.quit()]);
}
