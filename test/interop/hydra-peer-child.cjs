'use strict';
/* global require */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: hydra is CommonJS */
// One real Hydra 1.x instance (npm `hydra`, a per-process singleton) driven over Node IPC by
// test/interop/hydra-peer.ts. Protocol (child_process.fork, JSON serialization):
//   parent -> child  {id, method, args}         call `hydra[method](...args)` (awaited)
//   child  -> parent {id, result} | {id, error}
//   child  -> parent {event: 'ready'}          once, at start
//   child  -> parent {event: 'message', message}   every Hydra 'message' event (UMF short form)
//   child  -> parent {event: 'log', entry}     every Hydra 'log' event
// Special methods (not Hydra's):
//   __autoReply [{typ?, bodyTemplate?} | null]  answer every received message that is not itself a reply
//                (no `rmid`) with sendReplyMessage(msg, {typ?, bdy: {echo: msg.bdy, ...bodyTemplate}});
//                `null`/`false` turns it off. Skipping replies keeps two auto-replying peers from looping.
//   __listen [port?]  tiny node:http server on 127.0.0.1 (default: the servicePort Hydra published) that
//                answers every request 200 with Hydra's ServerResponse shape
//                {statusCode, statusMessage, statusDescription, result: {method, url, body, headers}};
//                resolves {port}.
//   __stop            close the HTTP server, hydra.shutdown() (bounded to 1.5 s), reply, exit 0.
// Hydra method results cross IPC as JSON: `createUMFMessage` returns `.toShort()`, a Buffer `payLoad`
// (non-JSON makeAPIRequest answers) is returned as a utf8 string, `undefined` becomes null.
// `registerService` replies only after both SUBSCRIBEs are acknowledged (Hydra itself resolves before
// its subscriber connections exist, so a message sent right away could be lost; see hydra-wire.md 4).

const http = require('node:http');

// These environment variables silently replace the config given to init() (hydra-wire.md section 1).
delete process.env.HYDRA_REDIS_URL;
delete process.env.HYDRA_SERVICE;

const hydra = require('hydra');

// Node 20 workarounds, pnxtech/hydra#199 (open): the three clients Hydra makes with
// `redisdb.duplicate()` (service-channel and instance-channel subscribers, lazily created publisher) get
// no 'error' listener, so when Redis goes away node-redis emits an unhandled 'error' event and the
// process dies ("Error: connect ECONNREFUSED", seen with hydra 1.9.3 on Node 20.20.2). Tests that stop or
// restart Redis under a peer need it to survive, as a long-running Hydra service would with a guard:
// (1) give every duplicated client an 'error' listener (installed right after init, before any
// duplicate() call), and (2) as a last resort log uncaught exceptions instead of dying.
function guardDuplicatedClients() {
  const db = hydra.redisdb;
  if (!db || db.__hydraPeerGuarded) return;
  const duplicate = db.duplicate.bind(db);
  db.duplicate = (...args) => {
    const client = duplicate(...args);
    client.on('error', (err) => log(`duplicated redis client error (ignored): ${err && err.message}`));
    return client;
  };
  db.__hydraPeerGuarded = true;
}
process.on('uncaughtException', (err) =>
  log(`uncaughtException (ignored, see pnxtech/hydra#199): ${err && err.stack}`),
);
process.on('unhandledRejection', (err) => log(`unhandledRejection (ignored): ${err && err.stack}`));

function log(text) {
  process.stderr.write(`[hydra-peer ${process.pid}] ${text}\n`);
}

function send(payload) {
  return new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send(payload, () => resolve());
  });
}

let autoReply = null;
let httpServer = null;
let publishedPort;
let shutDown = false;

hydra.on('message', (message) => {
  send({ event: 'message', message });
  if (autoReply && !message.rmid) {
    const response = { bdy: { echo: message.bdy, ...(autoReply.bodyTemplate || {}) } };
    if (autoReply.typ) response.typ = autoReply.typ;
    hydra.sendReplyMessage(message, response).catch((err) => log(`auto-reply failed: ${err && err.message}`));
  }
});
hydra.on('log', (entry) => send({ event: 'log', entry }));

function waitSubscribed(client, timeoutMs) {
  return new Promise((resolve) => {
    if (!client) return resolve(false);
    if (Object.keys(client.subscription_set || {}).length > 0) return resolve(true);
    const timer = setTimeout(() => resolve(false), timeoutMs);
    client.once('subscribe', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function listen(port) {
  return new Promise((resolve, reject) => {
    if (httpServer) return reject(new Error('__listen: already listening'));
    const server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let body = null;
        if (raw) {
          try {
            body = JSON.parse(raw);
          } catch {
            body = raw;
          }
        }
        const payload = JSON.stringify({
          statusCode: 200,
          statusMessage: 'OK',
          statusDescription: 'Request succeeded without error',
          result: { method: req.method, url: req.url, body, headers: req.headers },
        });
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        });
        res.end(payload);
      });
    });
    server.once('error', reject);
    server.listen(Number(port), '127.0.0.1', () => {
      httpServer = server;
      resolve({ port: server.address().port });
    });
  });
}

function closeServer() {
  return new Promise((resolve) => {
    if (!httpServer) return resolve();
    const server = httpServer;
    httpServer = null;
    server.close(() => resolve());
    if (server.closeAllConnections) server.closeAllConnections();
  });
}

async function shutdownHydra() {
  if (shutDown || !hydra.redisdb) return;
  shutDown = true;
  await Promise.race([hydra.shutdown(), new Promise((r) => setTimeout(r, 1500))]);
}

function transferable(method, value) {
  if (value === undefined) return null;
  if (method === 'createUMFMessage' && value && typeof value.toShort === 'function') return value.toShort();
  if (value && Buffer.isBuffer(value.payLoad)) return { ...value, payLoad: value.payLoad.toString('utf8') };
  return value;
}

async function dispatch(method, args) {
  switch (method) {
    case '__autoReply':
      autoReply = args[0] ? { typ: args[0].typ, bodyTemplate: args[0].bodyTemplate } : null;
      return null;
    case '__listen':
      return listen(args[0] ?? publishedPort ?? 0);
    case '__stop':
      await closeServer();
      await shutdownHydra();
      return null;
    case 'init': {
      const result = await hydra.init(...args);
      guardDuplicatedClients();
      shutDown = false;
      publishedPort = result && result.hydra ? result.hydra.servicePort : undefined;
      return result;
    }
    case 'registerService': {
      const result = await hydra.registerService();
      await Promise.all([
        waitSubscribed(hydra.mcMessageChannelClient, 2000),
        waitSubscribed(hydra.mcDirectMessageChannelClient, 2000),
      ]);
      return result;
    }
    case 'shutdown':
      await closeServer();
      await shutdownHydra();
      return null;
    default:
      if (typeof method !== 'string' || method.startsWith('_') || typeof hydra[method] !== 'function') {
        throw new Error(`hydra-peer: Hydra has no public method ${JSON.stringify(method)}`);
      }
      return hydra[method](...args);
  }
}

process.on('message', (request) => {
  if (!request || typeof request !== 'object' || request.id === undefined) return;
  const { id, method, args = [] } = request;
  Promise.resolve()
    .then(() => dispatch(method, args))
    .then(
      (value) => send({ id, result: transferable(method, value) }),
      (err) => send({ id, error: err && err.message ? err.message : String(err) }),
    )
    .then(() => {
      if (method === '__stop') process.exit(0);
    });
});

// The parent went away (or disconnected on purpose): never linger as an orphan.
process.on('disconnect', () => process.exit(0));

send({ event: 'ready', pid: process.pid });
