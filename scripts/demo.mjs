// `npm run demo`: starts a private Redis (unless REDIS_URL is set), runs the sample services, shows what
// they registered in Redis the way Hydra tooling sees it, and keeps running until Ctrl-C / SIGTERM,
// when every service deregisters at once and the private Redis stops.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hydra, silentLogger } from '@hydra-nest/core';
import { freePort, startRedis, waitFor } from './lib/redis-process.mjs';
import { SAMPLES } from './demo-samples.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const children = [];
let redis;
let observer;
let stopping = false;

function log(line = '') {
  process.stdout.write(`${line}\n`);
}

async function startSample(sample, redisUrl) {
  const entry = path.join(root, sample.entry);
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  const port = await freePort();
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, REDIS_URL: redisUrl, PORT: String(port) },
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
  const services = await observer.discovery.services();
  const nodes = await observer.discovery.nodes();
  const routes = await observer.routes.allRoutes();
  log('\n=== What Redis holds (as Hydra 1.x tooling sees it) ===');
  log('Services (hydra:service:<name>:service):');
  for (const s of services) log(`  - ${s.serviceName}  registered ${s.registeredOn}`);
  log('Instances present (hydra:service:<name>:<id>:presence + hydra:service:nodes):');
  for (const n of nodes)
    log(`  - ${n.serviceName} ${n.instanceID} at ${n.ip}:${n.port} v${n.version} (seen ${n.elapsed}s ago)`);
  log('Published routes (hydra:service:<name>:service:routes):');
  for (const [service, list] of Object.entries(routes)) log(`  - ${service}: ${[...list].sort().join('  ')}`);
}

async function main() {
  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    redis = await startRedis();
    redisUrl = redis.urlFor(15);
    log(`Started a private redis-server at ${redisUrl} (set REDIS_URL to use your own).`);
  } else {
    log(`Using REDIS_URL=${redisUrl}`);
  }
  observer = new Hydra({
    serviceName: 'demo-observer',
    register: false,
    logger: silentLogger,
    redis: { url: redisUrl },
  });
  await observer.start();

  for (const sample of SAMPLES) await startSample(sample, redisUrl);
  for (const sample of SAMPLES) {
    // HTTP samples publish their port once listening; wait for it so the printout shows it.
    await waitFor(
      async () =>
        (await observer.discovery.instances(sample.service)).some((i) => !sample.http || Number(i.port) > 0),
      20_000,
      `${sample.service} to register`,
    );
  }
  await showRegistry();
  for (const { sample, port } of children) {
    if (sample.tryIt) await sample.tryIt({ port, observer, log });
  }
  log('\nTry it yourself:');
  for (const { sample, port } of children)
    if (sample.http) log(`  curl http://127.0.0.1:${port}${sample.http}`);
  if (redis) log(`  redis-cli -p ${redis.port} -n 15 --scan --pattern 'hydra:service:*'`);
  log('\nRunning. Press Ctrl-C to stop every service (each deregisters at once).');
}

async function shutdown(signal) {
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
    for (const sample of SAMPLES) {
      const left = await observer.discovery.instances(sample.service).catch(() => []);
      log(
        `  ${sample.service}: ${left.length === 0 ? 'deregistered' : `${left.length} instance(s) still present`}`,
      );
    }
    await observer.stop();
  }
  if (redis) await redis.stop();
  log('Stopped.');
  process.exit(0);
}

process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

main().catch(async (error) => {
  console.error(`demo failed: ${error.message}`);
  await shutdown('error');
  process.exit(1);
});
