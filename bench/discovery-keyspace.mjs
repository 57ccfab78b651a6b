// What idle discovery costs Redis as unrelated keys pile up (issue #17, item 6): a private Redis is
// filled with 0 and then N unrelated keys in Hydra's db, idle services run on it, and Redis's own CPU
// and command rates are read from INFO over a quiet window. Not part of `npm test`; see bench/README.md.
//
//   node bench/discovery-keyspace.mjs                         # samples and core, 0 and 1,000,000 keys
//   node bench/discovery-keyspace.mjs --keys 0,100000 --seconds 10 --scenarios core
//   node bench/discovery-keyspace.mjs --keys 1000000 --dead 10000 --settle 65   # dead nodes entries
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { endChild, freePort, startRedis, waitFor } from '../scripts/lib/redis-process.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DB = 15;

const { values: args } = parseArgs({
  options: {
    keys: { type: 'string', default: '0,1000000' },
    seconds: { type: 'string', default: '20' },
    scenarios: { type: 'string', default: 'samples,core' },
    dead: { type: 'string', default: '0' },
    settle: { type: 'string', default: '4' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(
    'node bench/discovery-keyspace.mjs [--keys 0,1000000] [--seconds 20] [--scenarios samples,core] [--dead 0]\n' +
      '  samples: samples/hello and samples/greeter (greeter has called hello once, so it watches it)\n' +
      '  core:    6 core Hydra instances, 3 services x 2, each watching the two other services\n' +
      '  --dead:  entries of dead instances of the watched services left in the nodes hash (Hydra never\n' +
      '           removes them), spread evenly over those services\n' +
      '  --settle: seconds between start and the measured window (65 shows dead entries gone dormant)',
  );
  process.exit(0);
}
const keyCounts = args.keys.split(',').map(Number);
const windowMs = Number(args.seconds) * 1000;
const scenarios = args.scenarios.split(',');
const deadNodes = Number(args.dead);
const settleMs = Number(args.settle) * 1000;
/** The services each scenario watches, which dead nodes entries are spread over. */
const WATCHED = { samples: ['hello-svc'], core: ['alpha-svc', 'beta-svc', 'gamma-svc'] };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function getJson(port, urlPath) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: urlPath }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      })
      .on('error', reject);
  });
}

/** Redis's own CPU seconds (user + sys) and per-command call counts, from INFO. */
async function redisCounters(admin) {
  const cpu = await admin.info('cpu');
  const seconds = ['used_cpu_sys', 'used_cpu_user']
    .map((name) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(cpu)[1]))
    .reduce((a, b) => a + b, 0);
  const calls = new Map();
  for (const [, name, count] of (await admin.info('commandstats')).matchAll(/^cmdstat_(\S+):calls=(\d+)/gm)) {
    calls.set(name, Number(count));
  }
  return { seconds, calls, at: Date.now() };
}

/** CPU share of one core and commands/s between two readings; INFO and SELECT of the bench itself left out. */
function rates(before, after) {
  const elapsed = (after.at - before.at) / 1000;
  const perCommand = {};
  for (const [name, count] of after.calls) {
    if (name === 'info' || name === 'select') continue;
    const delta = count - (before.calls.get(name) ?? 0);
    if (delta > 0) perCommand[name] = delta / elapsed;
  }
  const total = Object.values(perCommand).reduce((a, b) => a + b, 0);
  return { cpuPercent: ((after.seconds - before.seconds) / elapsed) * 100, total, perCommand };
}

