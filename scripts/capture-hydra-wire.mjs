#!/usr/bin/env node
// Captures what the real npm `hydra` (1.9.x) sends to Redis, to confirm docs/wire-confirmed.md.
//
//   node scripts/capture-hydra-wire.mjs            # MONITOR capture on stdout, checks on stderr
//
// Starts its own redis-server (scripts/lib/redis-process.mjs, loopback, free port), attaches
// `redis-cli monitor`, and drives three Hydra instances on db 15: `alpha-svc` in this process and two
// forked children (`beta-svc`, and a second `alpha-svc` instance) because `require('hydra')` is a
// per-process singleton. Phases are marked in the capture with `ECHO "== <phase>"` sent by an
// inspector connection (ioredis, CLIENT SETNAME hydra-capture-inspector), which also reads TYPE/TTL.
// Prints the capture to stdout, API results and `ok`/`MISMATCH` lines to stderr; exits 1 on a mismatch.
// Finishes in about 10 s (the first health snapshot is written 5 s after registration).
import { fork, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startRedis } from './lib/redis-process.mjs';

const require = createRequire(import.meta.url);
const DB = 15;
const P = 'hydra:service';
const HARD_TIMEOUT_MS = 28_000;

// These would silently replace the config we pass to init() (see hydra-wire.md section 1).
delete process.env.HYDRA_REDIS_URL;
delete process.env.HYDRA_SERVICE;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const note = (...parts) => process.stderr.write(parts.join(' ') + '\n');

/**
 * Node 20 workaround (pnxtech/hydra#199): the clients Hydra makes with `duplicate()` (two subscribers,
 * one publisher) have no 'error' listener, so losing Redis kills the process. Give them one.
 */
function guardDuplicatedClients(hydra) {
  const original = hydra.redisdb.duplicate.bind(hydra.redisdb);
  hydra.redisdb.duplicate = (...args) => {
    const client = original(...args);
    client.on('error', (err) => note(`[hydra duplicated client] ${err.message}`));
    return client;
  };
}

