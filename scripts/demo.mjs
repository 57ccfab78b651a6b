// `npm run demo`: starts a private Redis (unless REDIS_URL is set), runs the sample services, shows what
// they registered in Redis the way Hydra tooling sees it, and keeps running until Ctrl-C / SIGTERM,
// when every service deregisters at once and the private Redis stops.
// `npm run demo -- --cluster` does the same on a private Redis Cluster (3 masters, 3 replicas);
// REDIS_CLUSTER_NODES=host:port,... runs it on a cluster of yours, as REDIS_URL does for one server.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Hydra, silentLogger } from '@hydra-nest/core';
import { redisFromEnv } from '@hydra-nest/sample-config';
import { startCluster } from './lib/redis-cluster.mjs';
import { freePort, startRedis, waitFor } from './lib/redis-process.mjs';
import { ROUTER, SAMPLES } from './demo-samples.mjs';

const USAGE =
  'usage: npm run demo [-- --cluster]\n' +
  '  --cluster   run the samples on a private Redis Cluster (3 masters, 3 replicas)\n' +
  '  REDIS_URL=redis://host:port/db          run them on a Redis server of yours\n' +
  '  REDIS_CLUSTER_NODES=host:port,host:port  run them on a Redis Cluster of yours';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const children = [];
let redis;
let cluster;
/** The private redis-server or cluster being started or running, stopped last (even mid-start). */
let ownRedis;
let observer;
let stopping = false;

function log(line = '') {
  process.stdout.write(`${line}\n`);
}

/**
 * Picks the Redis the samples run on, starting a private one when the environment names none, and
 * returns the variables that point the samples at it (what `redisFromEnv` reads). The private servers
 * run in process groups of their own: a Ctrl-C reaches the samples and this script, which stops Redis
 * last, once every sample has deregistered.
 */
async function chooseRedis(wantCluster) {
  if (process.env.REDIS_CLUSTER_NODES) {
    log(`Using REDIS_CLUSTER_NODES=${process.env.REDIS_CLUSTER_NODES}`);
    return { REDIS_CLUSTER_NODES: process.env.REDIS_CLUSTER_NODES };
  }
  if (wantCluster) {
    ownRedis = startCluster({ detached: true });
    cluster = await ownRedis;
    await requireShardedPubSub(cluster);
    const nodes = cluster.nodes.map(({ host, port }) => `${host}:${port}`).join(',');
    log(
      `Started a private Redis Cluster (3 masters, 3 replicas) in ${cluster.startMs} ms at ${nodes} ` +
        '(set REDIS_CLUSTER_NODES to use your own).',
    );
    return { REDIS_CLUSTER_NODES: nodes };
  }
  if (process.env.REDIS_URL) {
    log(`Using REDIS_URL=${process.env.REDIS_URL}`);
    return { REDIS_URL: process.env.REDIS_URL };
  }
  ownRedis = startRedis({ detached: true });
  redis = await ownRedis;
  const url = redis.urlFor(15);
  log(`Started a private redis-server at ${url} (set REDIS_URL to use your own).`);
  return { REDIS_URL: url };
}

/** Fails early, and says why, when the cluster's redis-server is older than 7 (no SSUBSCRIBE). */
async function requireShardedPubSub(started) {
  const info = await started.call(started.nodes[0].port, 'INFO', 'server');
  const version = info.match(/redis_version:(\S+)/)?.[1] ?? 'unknown';
  if (!(Number.parseInt(version, 10) >= 7)) {
    throw new Error(
      `redis-server ${version} has no sharded pub/sub, which a cluster needs: install Redis 7+`,
    );
  }
}

async function startSample(sample, redisEnv) {
  if (stopping) return;
  const entry = path.join(root, sample.entry);
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  const port = sample.port ?? (await freePort());
  const child = spawn(process.execPath, [entry, ...(sample.args ?? [])], {
    env: { ...process.env, ...redisEnv, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tag = `[${sample.name}]`;
  const prefix = (stream, out) =>
    stream.on('data', (chunk) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) out.write(`${tag} ${line}\n`);
    });
  prefix(child.stdout, process.stdout);
  prefix(child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    if (!stopping) log(`${tag} exited unexpectedly (code ${code}, signal ${signal})`);
  });
  children.push({ sample, child, port });
  return port;
}

async function showRegistry() {
  const keys = observer.keys;
  const services = await observer.discovery.services();
  const nodes = await observer.discovery.nodes();
  const routes = await observer.routes.allRoutes();
  log(
    keys.clusterHashTags
      ? "\n=== What the cluster holds (hydra-nest's cluster layout: each service's keys under its hash tag) ==="
      : '\n=== What Redis holds (as Hydra 1.x tooling sees it) ===',
  );
  log(`Services (${keys.service('<name>')}):`);
  for (const s of services) log(`  - ${s.serviceName}  registered ${s.registeredOn}`);
  log(`Instances present (${keys.presence('<name>', '<id>')} + ${keys.nodesOf('<name>')}):`);
  for (const n of nodes)
    log(`  - ${n.serviceName} ${n.instanceID} at ${n.ip}:${n.port} v${n.version} (seen ${n.elapsed}s ago)`);
  log(`Published routes (${keys.routes('<name>')}):`);
  for (const [service, list] of Object.entries(routes)) log(`  - ${service}: ${[...list].sort().join('  ')}`);
  if (keys.clusterHashTags) await showSlots(services.map((s) => s.serviceName));
}