/** Starts a sample service and resolves its HTTP port once it answers. */
async function startSample(entry, redisUrl) {
  const port = await freePort();
  // REDIS_CLUSTER_NODES would win over REDIS_URL in the samples (samples/config): this bench's Redis only.
  const { REDIS_CLUSTER_NODES: _cluster, ...env } = process.env;
  const child = spawn(process.execPath, [path.join(root, entry)], {
    env: { ...env, REDIS_URL: redisUrl, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitFor(
    () =>
      getJson(port, '/').then(
        () => true,
        () => false,
      ),
    20_000,
    `${entry} answering on ${port}`,
  );
  return { child, port };
}

/** samples/hello and samples/greeter; one greeting makes greeter watch hello-svc, then both stay idle. */
async function runSamples(redisUrl) {
  const hello = await startSample('samples/hello/dist/main.js', redisUrl);
  const greeter = await startSample('samples/greeter/dist/main.js', redisUrl);
  const reply = await getJson(greeter.port, '/v1/greeter/bench');
  if (reply.status !== 200) throw new Error(`greeter answered ${reply.status} ${reply.body}`);
  return async () => {
    await Promise.all([endChild(greeter.child, 'SIGTERM', 5000), endChild(hello.child, 'SIGTERM', 5000)]);
  };
}

/** Six core instances in this process, three services of two, each watching the two other services. */
async function runCore(redisUrl) {
  const { Hydra, silentLogger } = await import('@hydra-nest/core');
  const services = ['alpha-svc', 'beta-svc', 'gamma-svc'];
  const all = [];
  for (const serviceName of services) {
    for (let i = 0; i < 2; i++) {
      const hydra = new Hydra({
        serviceName,
        servicePort: 4000 + all.length,
        serviceIP: '127.0.0.1',
        redis: { url: redisUrl },
        logger: silentLogger,
      });
      await hydra.start();
      all.push(hydra);
    }
  }
  for (const hydra of all) {
    for (const other of services) {
      if (other === hydra.serviceName) continue;
      const found = await hydra.instances.watch(other);
      if (found.length !== 2) throw new Error(`${hydra.serviceName} sees ${found.length} ${other} instances`);
    }
  }
  return async () => {
    await Promise.all(all.map((hydra) => hydra.stop()));
  };
}

const SCENARIOS = { samples: runSamples, core: runCore };

/** Nodes entries of `count` long-dead instances (no presence key), as crashed or stopped Hydra 1.x peers leave. */
async function writeDeadNodes(admin, services, count) {
  const updatedOn = new Date(Date.now() - 86_400_000).toISOString();
  for (let start = 0; start < count; start += 1000) {
    const pipeline = admin.pipeline();
    for (let i = start; i < Math.min(count, start + 1000); i++) {
      const instanceID = i.toString(16).padStart(32, 'd');
      const serviceName = services[i % services.length];
      pipeline.hset(
        'hydra:service:nodes',
        instanceID,
        JSON.stringify({
          serviceName,
          serviceDescription: 'dead',
          version: '1.0.0',
          instanceID,
          updatedOn,
          processID: 1,
          ip: '10.0.0.9',
          port: '5000',
          hostName: 'gone',
        }),
      );
    }
    await pipeline.exec();
  }
}

async function main() {
  const redis = await startRedis({ extraArgs: ['--enable-debug-command', 'local'] });
  const admin = new Redis(redis.urlFor(DB));
  const results = [];
  try {
    for (const scenario of scenarios) {
      const run = SCENARIOS[scenario];
      if (!run) throw new Error(`unknown scenario ${scenario} (samples, core)`);
      for (const keys of keyCounts) {
        await admin.flushall();
        if (keys > 0) await admin.call('DEBUG', 'POPULATE', String(keys), 'unrelated', '16');
        await writeDeadNodes(admin, WATCHED[scenario], deadNodes);
        const dbsize = await admin.dbsize();
        const stop = await run(redis.urlFor(DB));
        try {
          await sleep(settleMs); // first loads done, every timer in its steady rhythm
          const before = await redisCounters(admin);
          await sleep(windowMs);
          const after = await redisCounters(admin);
          const rate = rates(before, after);
          results.push({ scenario, keys, dbsize, dead: deadNodes, ...rate });
          const top = Object.entries(rate.perCommand)
            .sort((a, b) => b[1] - a[1])
            .slice(0, 6)
            .map(([name, perSecond]) => `${name} ${perSecond.toFixed(1)}`)
            .join(', ');
          console.log(
            `${scenario.padEnd(8)} ${String(keys).padStart(8)} keys, ${deadNodes} dead nodes: Redis CPU ${rate.cpuPercent.toFixed(2)}% ` +
              `of a core, ${rate.total.toFixed(1)} commands/s (${top})`,
          );
        } finally {
          await stop();
        }
      }
    }
  } finally {
    admin.disconnect();
    await redis.stop();
  }
  console.log('\nscenario  unrelated keys  dead nodes  Redis CPU (% of a core)  commands/s  SCAN/s');
  for (const r of results) {
    console.log(
      `${r.scenario.padEnd(9)} ${String(r.keys).padStart(14)}  ${String(r.dead).padStart(10)}  ` +
        `${r.cpuPercent.toFixed(2).padStart(23)}  ` +
        `${r.total.toFixed(1).padStart(10)}  ${(r.perCommand.scan ?? 0).toFixed(1).padStart(6)}`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