// ---------------------------------------------------------------------------------------------
// Child mode: one Hydra instance driven over IPC ({id, method, args} -> {id, result} | {id, error}).
// ---------------------------------------------------------------------------------------------
async function runChild() {
  const hydra = require('hydra');
  let autoReply = false;
  hydra.on('message', (message) => {
    process.send?.({ event: 'message', message });
    if (autoReply && !message.rmid) {
      hydra.sendReplyMessage(message, { bdy: { echo: message.bdy, from: hydra.getServiceName() } });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.on('message', async ({ id, method, args = [] }) => {
    try {
      let result;
      if (method === '__autoReply') autoReply = true;
      else {
        result = await hydra[method](...args);
        if (method === 'init') guardDuplicatedClients(hydra);
      }
      process.send({ id, result: result === undefined ? null : result });
    } catch (err) {
      process.send({ id, error: String(err?.message ?? err) });
    }
  });
  process.send({ event: 'ready' });
}

class Child {
  static async start(name) {
    const child = new Child();
    child.proc = fork(fileURLToPath(import.meta.url), ['--child'], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.name = name;
    child.messages = [];
    child.pending = new Map();
    child.nextId = 1;
    const ready = new Promise((resolve) => {
      child.proc.on('message', (m) => {
        if (m.event === 'ready') resolve();
        else if (m.event === 'message') child.messages.push(m.message);
        else if (child.pending.has(m.id)) {
          const { resolve: ok, reject } = child.pending.get(m.id);
          child.pending.delete(m.id);
          if ('error' in m) reject(new Error(`${name}: ${m.error}`));
          else ok(m.result);
        }
      });
    });
    await ready;
    return child;
  }

  call(method, ...args) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.proc.send({ id, method, args });
    });
  }

  async stop() {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    await Promise.race([this.call('shutdown').catch(() => {}), sleep(3000)]);
    if (this.proc.connected) this.proc.disconnect();
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// MONITOR line parsing: `1763000000.123456 [15 127.0.0.1:40000] "SET" "key" "value"`
// ---------------------------------------------------------------------------------------------
function parseMonitorLine(line) {
  const m = /^(\d+\.\d+) \[(\d+) ([^\]]+)\] (.*)$/.exec(line);
  if (!m) return undefined;
  const args = [];
  const rest = m[4];
  let i = 0;
  while (i < rest.length) {
    if (rest[i] !== '"') {
      i++;
      continue;
    }
    let s = '';
    i++;
    while (i < rest.length && rest[i] !== '"') {
      if (rest[i] === '\\') {
        const c = rest[i + 1];
        if (c === 'x') {
          s += String.fromCharCode(parseInt(rest.slice(i + 2, i + 4), 16));
          i += 4;
          continue;
        }
        s += { n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b' }[c] ?? c;
        i += 2;
        continue;
      }
      s += rest[i++];
    }
    i++;
    args.push(s);
  }
  return { ts: Number(m[1]), db: Number(m[2]), addr: m[3], args, cmd: args[0]?.toUpperCase(), line };
}

// ---------------------------------------------------------------------------------------------
// Main mode
// ---------------------------------------------------------------------------------------------
async function main() {
  const { default: Redis } = await import('ioredis');
  const hardTimer = setTimeout(() => {
    note('capture: hard timeout reached, giving up');
    process.exit(2);
  }, HARD_TIMEOUT_MS);

  const redis = await startRedis();
  const url = `redis://127.0.0.1:${redis.port}/${DB}`;
  const children = [];
  let monitor;
  let inspector;
  const lines = [];
  const mismatches = [];
  const check = (what, ok, detail = '') => {
    if (!ok) mismatches.push(what);
    note(`${ok ? 'ok      ' : 'MISMATCH'} ${what}${detail ? `  [${detail}]` : ''}`);
  };

  try {
    // 1. MONITOR
    monitor = spawn('redis-cli', ['-h', '127.0.0.1', '-p', String(redis.port), 'monitor'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buffered = '';
    const monitorReady = new Promise((resolve) => {
      monitor.stdout.on('data', (chunk) => {
        buffered += chunk.toString();
        let nl;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).replace(/\r$/, '');
          buffered = buffered.slice(nl + 1);
          if (line === 'OK') resolve();
          else if (line) lines.push(line);
        }
      });
    });
    await monitorReady;

    inspector = new Redis({
      port: redis.port,
      host: '127.0.0.1',
      db: DB,
      connectionName: 'hydra-capture-inspector',
    });
    await inspector.ping();
    const inspectorAddr = `127.0.0.1:${inspector.stream.localPort}`;
    const mark = async (phase) => {
      await sleep(60); // let the previous phase's fire-and-forget commands reach Redis first
      await inspector.echo(`== ${phase}`);
    };
    const ttl = (key) => inspector.ttl(key);
    const type = (key) => inspector.type(key);

    // 2. alpha-svc in this process
    const hydra = require('hydra');
    const alphaMessages = [];
    hydra.on('message', (m) => alphaMessages.push(m));
    const config = {
      hydra: {
        serviceName: 'alpha-svc',
        serviceIP: '127.0.0.1',
        servicePort: 5601,
        serviceType: 'peer',
        serviceDescription: 'capture alpha (hydra-nest wire check)',
        redis: { url },
      },
    };
    await mark('init alpha-svc');
    const initResult = await hydra.init(config);
    guardDuplicatedClients(hydra);
    const A = hydra.getInstanceID();
    note('alpha-svc instance', A, 'version', JSON.stringify(initResult.hydra.serviceVersion));

    await mark('registerService alpha-svc');
    const tRegistered = Date.now();
    note('registerService ->', JSON.stringify(await hydra.registerService()));

    await mark('registerRoutes alpha-svc');
    await hydra.registerRoutes(['[get]/v1/alpha/items']);

    await mark('sendToHealthLog x2 (second mentions Redis)');
    hydra.sendToHealthLog('info', 'hello from alpha');
    hydra.sendToHealthLog('info', 'this entry mentions REDIS and is never stored');

    await mark('putConfig / getConfig / listConfig');
    await hydra.putConfig('alpha-svc:1.0.0', { greeting: 'hi', n: 1 });
    await hydra.putConfig('alpha-svc:0.9.0', { greeting: 'old' });
    note('getConfig ->', JSON.stringify(await hydra.getConfig('alpha-svc:1.0.0')));
    note('getConfig missing ->', JSON.stringify(await hydra.getConfig('alpha-svc:7.7.7')));
    note('listConfig ->', JSON.stringify(await hydra.listConfig('alpha-svc')));

    await mark('queueMessage x2 / getQueuedMessage / markQueueMessage(true) / markQueueMessage(false)');
    const q1 = await hydra.queueMessage({ to: 'alpha-svc:/jobs', frm: 'capture:/', bdy: { job: 1 } });
    await hydra.queueMessage({
      to: 'someinstance@alpha-svc:[post]/ignored',
      frm: 'capture:/',
      bdy: { job: 2 },
    });
    note('queueMessage ->', JSON.stringify(q1));
    const job1 = await hydra.getQueuedMessage('alpha-svc');
    note('getQueuedMessage ->', JSON.stringify(job1));
    note('markQueueMessage(true) ->', JSON.stringify(await hydra.markQueueMessage(job1, true, 'done')));
    const job2 = await hydra.getQueuedMessage('alpha-svc');
    note('markQueueMessage(false) ->', JSON.stringify(await hydra.markQueueMessage(job2, false, 'failed')));
    note('getQueuedMessage (empty) ->', JSON.stringify(await hydra.getQueuedMessage('alpha-svc')));
    const queueTypes = {
      recieved: await type(`${P}:alpha-svc:mqrecieved`),
      inprogress: await type(`${P}:alpha-svc:mqinprogress`),
      incomplete: await inspector.lrange(`${P}:alpha-svc:mqincomplete`, 0, -1),
    };

    // 3. beta-svc in a child process
    await mark('init + registerService beta-svc (child process)');
    const beta = await Child.start('beta-svc');
    children.push(beta);
    await beta.call('init', {
      hydra: {
        serviceName: 'beta-svc',
        serviceIP: '127.0.0.1',
        servicePort: 5602,
        serviceType: 'peer',
        serviceDescription: 'capture beta',
        serviceVersion: '2.0.0',
        redis: { url },
      },
    });
    const B = await beta.call('getInstanceID');
    await beta.call('registerService');
    await beta.call('__autoReply');
    await sleep(150); // subscriptions are made asynchronously after the presence write

    await mark('alpha sendMessage -> beta-svc:/ ; beta sendReplyMessage');
    const mid1 = hydra
      .createUMFMessage({ to: 'beta-svc:/', frm: `${A}@alpha-svc:/`, bdy: { n: 1, text: 'hi beta' } })
      .toShort();
    note('sendMessage ->', JSON.stringify(await hydra.sendMessage(mid1)));
    const reply1 = await waitFor(() => alphaMessages.find((m) => m.rmid === mid1.mid), 3000);

    await mark('beta sendMessage -> alpha-svc:/ ; alpha sendReplyMessage');
    await beta.call('sendMessage', {
      to: 'alpha-svc:/',
      frm: `${B}@beta-svc:/`,
      bdy: { n: 2, text: 'hi alpha' },
    });
    const got2 = await waitFor(() => alphaMessages.find((m) => m.bdy?.n === 2), 3000);
    await hydra.sendReplyMessage(got2, { bdy: { ok: true } });
    const reply2 = await waitFor(() => beta.messages.find((m) => m.rmid === got2.mid), 3000);

    await mark('beta sendBroadcastMessage -> alpha-svc:/');
    await beta.call('sendBroadcastMessage', {
      to: 'alpha-svc:/',
      frm: `${B}@beta-svc:/`,
      bdy: { broadcast: true },
    });
    const bc = await waitFor(() => alphaMessages.find((m) => m.bdy?.broadcast), 3000);

    await mark('sendMessage to a service with no instance');
    note(
      'sendMessage(nobody) ->',
      JSON.stringify(await hydra.sendMessage({ to: 'nobody-svc:/', frm: 'alpha-svc:/', bdy: { x: 1 } })),
    );

    // 4. wait for the first health snapshots (5 s after each registration)
    const waitMs = tRegistered + 5400 - Date.now();
    if (waitMs > 0) await sleep(waitMs);
    await mark('after first health snapshot of alpha-svc: TTL/TYPE probes');
    const probes = {
      serviceType: await type(`${P}:alpha-svc:service`),
      serviceTtl: await ttl(`${P}:alpha-svc:service`),
      presenceTtl: await ttl(`${P}:alpha-svc:${A}:presence`),
      presenceVal: await inspector.get(`${P}:alpha-svc:${A}:presence`),
      nodesType: await type(`${P}:nodes`),
      healthTtl: await ttl(`${P}:alpha-svc:${A}:health`),
      healthVal: await inspector.get(`${P}:alpha-svc:${A}:health`),
      logType: await type(`${P}:alpha-svc:${A}:health:log`),
      logTtl: await ttl(`${P}:alpha-svc:${A}:health:log`),
      log: await inspector.lrange(`${P}:alpha-svc:${A}:health:log`, 0, -1),
      routesType: await type(`${P}:alpha-svc:service:routes`),
      routes: (await inspector.smembers(`${P}:alpha-svc:service:routes`)).sort(),
      configsType: await type(`${P}:alpha-svc:configs`),
    };
    note('probes ->', JSON.stringify(probes));

    await mark('getServicePresence(beta-svc) / getServiceNodes / getServiceHealthAll');
    const presence = await hydra.getServicePresence('beta-svc');
    note('getServicePresence ->', JSON.stringify(presence));
    const nodes = await hydra.getServiceNodes();
    note('getServiceNodes ->', JSON.stringify(nodes));
    const healthAll = await hydra.getServiceHealthAll();
    note('getServiceHealthAll ->', JSON.stringify(healthAll));
    await mark('getServicePresence(beta-svc) again (3 s cache)');
    await hydra.getServicePresence('beta-svc');

    // 5. second alpha-svc instance, for getServiceHealthLog's "first key only"
    await mark('second alpha-svc instance (child) logs; alpha getServiceHealthLog');
    const alpha2 = await Child.start('alpha-svc#2');
    children.push(alpha2);
    await alpha2.call('init', { hydra: { ...config.hydra, servicePort: 5603, serviceVersion: '1.0.1' } });
    const A2 = await alpha2.call('getInstanceID');
    await alpha2.call('registerService');
    await alpha2.call('sendToHealthLog', 'info', 'hello from alpha #2');
    await sleep(100);
    const healthLog = await hydra.getServiceHealthLog('alpha-svc');
    const logA = await inspector.lrange(`${P}:alpha-svc:${A}:health:log`, 0, -1);
    const logA2 = await inspector.lrange(`${P}:alpha-svc:${A2}:health:log`, 0, -1);
    note('getServiceHealthLog(alpha-svc) ->', JSON.stringify(healthLog));

    // 6. shutdown
    await mark('shutdown alpha-svc#2 and beta-svc (children)');
    for (const c of children.splice(0)) await c.stop();
    await mark('shutdown alpha-svc');
    await hydra.shutdown();
    await sleep(200);
    const after = {
      presence: await inspector.exists(`${P}:alpha-svc:${A}:presence`),
      healthTtl: await ttl(`${P}:alpha-svc:${A}:health`),
      service: await inspector.exists(`${P}:alpha-svc:service`),
      node: await inspector.hexists(`${P}:nodes`, A),
      routes: await inspector.exists(`${P}:alpha-svc:service:routes`),
      logTtl: await ttl(`${P}:alpha-svc:${A}:health:log`),
    };
    note('after shutdown ->', JSON.stringify(after));
    await mark('end');
    await sleep(150);

    // ---------------------------------------------------------------------------------------------
    // Print the capture, then compare with docs/wire-confirmed.md / hydra-wire.md.
    // ---------------------------------------------------------------------------------------------
    process.stdout.write(lines.join('\n') + '\n');

    const all = lines.map(parseMonitorLine).filter(Boolean);
    const cmds = all.filter((c) => c.addr !== inspectorAddr);
    const idx = (pred, from = 0) => {
      for (let i = from; i < cmds.length; i++) if (pred(cmds[i])) return i;
      return -1;
    };
    const is =
      (cmd, ...args) =>
      (c) =>
        c.cmd === cmd && args.every((a, i) => a === undefined || c.args[i + 1] === a);
    const keysOf = (json) => Object.keys(JSON.parse(json)).join(',');

    note('\n--- checks against hydra-wire.md sections 3-6 ---');
    check(
      'every Hydra command runs in db 15',
      cmds.every((c) => c.db === DB || c.cmd === 'INFO' || c.cmd === 'SELECT'),
    );
    check('no KEYS / CONFIG commands', !cmds.some((c) => c.cmd === 'KEYS' || c.cmd === 'CONFIG'));
    const iSet = idx(is('SET', `${P}:alpha-svc:service`));
    check(
      '3.1 SET P:S:service {serviceName,type,registeredOn}',
      iSet >= 0 &&
        keysOf(cmds[iSet].args[2]) === 'serviceName,type,registeredOn' &&
        JSON.parse(cmds[iSet].args[2]).type === 'peer',
      cmds[iSet]?.args[2],
    );
    check(
      '3.1 P:S:service is a string without TTL',
      probes.serviceType === 'string' && probes.serviceTtl === -1,
    );
    const iPres = idx(is('SETEX', `${P}:alpha-svc:${A}:presence`, '3', A), iSet);
    const iNodes = idx(is('HSET', `${P}:nodes`, A), iPres);
    check(
      '3.2 SETEX presence 3 <id> right after SET service, then HSET nodes',
      iPres === iSet + 1 && iNodes === iPres + 1,
    );
    check(
      '3.2 presence value = instance id, TTL <= 3',
      probes.presenceVal === A && probes.presenceTtl > 0 && probes.presenceTtl <= 3,
    );
    const nodeJson = cmds[iNodes]?.args[3] ?? '{}';
    check(
      '3.3 nodes JSON key order',
      keysOf(nodeJson) ===
        'serviceName,serviceDescription,version,instanceID,updatedOn,processID,ip,port,hostName',
      keysOf(nodeJson),
    );
    check(
      '3.3 port stored as string "5601", version "unspecified" (no package.json next to the script)',
      JSON.parse(nodeJson).port === '5601' && JSON.parse(nodeJson).version === 'unspecified',
    );
    const iSubS = idx(is('SUBSCRIBE', 'hydra:service:mc:alpha-svc'));
    const iSubI = idx(is('SUBSCRIBE', `hydra:service:mc:alpha-svc:${A}`));
    check(
      '4/6.2 SUBSCRIBE mc:S and mc:S:I on two new connections, after the first presence write (code item)',
      iSubS > iPres &&
        iSubI > iPres &&
        cmds[iSubS].addr !== cmds[iSubI].addr &&
        cmds[iSubS].addr !== cmds[iSet].addr,
    );
    const subConn = cmds.filter((c) => c.addr === cmds[iSubS].addr).map((c) => c.cmd);
    check(
      '1 duplicated connection sends INFO, SELECT 15, SUBSCRIBE',
      subConn.slice(0, 3).join(' ') === 'INFO SELECT SUBSCRIBE',
      subConn.slice(0, 3).join(' '),
    );
    const periodicPres = cmds
      .filter((c) => c.cmd === 'SETEX' && c.args[1] === `${P}:alpha-svc:${A}:presence`)
      .map((c) => c.ts);
    const gaps = periodicPres.slice(1).map((t, i) => t - periodicPres[i]);
    check(
      '6.1 presence rewritten about every 1000 ms',
      gaps.length >= 4 && gaps.every((g) => g > 0.8 && g < 1.3),
      gaps.map((g) => g.toFixed(3)).join(' '),
    );

    const iDelR = idx(is('DEL', `${P}:alpha-svc:service:routes`));
    const routeSeq = cmds.slice(iDelR, iDelR + 9).filter((c) => c.addr === cmds[iDelR].addr);
    check(
      '3.6 registerRoutes: DEL, MULTI, SADD x4 (+3 defaults), EXEC, SMEMBERS, SCAN *:hydra-router:*:presence',
      routeSeq.map((c) => c.cmd).join(' ') === 'DEL MULTI SADD SADD SADD SADD EXEC SMEMBERS SCAN' &&
        routeSeq[8].args.join(' ') === 'scan 0 MATCH *:hydra-router:*:presence COUNT 100',
      routeSeq.map((c) => c.cmd).join(' '),
    );
    check(
      '3.6 routes set holds the route and [get]/S, [get]/S/, [get]/S/:rest',
      JSON.stringify(probes.routes) ===
        JSON.stringify([
          '[get]/alpha-svc',
          '[get]/alpha-svc/',
          '[get]/alpha-svc/:rest',
          '[get]/v1/alpha/items',
        ]) && probes.routesType === 'set',
    );
    check(
      '3.6 no refresh broadcast when no hydra-router is present',
      !cmds.some((c) => c.cmd === 'PUBLISH' && c.args[1] === 'hydra:service:mc:hydra-router'),
    );

    const iLp = idx((c) => c.cmd === 'LPUSH' && c.args[1] === `${P}:alpha-svc:${A}:health:log`);
    const logSeq = cmds
      .slice(Math.max(0, iLp - 2), iLp + 3)
      .map((c) =>
        [c.cmd, ...(c.cmd === 'SELECT' ? [c.args[1]] : c.cmd === 'LTRIM' ? c.args.slice(2) : [])].join(' '),
      )
      .join(', ');
    check(
      '3.5 log write = MULTI, SELECT 15, LPUSH, LTRIM 0 63, EXEC',
      logSeq === 'MULTI, SELECT 15, LPUSH, LTRIM 0 63, EXEC',
      logSeq,
    );
    check(
      '3.5 log entry JSON {ts,serviceName,type,processID,msg}',
      keysOf(cmds[iLp].args[2]) === 'ts,serviceName,type,processID,msg',
    );
    check(
      '3.5 an entry mentioning "redis" (any case) is not stored',
      !cmds.some((c) => c.cmd === 'LPUSH' && /redis/i.test(c.args[2] ?? '')),
    );
    check(
      '3.5 log list TTL 604800 after the 5 s refresh',
      probes.logType === 'list' && probes.logTtl > 604700,
    );

    const iHs = idx(is('HSET', `${P}:alpha-svc:configs`, '1.0.0'));
    check(
      '3.7 putConfig = HSET P:S:configs <version> <json>',
      iHs >= 0 && cmds[iHs].args[3] === '{"greeting":"hi","n":1}' && probes.configsType === 'hash',
    );
    check(
      '3.7 getConfig = HGET; listConfig = HKEYS',
      idx(is('HGET', `${P}:alpha-svc:configs`, '1.0.0')) > iHs &&
        idx(is('HKEYS', `${P}:alpha-svc:configs`)) > iHs,
    );

    const iQ = idx(is('LPUSH', `${P}:alpha-svc:mqrecieved`));
    const iQ2 = idx(is('LPUSH', `${P}:alpha-svc:mqrecieved`), iQ + 1);
    check(
      '3.8 queueMessage = LPUSH P:S:mqrecieved <short UMF>, instance@ and [method] ignored for S',
      iQ >= 0 && iQ2 > iQ && keysOf(cmds[iQ].args[2]) === 'to,frm,mid,ts,ver,bdy',
    );
    check(
      "3.8 queueMessage resolves the caller's object as given",
      JSON.stringify(q1) === '{"to":"alpha-svc:/jobs","frm":"capture:/","bdy":{"job":1}}',
    );
    const iRp = idx(is('RPOPLPUSH', `${P}:alpha-svc:mqrecieved`, `${P}:alpha-svc:mqinprogress`));
    check('3.8 getQueuedMessage = RPOPLPUSH recieved -> inprogress, FIFO', iRp > iQ2 && job1?.bdy?.job === 1);
    const iLrem = idx(is('LREM', `${P}:alpha-svc:mqinprogress`, '-1'));
    check(
      '3.8 markQueueMessage = LREM inprogress -1 <JSON.stringify(msg)> (byte-identical to the queued string)',
      iLrem > iRp && cmds[iLrem].args[3] === cmds[iQ].args[2],
    );
    const iRpush = idx(is('RPUSH', `${P}:alpha-svc:mqincomplete`));
    check(
      '3.8 markQueueMessage(false) = RPUSH mqincomplete with bdy.reason',
      iRpush > iLrem &&
        JSON.parse(cmds[iRpush].args[2]).bdy.reason === 'failed' &&
        queueTypes.incomplete.length === 1,
    );
    check(
      '3.8 both lists emptied after the two marks (LREM matched)',
      queueTypes.recieved === 'none' && queueTypes.inprogress === 'none',
    );

    const pubs = cmds.filter((c) => c.cmd === 'PUBLISH');
    const p1 = pubs.find((c) => c.args[2].includes('"hi beta"'));
    check(
      '4 sendMessage publishes on hydra:service:mc:S:I',
      p1?.args[1] === `hydra:service:mc:beta-svc:${B}`,
    );
    check(
      '5.3 published short form, key order to,frm,mid,ts,ver,bdy',
      p1 && keysOf(p1.args[2]) === 'to,frm,mid,ts,ver,bdy',
      p1?.args[2],
    );
    const p1r = pubs.find((c) => c.args[2].includes(`"rmid":"${mid1.mid}"`));
    check(
      '5.6 reply goes to mc:alpha-svc:A with rmid, frm = original to, key order to,frm,mid,rmid,ts,ver,bdy',
      p1r?.args[1] === `hydra:service:mc:alpha-svc:${A}` &&
        keysOf(p1r.args[2]) === 'to,frm,mid,rmid,ts,ver,bdy' &&
        JSON.parse(p1r.args[2]).frm === 'beta-svc:/' &&
        JSON.parse(p1r.args[2]).mid !== mid1.mid,
      p1r?.args[2],
    );
    check(
      '4 message event = short form; reply received with rmid',
      reply1?.rmid === mid1.mid && reply2?.rmid === got2.mid,
    );
    const pbc = pubs.find((c) => c.args[2].includes('"broadcast":true'));
    check(
      '6.5 sendBroadcastMessage publishes once on hydra:service:mc:S',
      pbc?.args[1] === 'hydra:service:mc:alpha-svc' &&
        pubs.filter((c) => c.args[2].includes('"broadcast":true')).length === 1 &&
        bc?.bdy?.broadcast === true,
    );
    const pubConns = new Set(
      pubs
        .filter(
          (c) => c.args[2].includes(`${A}@alpha-svc`) || c.args[1].startsWith('hydra:service:mc:beta-svc'),
        )
        .map((c) => c.addr),
    );
    const alphaConns = [cmds[iSet].addr, cmds[iSubS].addr, cmds[iSubI].addr, p1?.addr];
    check(
      '1 alpha-svc uses 4 connections (main, 2 subscribers, publisher), each starting INFO, SELECT 15',
      new Set(alphaConns).size === 4 &&
        alphaConns.every(
          (a) =>
            cmds
              .filter((c) => c.addr === a)
              .slice(0, 2)
              .map((c) => `${c.cmd} ${c.args[1] ?? ''}`.trim())
              .join(', ') === 'INFO, SELECT 15',
        ),
    );
    check(
      '1 publisher connection created lazily (INFO, SELECT, PUBLISH)',
      [...pubConns].every(
        (a) =>
          cmds
            .filter((c) => c.addr === a)
            .slice(0, 3)
            .map((c) => c.cmd)
            .join(' ') === 'INFO SELECT PUBLISH',
      ),
    );
    check(
      '6.4 sendMessage with no instance: SCAN, no PUBLISH, 503 object',
      !pubs.some((c) => c.args[1].includes('nobody-svc')) &&
        idx(is('SCAN', '0', 'MATCH', '*:nobody-svc:*:presence')) >= 0,
    );

    const iHealth = idx((c) => c.cmd === 'SETEX' && c.args[1] === `${P}:alpha-svc:${A}:health`);
    check(
      '3.4 health SETEX 3, first one ~5 s after registration, then EXPIRE log 604800 (pipelined)',
      iHealth >= 0 &&
        cmds[iHealth].args[2] === '3' &&
        cmds[iHealth + 1]?.cmd === 'EXPIRE' &&
        cmds[iHealth + 1].args[2] === '604800' &&
        Math.abs(cmds[iHealth].ts - cmds[iSet].ts - 5) < 0.3,
      iHealth >= 0 ? `+${(cmds[iHealth].ts - cmds[iSet].ts).toFixed(3)} s` : 'none',
    );
    check(
      '3.4 health JSON key order',
      iHealth >= 0 &&
        keysOf(cmds[iHealth].args[3]) ===
          'updatedOn,serviceName,instanceID,hostName,sampledOn,processID,architecture,platform,nodeVersion,memory,uptimeSeconds',
    );
    check(
      '3.4 memory = rss,heapTotal,heapUsed,external,arrayBuffers',
      iHealth >= 0 &&
        Object.keys(JSON.parse(cmds[iHealth].args[3]).memory).join(',') ===
          'rss,heapTotal,heapUsed,external,arrayBuffers',
    );

    const iPresA = idx(is('SCAN', '0', 'MATCH', '*:beta-svc:*:presence'));
    check(
      '6.3 getServicePresence = SCAN *:S:*:presence COUNT 100, then MULTI HGET nodes EXEC',
      iPresA >= 0 &&
        cmds[iPresA].args[5] === '100' &&
        cmds[iPresA + 1]?.cmd === 'MULTI' &&
        cmds[iPresA + 2]?.cmd === 'HGET' &&
        cmds[iPresA + 3]?.cmd === 'EXEC',
    );
    check(
      '6.3 presence entry = nodes JSON + updatedOnTS',
      presence.length === 1 &&
        presence[0].instanceID === B &&
        typeof presence[0].updatedOnTS === 'number' &&
        presence[0].version === '2.0.0' &&
        presence[0].port === '5602',
    );
    check(
      '3.3 getServiceNodes = HGETALL nodes, each + elapsed',
      idx(is('HGETALL', `${P}:nodes`)) >= 0 && nodes.every((n) => typeof n.elapsed === 'number'),
    );
    check(
      '6.3 getServiceHealthAll = [{health, log, presence}] per service',
      Array.isArray(healthAll) && healthAll.every((e) => Object.keys(e).join(',') === 'health,log,presence'),
    );
    const marks = all.filter((c) => c.cmd === 'ECHO');
    const cacheMark = marks.find((c) => c.args[1].includes('3 s cache'));
    const afterCache = all.slice(
      all.indexOf(cacheMark) + 1,
      all.indexOf(marks[marks.indexOf(cacheMark) + 1]),
    );
    check(
      '6.3 getServicePresence served from the 3 s cache (no SCAN)',
      !afterCache.some((c) => c.addr !== inspectorAddr && c.cmd === 'SCAN'),
    );
    const iHl = idx(
      is('SCAN', '0', 'MATCH', '*:alpha-svc:*:health:log'),
      idx((c) => c.line.includes(`${A2}:health:log`)),
    );
    const firstKey = cmds.slice(iHl).find((c) => c.cmd === 'LRANGE')?.args[1];
    const firstLog = firstKey?.includes(A2) ? logA2 : logA;
    check(
      "3.5 getServiceHealthLog LRANGEs every instance but returns only the first key's entries (code item)",
      logA.length !== logA2.length &&
        JSON.stringify(healthLog) === JSON.stringify(firstLog.map((e) => JSON.parse(e))),
      `first key ${firstKey?.includes(A2) ? 'instance #2' : 'own'}; own ${logA.length}, #2 ${logA2.length}, returned ${healthLog.length}`,
    );

    const shutMark = marks.find((c) => c.args[1] === '== shutdown alpha-svc');
    const shut = all
      .slice(all.indexOf(shutMark) + 1)
      .filter(
        (c) => c.addr !== inspectorAddr && c.cmd !== 'ECHO' && !(c.cmd === 'SETEX' || c.cmd === 'HSET'),
      );
    const shutSeq = shut
      .map(
        (c) => c.cmd + (c.cmd === 'EXPIRE' ? ` ${c.args[1].split(':').slice(4).join(':')} ${c.args[2]}` : ''),
      )
      .join(', ');
    check(
      '6.7 shutdown: log "shutting down", EXPIRE health 3, EXPIRE health:log 604800, DEL presence, QUIT x4',
      /^MULTI, SELECT, LPUSH, LTRIM, EXEC, EXPIRE health 3, EXPIRE health:log 604800/.test(shutSeq) &&
        shut.filter((c) => c.cmd === 'QUIT').length === 4 &&
        shut.some((c) => c.cmd === 'DEL' && c.args[1] === `${P}:alpha-svc:${A}:presence`),
      shutSeq,
    );
    check(
      '6.7 left behind: service, routes, nodes entry, log (1 week); presence deleted; health TTL <= 3',
      after.presence === 0 &&
        after.service === 1 &&
        after.node === 1 &&
        after.routes === 1 &&
        after.logTtl > 604700 &&
        after.healthTtl <= 3,
    );
  } finally {
    clearTimeout(hardTimer);
    for (const c of children) await c.stop().catch(() => {});
    inspector?.disconnect();
    if (monitor && monitor.exitCode === null) {
      const exited = new Promise((r) => monitor.once('exit', r));
      monitor.kill('SIGTERM');
      await exited;
    }
    await redis.stop();
  }
  note(mismatches.length ? `\n${mismatches.length} MISMATCH(ES)` : '\nall checks ok');
  process.exitCode = mismatches.length ? 1 : 0;
}

async function waitFor(find, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = find();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting for a message');
    await sleep(10);
  }
}

if (process.argv[2] === '--child') await runChild();
else await main();