/** On a cluster: the slot of each service (its keys and its sharded channels) and the master serving it. */
async function showSlots(serviceNames) {
  log(`Slots (every key of a service and its ${observer.keys.serviceChannel('<name>')} channels in one):`);
  for (const name of serviceNames.sort()) {
    const slot = await observer.redis.cluster('KEYSLOT', observer.keys.service(name));
    const [master] = observer.redis.slots[slot] ?? [];
    log(`  - ${name}: slot ${slot}, served by master ${master ?? '(unknown yet)'}`);
  }
}

/** On a cluster: how many messages each master took, to show that each went through one master only. */
async function showShardedPublishes() {
  const masters = observer.redis.nodes('master');
  const counts = await Promise.all(
    masters.map(async (node) => {
      const stats = await node.info('commandstats').catch(() => '');
      const calls = stats.match(/cmdstat_spublish:calls=(\d+)/)?.[1] ?? '0';
      return `${node.options.host}:${node.options.port} ${calls}`;
    }),
  );
  log(`\nSPUBLISH calls per master (sharded pub/sub: a message crosses one master): ${counts.join(', ')}`);
}

/** A few `hydra-nest` operator commands to try, pointed at the demo's Redis. */
function showCliCommands(redisEnv) {
  const target = redisEnv.REDIS_CLUSTER_NODES
    ? `--cluster ${redisEnv.REDIS_CLUSTER_NODES}`
    : `--redis ${redisEnv.REDIS_URL}`;
  const cli = `npx hydra-nest ${target}`;
  log('\nThe operator CLI (packages/cli; add --json for scripts):');
  log(`  ${cli} services`);
  log(`  ${cli} health hello-svc`);
  log(`  ${cli} ping hello-svc`);
  log(`  ${cli} send hello-svc:/ '{"name":"operator"}' --type hello.greet`);
  log(`  ${cli} queue stats image-svc`);
  log(`  ${cli} watch`);
}

async function main() {
  let wantCluster;
  try {
    wantCluster = parseArgs({ options: { cluster: { type: 'boolean', default: false } } }).values.cluster;
  } catch (error) {
    console.error(`${error.message}\n${USAGE}`);
    process.exit(2);
  }
  const redisEnv = await chooseRedis(wantCluster);
  observer = new Hydra({
    serviceName: 'demo-observer',
    register: false,
    logger: silentLogger,
    redis: redisFromEnv(redisEnv),
  });
  await observer.start();

  for (const sample of SAMPLES) await startSample(sample, redisEnv);
  for (const sample of SAMPLES) {
    // HTTP samples publish their port once listening; wait for it so the printout shows it.
    await waitFor(
      async () =>
        (await observer.discovery.instances(sample.service)).some((i) => !sample.http || Number(i.port) > 0),
      20_000,
      `${sample.service} to register`,
    );
  }
  // The gateway last: it reads every route the samples published when it starts.
  const routerPort = await startSample(ROUTER, redisEnv);
  await waitFor(
    async () => (await observer.discovery.instances(ROUTER.service)).length > 0,
    20_000,
    'the router to register',
  );
  await showRegistry();
  for (const { sample, port } of children) {
    if (sample.tryIt) await sample.tryIt({ port, observer, log });
  }
  if (observer.keys.clusterHashTags) await showShardedPublishes();
  log(`\nGateway: hydra-nest-router on http://127.0.0.1:${routerPort}`);
  log(`  Dashboard: http://127.0.0.1:${routerPort}/dashboard`);
  log('\nTry it yourself:');
  for (const { sample, port } of children)
    if (sample.http) log(`  curl http://127.0.0.1:${port}${sample.http}`);
  // Every sample serves Prometheus metrics on its port (image-svc, which has no HTTP app, on a port of their own).
  for (const { sample, port } of children)
    if (SAMPLES.includes(sample)) log(`  curl -s http://127.0.0.1:${port}/metrics | grep ^hydra_`);
  log('Through the router:');
  for (const sample of SAMPLES) if (sample.http) log(`  curl http://127.0.0.1:${routerPort}${sample.http}`);
  log(`  curl http://127.0.0.1:${routerPort}/v1/router/list/routes`);
  log(`  curl http://127.0.0.1:${routerPort}/v1/router/list/services`);
  if (redis) log(`  redis-cli -p ${redis.port} -n 15 --scan --pattern 'hydra:service:*'`);
  if (cluster) {
    const [{ port }] = cluster.nodes;
    log(`  redis-cli -c -p ${port} smembers ${observer.keys.serviceIndex()}`);
    log(`  redis-cli -c -p ${port} hgetall '${observer.keys.nodesOf('hello-svc')}'`);
    log(`  redis-cli --cluster call 127.0.0.1:${port} keys 'hydra:service:*' --cluster-only-masters`);
  }
  showCliCommands(redisEnv);
  log('\nRunning. Press Ctrl-C to stop every service (each deregisters at once).');
}

async function shutdown(signal, exitCode = 0) {
  if (stopping) return;
  stopping = true;
  log(`\n${signal}: stopping the samples...`);
  await Promise.all(
    children.map(
      ({ child }) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  if (observer?.running) {
    for (const sample of [...SAMPLES, ROUTER]) {
      const left = await observer.discovery.instances(sample.service).catch(() => undefined);
      const state =
        left === undefined
          ? 'unknown (Redis did not answer)'
          : left.length === 0
            ? 'deregistered'
            : `${left.length} instance(s) still present`;
      log(`  ${sample.service}: ${state}`);
    }
    await observer.stop();
  }
  await (await ownRedis?.catch(() => undefined))?.stop();
  log('Stopped.');
  process.exit(exitCode);
}

process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

main().catch(async (error) => {
  if (stopping) return; // Ctrl-C during start-up: what failed was cut short on purpose
  console.error(`demo failed: ${error.message}`);
  await shutdown('error', 1);
});
